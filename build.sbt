// The MLflow JVM bridge: one Scala module, `mlflowbridge`, used from Scala directly and
// from Python (bridge/) through JPype or py4j. Versions: bridge/versions.properties.

ThisBuild / organization := "io.github.mlflowbridge"
ThisBuild / version := "0.1.0"
ThisBuild / scalaVersion := Versions.scala

// The build's top project: only aggregates, so that `build/sbt test`, `bridgeJars` and
// `runMain mlflowbridge.cli.Main ...` (forwarded, not run twice) work from the repository root.
lazy val top = (project in file("."))
  .aggregate(root)
  .settings(
    name := "mlflow-bridge-build",
    publish / skip := true,
    Compile / run := (root / Compile / run).evaluated,
    Compile / runMain := (root / Compile / runMain).evaluated,
    run / aggregate := false,
    runMain / aggregate := false
  )

lazy val root = (project in file("scala"))
  .settings(
    name := "mlflow-bridge",
    libraryDependencies ++= Seq(
      Dependencies.sparkMllib,
      Dependencies.sparkConnect,
      Dependencies.mlflowClient,
      Dependencies.awsS3,
      Dependencies.awsHttp,
      Dependencies.otelSdk,
      Dependencies.otelOtlp,
      Dependencies.otelJdkSender,
      Dependencies.onnxRuntime,
      Dependencies.scalatest
    ),
    javacOptions ++= Seq("--release", "17"),
    scalacOptions ++= Seq("-release", "17", "-deprecation", "-feature"),
    // Tests start Spark and a tracking server: one JVM of their own, one suite at a time.
    Test / fork := true,
    Test / parallelExecution := false,
    // MLFLOW_BRIDGE_JAVA_OPTIONS: what every JVM the bridge starts takes last (make test: C1 only).
    Test / javaOptions ++= Seq("-Xmx2g") ++ Dependencies.sparkOpens ++ sys.env
      .get("MLFLOW_BRIDGE_JAVA_OPTIONS")
      .toSeq
      .flatMap(_.trim.split("\\s+"))
      .filter(_.nonEmpty),
    Test / envVars ++= sys.env.filter { case (k, _) => k.startsWith("MLFLOW_") },
    // The Scala examples of README.md and docs/ are compiled and run by ExamplesSuite (the Java one by pytest, with javac).
    Test / unmanagedSources ++= Seq("ScalaRoundTrip.scala", "ApiTour.scala").map((ThisBuild / baseDirectory).value / "tests" / "examples" / _),
    // The jar carries the version pins (MLmodel's mlflow_version, requirements.txt) and the rules
    // Python checks too (table formats, tracking URIs, masters) as resources.
    Compile / resourceGenerators += Def.task {
      Seq("versions.properties", "rules.properties").map { name =>
        val out = (Compile / resourceManaged).value / "mlflowbridge" / name
        IO.copyFile((ThisBuild / baseDirectory).value / "bridge" / name, out)
        out
      }
    }.taskValue,
    // `build/sbt "runMain mlflowbridge.cli.Main ..."`: Spark is Provided, so run with it on the
    // classpath, in a JVM of its own that has the module opens Spark needs on JDK 17+.
    Compile / run := Defaults.runTask(Compile / fullClasspath, Compile / run / mainClass, Compile / run / runner).evaluated,
    Compile / runMain := Defaults.runMainTask(Compile / fullClasspath, Compile / run / runner).evaluated,
    run / fork := true,
    run / javaOptions ++= Seq("-Xmx2g") ++ Dependencies.sparkOpens,
    run / outputStrategy := Some(StdoutOutput),
    BridgeJars.settings
  )
