// Keeps every block it allocates: the JVM's heap is the problem's memory
// limit, so this ends in an OutOfMemoryError (exit 1, RE), not in a kill.
import java.util.ArrayList;

public class Main {
    public static void main(String[] args) {
        ArrayList<long[]> kept = new ArrayList<>();
        while (true) {
            kept.add(new long[1 << 20]);
        }
    }
}
