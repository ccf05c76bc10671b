import sbt._

object Dependencies {
  // Spark comes from the pyspark wheel at run time: Provided, same version as the wheel.
  val sparkMllib = "org.apache.spark" %% "spark-mllib" % Versions.spark % Provided
  // The Spark Connect server's plugin interfaces (mlflowbridge.connect); the wheel ships this jar.
  val sparkConnect = "org.apache.spark" %% "spark-connect" % Versions.spark % Provided
  // Shaded jar; its only transitive dependency is slf4j-api (already in Spark).
  val mlflowClient = "org.mlflow" % "mlflow-client" % Versions.mlflowJava
  // s3:// artifact roots. Over the JDK's HttpURLConnection: the SDK's netty client would bring a
  // second netty next to pyspark's, and its Apache clients other httpclients than Spark's 4.5.
  val awsS3 = ("software.amazon.awssdk" % "s3" % Versions.awsSdk)
    .exclude("software.amazon.awssdk", "netty-nio-client")
    .exclude("software.amazon.awssdk", "apache-client")
    .exclude("software.amazon.awssdk", "apache5-client")
  val awsHttp = "software.amazon.awssdk" % "url-connection-client" % Versions.awsSdk
  // Tracing: OpenTelemetry's SDK and its OTLP/HTTP exporter over the JDK's HttpClient (the
  // default okhttp sender would bring okhttp and Kotlin's standard library).
  val otelSdk = "io.opentelemetry" % "opentelemetry-sdk" % Versions.opentelemetry
  val otelOtlp = ("io.opentelemetry" % "opentelemetry-exporter-otlp" % Versions.opentelemetry)
    .exclude("io.opentelemetry", "opentelemetry-exporter-sender-okhttp")
  val otelJdkSender = "io.opentelemetry" % "opentelemetry-exporter-sender-jdk" % Versions.opentelemetry
  // ONNX models: the runtime's Java API with its native libraries inside the jar (no dependencies).
  val onnxRuntime = "com.microsoft.onnxruntime" % "onnxruntime" % Versions.onnxRuntime
  val scalatest = "org.scalatest" %% "scalatest" % Versions.scalatest % Test

  // What spark-submit adds on JDK 17+, needed when Spark starts without it (tests, `run`,
  // `java -cp ... mlflowbridge.cli.Main`); one list, shared with JPype: bridge/spark-jvm-options.txt.
  val sparkOpens: Seq[String] = {
    val src = scala.io.Source.fromFile("bridge/spark-jvm-options.txt", "UTF-8")
    try src.getLines().map(_.trim).filter(l => l.nonEmpty && !l.startsWith("#")).toList
    finally src.close()
  }
}
