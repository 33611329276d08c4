package ab;

import ab.math.Adder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.StringTokenizer;

public class App {
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        StringBuilder text = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) text.append(line).append(' ');
        StringTokenizer tok = new StringTokenizer(text.toString());
        long a = Long.parseLong(tok.nextToken()), b = Long.parseLong(tok.nextToken());
        System.out.println(Adder.add(a, b));
    }
}
