package mlflowbridge

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}

import scala.jdk.CollectionConverters._

import org.mlflow.api.proto.Service.RunStatus
import org.scalatest.funsuite.AnyFunSuite

/** The stock Java client's tracking and artifact calls, from Scala, against a real server. */
class JavaClientRoundTripSuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow
  private val client = mlflow.client

  private def tree(root: Path): Map[String, String] =
    Files
      .walk(root)
      .iterator()
      .asScala
      .filter(Files.isRegularFile(_))
      .map(p => root.relativize(p).toString -> TestServer.sha256(p))
      .toMap

  test("run, params, metrics, tags and artifacts come back as logged") {
    val expId = mlflow.experiments.getOrCreate(TestServer.uniqueName("scala-roundtrip"))
    val runId = client.createRun(expId).getRunId
    client.logParam(runId, "alpha", "0.5")
    client.logMetric(runId, "rmse", 0.25)
    client.setTag(runId, "team", "jvm")

    val src = Files.createTempDirectory("bridge-src")
    Files.write(src.resolve("model.bin"), Array.tabulate[Byte](4096)(i => (i * 31).toByte))
    Files.createDirectories(src.resolve("nested/déjà vu"))
    Files.write(src.resolve("nested/déjà vu/ünïcode.txt"), "grüße".getBytes(UTF_8))
    Files.write(src.resolve("nested/empty.txt"), Array.emptyByteArray)

    client.logArtifact(runId, src.resolve("model.bin").toFile, "single")
    client.logArtifacts(runId, src.resolve("nested").toFile, "tree")

    val listed = client.listArtifacts(runId).asScala.map(_.getPath).toSet
    assert(listed == Set("single", "tree"))
    val one = client.downloadArtifacts(runId, "single/model.bin").toPath
    assert(TestServer.sha256(one) == TestServer.sha256(src.resolve("model.bin")))
    val dir = client.downloadArtifacts(runId, "tree").toPath
    assert(tree(dir) == tree(src.resolve("nested")))

    client.setTerminated(runId, RunStatus.FINISHED)
    val run = client.getRun(runId)
    assert(run.getInfo.getStatus == RunStatus.FINISHED)
    assert(run.getData.getParamsList.asScala.map(p => p.getKey -> p.getValue).toMap == Map("alpha" -> "0.5"))
    assert(run.getData.getMetricsList.asScala.map(m => m.getKey -> m.getValue).toMap == Map("rmse" -> 0.25))
    assert(run.getData.getTagsList.asScala.exists(t => t.getKey == "team" && t.getValue == "jvm"))
  }
}
