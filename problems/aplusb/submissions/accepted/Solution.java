// A single Java file whose class is named after the file, not Main: the
// judge runs the class that declares main, as Kattis and DOMjudge do.
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StreamTokenizer;

public class Solution {
    public static void main(String[] args) throws IOException {
        StreamTokenizer in = new StreamTokenizer(new BufferedReader(new InputStreamReader(System.in)));
        in.resetSyntax();
        in.wordChars('-', '-');
        in.wordChars('0', '9');
        in.whitespaceChars(0, ' ');
        in.nextToken();
        long a = Long.parseLong(in.sval);
        in.nextToken();
        long b = Long.parseLong(in.sval);
        System.out.println(a + b);
    }
}
