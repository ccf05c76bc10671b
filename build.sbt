// The MLflow JVM bridge: one Scala module, `mlflowbridge`, used from Scala directly and
// from Python (bridge/) through JPype or py4j. Versions: bridge/versions.properties.

ThisBuild / organization := "io.github.mlflowbridge"
ThisBuild / version := "0.1.0"
ThisBuild / scalaVersion := Versions.scala

lazy val root = (project in file("scala"))
  .settings(
    name := "mlflow-bridge",
    libraryDependencies ++= Seq(Dependencies.sparkMllib, Dependencies.mlflowClient, Dependencies.scalatest),
    javacOptions ++= Seq("--release", "17"),
    scalacOptions ++= Seq("-release", "17", "-deprecation", "-feature"),
    // Tests start Spark and a tracking server: one JVM of their own, one suite at a time.
    Test / fork := true,
    Test / parallelExecution := false,
    Test / javaOptions ++= Seq("-Xmx2g", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED"),
    Test / envVars ++= sys.env.filter { case (k, _) => k.startsWith("MLFLOW_") },
    BridgeJars.settings
  )
