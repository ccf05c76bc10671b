package mlflowbridge

import mlflowbridge.rest._
import mlflowbridge.model._

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}

import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.node.ObjectNode
import org.scalatest.funsuite.AnyFunSuite

/** Pipelines whose top-level metadata Python wrote (pure-Python stage, or saved over Spark Connect). */
class PipelineRebuildSuite extends AnyFunSuite {
  private lazy val spark = TestSpark.spark

  /** Saves the linear pipeline and rewrites its top-level metadata the way PySpark's PipelineModelWriter does. */
  private def pythonWritten(extraStage: Option[(String, String)] = None): Path = {
    val dir = TestSpark.tempDir("pywritten").resolve("sparkml")
    TestSpark.linearModel.write.save(dir.toString)
    // Spark 4 writes metadata with the DataFrame text writer: part-00000-<uuid>-c000.txt.
    val meta = Files.list(dir.resolve("metadata")).iterator().asScala.find(_.getFileName.toString.startsWith("part-")).get
    val json = Json.mapper.readTree(new String(Files.readAllBytes(meta), UTF_8)).asInstanceOf[ObjectNode]
    json.put("class", "pyspark.ml.pipeline.PipelineModel")
    val params = json.`with`("paramMap").asInstanceOf[ObjectNode]
    params.put("language", "Python")
    extraStage.foreach { case (uid, cls) =>
      params.withArray("stageUids").add(uid)
      val stageMeta = dir.resolve(s"stages/2_$uid/metadata")
      Files.createDirectories(stageMeta)
      Files.write(
        stageMeta.resolve("part-00000"),
        s"""{"class": "$cls", "timestamp": 1, "sparkVersion": "4.2.0", "uid": "$uid", "paramMap": {}, "defaultParamMap": {}}""".getBytes(UTF_8)
      )
    }
    Files.write(meta, json.toString.getBytes(UTF_8))
    Files.deleteIfExists(meta.resolveSibling(s".${meta.getFileName}.crc"))
    dir
  }

  test("Spark's own loader refuses Python-written metadata (why the rebuild exists)") {
    val dir = pythonWritten()
    val e = intercept[IllegalArgumentException](org.apache.spark.ml.PipelineModel.load(dir.toString))
    assert(e.getMessage.contains("Expected class name org.apache.spark.ml.PipelineModel but found class name pyspark.ml.pipeline.PipelineModel"))
  }

  test("a Python-written pipeline of JVM stages is rebuilt in stageUids order and predicts the same") {
    val dir = pythonWritten()
    val m = PipelineRebuild.load(dir, spark, "test model")
    assert(m.uid == TestSpark.linearModel.uid)
    assert(m.stages.map(_.uid).toSeq == TestSpark.linearModel.stages.map(_.uid).toSeq)
    assert(TestSpark.predictions(m) == TestSpark.predictions(TestSpark.linearModel))
    // Also through Models.load (legacy dir: no MLmodel), with no tracking server.
    assert(TestSpark.predictions(Mlflow.local().models.load(dir.getParent.toString, spark)) == TestSpark.predictions(TestSpark.linearModel))
  }

  test("a pure-Python stage is BAD_INPUT naming the stage uid and its class") {
    val dir = pythonWritten(Some("AddOne_4f1c2d3e" -> "__main__.AddOne"))
    val e = intercept[BridgeException](PipelineRebuild.load(dir, spark, "models:/x/1"))
    assert(e.kind == BridgeException.Kind.BAD_INPUT)
    assert(
      e.getMessage == "models:/x/1: stage AddOne_4f1c2d3e has class __main__.AddOne, which is not a JVM class (a pure-Python stage, " +
        "or a JVM stage whose jar is missing); the JVM cannot load it. Rewrite the stage as a JVM Transformer or score this model in Python; " +
        "for a JVM stage, add the jar that provides it (spark.jars or --jars)."
    )
  }

  test("a JVM-written pipeline whose third-party stage's jar is missing names the stage, its class and the fix") {
    val dir = TestSpark.tempDir("thirdparty").resolve("sparkml")
    TestSpark.linearModel.write.save(dir.toString)
    val stageMeta = Files.list(dir.resolve("stages")).iterator().asScala.toSeq.minBy(_.getFileName.toString).resolve("metadata")
    val part = Files.list(stageMeta).iterator().asScala.find(_.getFileName.toString.startsWith("part-")).get
    val json = Json.mapper.readTree(new String(Files.readAllBytes(part), UTF_8)).asInstanceOf[ObjectNode]
    json.put("class", "com.example.ml.TeamTokenizer")
    Files.write(part, json.toString.getBytes(UTF_8))
    Files.deleteIfExists(part.resolveSibling(s".${part.getFileName}.crc"))
    val uid = TestSpark.linearModel.stages(0).uid
    val e = intercept[BridgeException](PipelineRebuild.load(dir, spark, "runs:/r/model"))
    assert(e.kind == BridgeException.Kind.BAD_INPUT)
    assert(
      e.getMessage == s"runs:/r/model: stage $uid has class com.example.ml.TeamTokenizer, which is not on this JVM's classpath; " +
        "add the jar that provides it (spark.jars, --jars, or the JVM's classpath) and load the model again."
    )
  }

  test("a stage folder missing from stages/ is named") {
    val dir = pythonWritten()
    val stagesDir = dir.resolve("stages")
    val first = Files.list(stagesDir).iterator().asScala.toSeq.minBy(_.getFileName.toString)
    mlflowbridge.store.Transfers.deleteTree(first)
    val e = intercept[BridgeException](PipelineRebuild.load(dir, spark, "m"))
    assert(e.getMessage.startsWith(s"m: pipeline stage 0 (${TestSpark.linearModel.stages(0).uid}) has no folder under"))
  }
}
