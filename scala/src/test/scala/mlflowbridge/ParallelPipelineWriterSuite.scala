package mlflowbridge

import java.nio.file.{Files, Path}

import scala.jdk.CollectionConverters._

import org.apache.spark.ml.PipelineModel
import org.apache.spark.ml.mlflowbridge.ParallelPipelineWriter
import org.scalatest.funsuite.AnyFunSuite

/** The concurrent stage writer produces what Spark's sequential `PipelineModel.write.save` does. */
class ParallelPipelineWriterSuite extends AnyFunSuite {
  private val spark = TestSpark.spark

  /** Relative path -> content, with what differs between any two saves normalised away:
   *  part-file UUIDs in names, metadata timestamps, and checksums of those. */
  private def layout(root: Path): Map[String, String] =
    Files
      .walk(root)
      .iterator()
      .asScala
      .filter(Files.isRegularFile(_))
      .map { p =>
        val rel = root.relativize(p).toString.replaceAll("part-(\\d+)-[0-9a-f-]+", "part-$1")
        val body =
          if (rel.contains("metadata/part-")) TestSpark.read(p).replaceAll("\"timestamp\":\\d+", "\"timestamp\":0")
          else if (rel.endsWith(".crc") && rel.contains("metadata")) "crc"
          else java.util.Base64.getEncoder.encodeToString(Files.readAllBytes(p))
        rel -> body
      }
      .toMap

  test("same files and contents as PipelineModel.write.save") {
    val model = TestSpark.linearModel
    val seq = TestSpark.tempDir("seq").resolve("m")
    val par = TestSpark.tempDir("par").resolve("m")
    model.write.save(seq.toString)
    ParallelPipelineWriter.save(model, par.toString, spark)
    val (a, b) = (layout(seq), layout(par))
    assert(a.keySet == b.keySet)
    a.keys.filterNot(_.endsWith(".parquet")).foreach(k => assert(a(k) == b(k), k))
    val loaded = PipelineModel.load(par.toString)
    assert(TestSpark.predictions(loaded) == TestSpark.predictions(model))
  }
}
