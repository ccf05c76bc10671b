package mlflowbridge
package model

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path, Paths, StandardCopyOption}

import org.apache.spark.ml.{PipelineModel, Transformer}

/**
 * Stages of a team's own (a class not loaded from Spark's jars) travel with the model: their
 * jars are copied into `jars/` and listed in the spark flavor's `jvm_stage_jars` (class -> jar),
 * and a generated pyspark wrapper for each class (a `JavaModel` or `JavaTransformer` with
 * `JavaMLReadable`/`JavaMLWritable`) is written at the class's dotted path under `code/`, which
 * the spark and python_function flavors put on `sys.path` when loading, so pyspark's loader finds
 * a Python class for each JVM stage. Loading then needs only the jar on the JVM's classpath.
 */
private[mlflowbridge] object CustomStages {
  val JarsDir = "jars"
  val CodeDir = "code"
  val FlavorKey = "jvm_stage_jars"

  /** The classes of `model`'s stages (nested pipelines included) that are not Spark's own, by name. */
  def of(model: PipelineModel): Seq[Class[_]] = stages(model).map(_.getClass).filterNot(isSparks).distinct.sortBy(_.getName)

  /** Writes jars/ and code/ into `dir`; returns class name -> jar path relative to `dir` (empty: nothing written). */
  def save(model: PipelineModel, dir: Path): Map[String, String] = {
    val custom = of(model)
    val jars = custom.map(c => c.getName -> jarOf(c)).toMap
    jars.values.toSeq.distinct.foreach { jar =>
      Files.createDirectories(dir.resolve(JarsDir))
      Files.copy(jar, dir.resolve(JarsDir).resolve(jar.getFileName.toString), StandardCopyOption.REPLACE_EXISTING)
    }
    custom.groupBy(c => c.getName.substring(0, c.getName.lastIndexOf('.').max(0))).foreach { case (pkg, classes) =>
      writeShim(dir.resolve(CodeDir), pkg, classes.sortBy(_.getName))
    }
    jars.map { case (cls, jar) => cls -> s"$JarsDir/${jar.getFileName}" }
  }

  /**
   * Puts the jars a model's MLmodel lists for its own stages on `spark`'s classpath (`ADD JAR`:
   * this thread's class loader, and the executors, which fetch them from the driver), so loading
   * needs no --jars. A listed jar missing from the model folder is an error naming it.
   */
  def addJars(spark: org.apache.spark.sql.SparkSession, dir: Path, mm: MlModel, where: String): Unit =
    mm.stageJars.toSeq.sortBy(_._1).foreach { case (cls, rel) =>
      val jar = dir.resolve(rel).normalize()
      if (!jar.startsWith(dir.normalize()) || !Files.isRegularFile(jar))
        throw BridgeException.badInput(
          s"model $where needs the jar '$rel' for its stage class $cls, but the model has no such file (MLmodel: $FlavorKey)"
        )
      spark.sql(s"ADD JAR '${jar.toString.replace("\\", "\\\\").replace("'", "\\'")}'")
    }

  private def stages(t: Transformer): Seq[Transformer] = t match {
    case p: PipelineModel => p.stages.toSeq.flatMap(stages)
    case other            => Seq(other)
  }

  /** Spark's own: in org.apache.spark and loaded from one of Spark's jars (spark-*.jar, or the JDK's loader). */
  private def isSparks(c: Class[_]): Boolean =
    c.getName.startsWith("org.apache.spark.") && location(c).forall(_.getFileName.toString.startsWith("spark-"))

  private def location(c: Class[_]): Option[Path] =
    Option(c.getProtectionDomain.getCodeSource).flatMap(s => Option(s.getLocation)).map(u => Paths.get(u.toURI))

  private def jarOf(c: Class[_]): Path = {
    if (c.getName.contains("$") || !c.getName.contains("."))
      throw BridgeException.badInput(s"stage class ${c.getName} must be a top-level class in a package for Python to find a wrapper for it")
    location(c) match {
      case Some(p) if Files.isRegularFile(p) && p.toString.endsWith(".jar") => p
      case found =>
        throw BridgeException.badInput(
          s"stage class ${c.getName} is not loaded from a jar (from ${found.getOrElse("an unknown place")}); " +
            "package it as a jar and put that jar on the classpath, so it can be stored with the model"
        )
    }
  }

  /** code/<package path>/__init__.py holding one wrapper per class, and empty __init__.py above it. */
  private def writeShim(code: Path, pkg: String, classes: Seq[Class[_]]): Unit = {
    val parts = pkg.split('.').toSeq
    parts.indices.foreach { i =>
      val d = code.resolve(parts.take(i + 1).mkString("/"))
      Files.createDirectories(d)
      val init = d.resolve("__init__.py")
      if (!Files.exists(init)) Files.write(init, Array.emptyByteArray)
    }
    val wrappers = classes.map { c =>
      val name = c.getSimpleName
      if (classOf[org.apache.spark.ml.Model[_]].isAssignableFrom(c))
        s"""
           |class $name(JavaModel, JavaMLReadable, JavaMLWritable):
           |    \"\"\"The JVM stage ${c.getName} (a Model); its params come from the JVM object.\"\"\"
           |""".stripMargin
      else
        s"""
           |class $name(JavaTransformer, JavaMLReadable, JavaMLWritable):
           |    \"\"\"The JVM stage ${c.getName} (a Transformer); its params come from the JVM object.\"\"\"
           |
           |    def _transfer_params_from_java(self):
           |        self._create_params_from_java()
           |        super()._transfer_params_from_java()
           |""".stripMargin
    }
    val text =
      s"""\"\"\"Generated by mlflow-bridge: pyspark wrappers for this model's own JVM stages, at their JVM
         |classes' dotted paths, so pyspark's loader finds a Python class for each. The JVM needs the
         |stage's jar (MLmodel's spark flavor, $FlavorKey) on its classpath: spark.jars / --jars.\"\"\"
         |
         |from pyspark.ml.util import JavaMLReadable, JavaMLWritable
         |from pyspark.ml.wrapper import JavaModel, JavaTransformer
         |""".stripMargin + wrappers.mkString
    Files.write(code.resolve(parts.mkString("/")).resolve("__init__.py"), text.getBytes(UTF_8))
  }
}
