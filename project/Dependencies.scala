import sbt._

object Dependencies {
  // Spark comes from the pyspark wheel at run time: Provided, same version as the wheel.
  val sparkMllib = "org.apache.spark" %% "spark-mllib" % Versions.spark % Provided
  // Shaded jar; its only transitive dependency is slf4j-api (already in Spark).
  val mlflowClient = "org.mlflow" % "mlflow-client" % Versions.mlflowJava
  val scalatest = "org.scalatest" %% "scalatest" % Versions.scalatest % Test

  // What spark-submit adds on JDK 17+, needed when Spark starts without it (tests, `run`,
  // `java -cp ... mlflowbridge.cli.Main`); one list, shared with JPype: bridge/spark-jvm-options.txt.
  val sparkOpens: Seq[String] = {
    val src = scala.io.Source.fromFile("bridge/spark-jvm-options.txt", "UTF-8")
    try src.getLines().map(_.trim).filter(l => l.nonEmpty && !l.startsWith("#")).toList
    finally src.close()
  }
}
