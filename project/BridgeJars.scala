import sbt._
import sbt.Keys._

/**
 * `bridgeJars` copies what the Python bridge puts on the JVM classpath into bridge/jars/:
 * our module's jar plus its runtime (non-Provided) dependencies, and a manifest naming the
 * versions they were built against. Spark's own jars come from the installed pyspark wheel.
 * (mleap's exported-classpath approach, materialised so it survives `pip install .`.)
 */
object BridgeJars {
  val bridgeJars = taskKey[File]("Copy the bridge jar and its runtime dependencies into bridge/jars/")

  def settings: Seq[Setting[_]] = Seq(
    bridgeJars := {
      val out = (ThisBuild / baseDirectory).value / "bridge" / "jars"
      val own = (Compile / packageBin).value
      // The pyspark wheel already ships Scala and slf4j (2.x); a second copy would shadow them.
      val fromWheel = Seq("scala-library-", "scala-reflect-", "slf4j-")
      val deps = (Runtime / dependencyClasspath).value.files
        .filter(f => f.getName.endsWith(".jar") && !fromWheel.exists(f.getName.startsWith))
      IO.delete(out)
      IO.createDirectory(out)
      (own +: deps).foreach(f => IO.copyFile(f, out / f.getName))
      val manifest =
        s"""{"bridge_jar": "${own.getName}", "spark": "${Versions.spark}", "scala": "${Versions.scala}", "mlflow_java": "${Versions.mlflowJava}"}\n"""
      IO.write(out / "manifest.json", manifest)
      streams.value.log.info(s"exported ${deps.size + 1} jars to $out")
      out
    }
  )
}
