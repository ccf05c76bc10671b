import sbt._

object Dependencies {
  // Spark comes from the pyspark wheel at run time: Provided, same version as the wheel.
  val sparkMllib = "org.apache.spark" %% "spark-mllib" % Versions.spark % Provided
  // Shaded jar; its only transitive dependency is slf4j-api (already in Spark).
  val mlflowClient = "org.mlflow" % "mlflow-client" % Versions.mlflowJava
  val scalatest = "org.scalatest" %% "scalatest" % Versions.scalatest % Test
}
