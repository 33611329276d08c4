// Kotlin: a top-level main in sol.kt compiles to the class SolKt, which is run.
fun main() {
    val (a, b) = System.`in`.bufferedReader().readText().trim().split(Regex("\\s+")).map { it.toLong() }
    println(a + b)
}
