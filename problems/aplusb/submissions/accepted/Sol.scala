// Scala 2.11: the object with main is the class run.
object Sol {
  def main(args: Array[String]): Unit = {
    val t = scala.io.Source.stdin.mkString.trim.split("\\s+").map(_.toLong)
    println(t(0) + t(1))
  }
}
