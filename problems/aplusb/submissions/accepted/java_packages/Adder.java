// Part of a multi-file Java submission in packages: no file is Main.java,
// and the class with main (ab.App) lives in a package.
package ab.math;

public class Adder {
    public static long add(long a, long b) {
        return a + b;
    }
}
