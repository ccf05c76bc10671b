import sbt._

object Dependencies {
  // Spark comes from the pyspark wheel at run time: Provided, same version as the wheel.
  val sparkMllib = "org.apache.spark" %% "spark-mllib" % Versions.spark % Provided
  // Shaded jar; its only transitive dependency is slf4j-api (already in Spark).
  val mlflowClient = "org.mlflow" % "mlflow-client" % Versions.mlflowJava
  val scalatest = "org.scalatest" %% "scalatest" % Versions.scalatest % Test

  // What spark-submit adds on JDK 17+ (Spark's JavaModuleOptions); needed when Spark starts
  // without it: tests, `run`, `java -cp ... mlflowbridge.Main`.
  val sparkOpens: Seq[String] = Seq(
    "java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio", "java.util",
    "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref", "sun.nio.ch", "sun.nio.cs",
    "sun.security.action", "sun.util.calendar"
  ).map(p => s"--add-opens=java.base/$p=ALL-UNNAMED") ++ Seq("-Djdk.reflect.useDirectMethodHandle=false", "-Dio.netty.tryReflectionSetAccessible=true")
}
