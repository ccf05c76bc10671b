libraryDependencies ++= Seq(
  "io.github.mlflowbridge" %% "mlflow-bridge" % "0.1.0", // brings org.mlflow:mlflow-client
  "org.apache.spark" %% "spark-mllib" % "4.2.0" % Provided // Spark comes from the cluster
)
