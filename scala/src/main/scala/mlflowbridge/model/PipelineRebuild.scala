package mlflowbridge
package model

import mlflowbridge.rest._

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}

import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.JsonNode
import org.apache.spark.ml.{PipelineModel, Transformer}
import org.apache.spark.ml.mlflowbridge.BridgeMlAccess
import org.apache.spark.sql.SparkSession

/**
 * Loads a saved Spark ML model directory whichever language wrote it. `PipelineModel.load`
 * refuses top-level metadata written by Python (a pipeline with a pure-Python stage, or any
 * save over Spark Connect: `"class": "pyspark.ml.pipeline.PipelineModel"`); its stages are
 * still JVM-saved, so they are loaded one by one, in `stageUids` order, and reassembled.
 */
private[mlflowbridge] object PipelineRebuild {
  val JvmPipeline = "org.apache.spark.ml.PipelineModel"
  val PythonPipeline = "pyspark.ml.pipeline.PipelineModel"

  def load(dir: Path, spark: SparkSession, where: String): PipelineModel = {
    val meta = metadata(dir, where)
    // Metadata is read here on the driver; Spark reads the stages' data from where workers can (see Staging).
    val readFrom: Path => String = Staging.stage(spark, dir) match {
      case None => _.toString
      case Some(staged) =>
        val root = new org.apache.hadoop.fs.Path(staged)
        folder => {
          val rel = dir.relativize(folder).toString
          (if (rel.isEmpty) root else new org.apache.hadoop.fs.Path(root, rel)).toString
        }
    }
    className(meta) match {
      // Stage by stage even for a JVM-written pipeline, so a stage that cannot load is named.
      case JvmPipeline | PythonPipeline => rebuild(dir, meta, spark, where, readFrom)
      case _                            =>
        // A bare model (e.g. a LogisticRegressionModel saved on its own): a one-stage pipeline.
        val stage = loadStage(dir, meta, spark, where, "model", pythonWritten = false, readFrom)
        BridgeMlAccess.pipelineModel(s"PipelineModel_${stage.uid}", Array(stage))
    }
  }

  /** The top-level `class` of a saved model directory (None when it has no readable metadata). */
  def savedClass(dir: Path): Option[String] =
    scala.util.Try(className(metadata(dir, dir.toString))).toOption

  private def rebuild(dir: Path, meta: JsonNode, spark: SparkSession, where: String, readFrom: Path => String): PipelineModel = {
    val uids = meta.path("paramMap").path("stageUids").elements().asScala.map(_.asText()).toIndexedSeq
    val stagesDir = dir.resolve("stages")
    val folders = if (Files.isDirectory(stagesDir)) {
      val s = Files.list(stagesDir)
      try s.iterator().asScala.filter(Files.isDirectory(_)).toList
      finally s.close()
    } else Nil
    val stages = uids.zipWithIndex.map { case (uid, i) =>
      // Folder `<idx zero-padded>_<uid>` (Pipeline.getStagePath); match on both parts.
      val folder = folders
        .find { f =>
          val n = f.getFileName.toString
          n.endsWith(s"_$uid") && scala.util.Try(n.stripSuffix(s"_$uid").toInt).toOption.contains(i)
        }
        .getOrElse(throw BridgeException.badInput(s"$where: pipeline stage $i ($uid) has no folder under ${stagesDir}"))
      val stageMeta = metadata(folder, s"$where stage $uid")
      if (Set(JvmPipeline, PythonPipeline)(className(stageMeta))) rebuild(folder, stageMeta, spark, where, readFrom)
      else loadStage(folder, stageMeta, spark, where, uid, className(meta) == PythonPipeline, readFrom)
    }
    BridgeMlAccess.pipelineModel(meta.path("uid").asText(), stages.toArray[Transformer])
  }

  private def loadStage(
      folder: Path,
      meta: JsonNode,
      spark: SparkSession,
      where: String,
      uid: String,
      pythonWritten: Boolean,
      readFrom: Path => String
  ): Transformer = {
    val cls = className(meta)
    val loader = Option(Thread.currentThread.getContextClassLoader).getOrElse(getClass.getClassLoader)
    val jvmClass: Option[Class[_]] = scala.util.Try(Class.forName(cls, false, loader)).toOption
    // A Python-written pipeline may hold pure-Python stages; a JVM-written one only JVM stages.
    if (jvmClass.isEmpty && pythonWritten)
      throw BridgeException.badInput(
        s"$where: stage $uid has class $cls, which is not a JVM class (a pure-Python stage, or a JVM stage whose jar is missing); " +
          "the JVM cannot load it. Rewrite the stage as a JVM Transformer or score this model in Python; " +
          "for a JVM stage, add the jar that provides it (spark.jars or --jars)."
      )
    if (jvmClass.isEmpty)
      throw BridgeException.badInput(
        s"$where: stage $uid has class $cls, which is not on this JVM's classpath; " +
          "add the jar that provides it (spark.jars, --jars, or the JVM's classpath) and load the model again."
      )
    if (!classOf[Transformer].isAssignableFrom(jvmClass.get))
      throw BridgeException.badInput(s"$where: stage $uid has class $cls, which is not a fitted model or transformer")
    try BridgeMlAccess.loadStage(readFrom(folder), spark)
    catch {
      case e: BridgeException => throw e
      case scala.util.control.NonFatal(e) =>
        val first = Option(e.getMessage).getOrElse(e.getClass.getName).linesIterator.nextOption().getOrElse("").take(300)
        throw BridgeException.badInput(s"model $where is corrupt: stage $uid ($cls) cannot be read from $folder: $first")
    }
  }

  private def className(meta: JsonNode): String = meta.path("class").asText("")

  /** The one JSON line in `<dir>/metadata/part-*`. */
  private def metadata(dir: Path, where: String): JsonNode = {
    val mdir = dir.resolve("metadata")
    val part = if (Files.isDirectory(mdir)) {
      val s = Files.list(mdir)
      try s.iterator().asScala.find(p => p.getFileName.toString.startsWith("part-") && Files.size(p) > 0)
      finally s.close()
    } else None
    val file = part.getOrElse(throw BridgeException.badInput(s"$where is not a saved Spark ML model: $mdir has no metadata part file"))
    val line = new String(Files.readAllBytes(file), UTF_8).linesIterator.find(_.trim.nonEmpty).getOrElse("")
    try Json.mapper.readTree(line)
    catch { case e: Exception => throw BridgeException.badInput(s"$where: unreadable Spark ML metadata in $file: ${e.getMessage}") }
  }
}
