package mlflowbridge

import scala.jdk.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite

class RegistrySuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow
  private val client = mlflow.client
  private lazy val expId = mlflow.experiments.getOrCreate(TestServer.uniqueName("registry"))
  private lazy val runId = {
    val r = client.createRun(expId).getRunId
    val d = TestSpark.tempDir("reg")
    java.nio.file.Files.write(d.resolve("MLmodel"), "flavors: {}\n".getBytes)
    mlflow.artifacts.logArtifacts(r, d, "model")
    r
  }
  private lazy val name = TestServer.uniqueName("reg")

  test("createRegisteredModel: idempotent when asked, an error naming the model otherwise") {
    mlflow.registry.createRegisteredModel(name, true)
    mlflow.registry.createRegisteredModel(name, true)
    val e = intercept[BridgeException](mlflow.registry.createRegisteredModel(name))
    assert(e.kind == BridgeException.Kind.BAD_INPUT && e.getMessage.startsWith(s"registered model '$name' already exists"))
  }

  test("createModelVersion returns a READY version") {
    val mv = mlflow.registry.createModelVersion(name, s"runs:/$runId/model", runId)
    assert(
      mv.getName == name && mv.getVersion == "1" && mv.getStatus.toString == "READY" && mv.getRunId == runId && mv.getSource == s"runs:/$runId/model"
    )
    assert(mlflow.registry.getModelVersion(name, "1") == mv)
    assert(mlflow.registry.downloadUri(name, "1") == s"runs:/$runId/model")
  }

  test("a runs:/ source without a run id takes the run from the URI") {
    val mv = mlflow.registry.createModelVersion(name, s"runs:/$runId/model", null)
    assert(mv.getVersion == "2" && mv.getRunId == runId)
  }

  test("setAlias, getModelVersionByAlias, deleteAlias") {
    mlflow.registry.setAlias(name, "champion", "1")
    val mv = mlflow.registry.getModelVersionByAlias(name, "champion")
    assert(mv.getVersion == "1" && mv.getAliasesList.asScala == Seq("champion"))
    mlflow.registry.deleteAlias(name, "champion")
    val e = intercept[BridgeException](mlflow.registry.getModelVersionByAlias(name, "champion"))
    assert(e.kind == BridgeException.Kind.NOT_FOUND && e.getMessage == s"registered model '$name' has no alias 'champion'")
  }

  test("searchRegisteredModels finds the model with its aliases and latest version") {
    mlflow.registry.setAlias(name, "staging", "1")
    val found = mlflow.registry.searchRegisteredModels(s"name = '$name'").asScala
    assert(found.map(_.getName) == Seq(name))
    assert(found.head.getAliasesList.asScala.map(a => a.getAlias -> a.getVersion) == Seq("staging" -> "1"))
    assert(found.head.getLatestVersionsList.asScala.map(_.getVersion) == Seq("2"))
    assert(mlflow.registry.searchRegisteredModels(null).asScala.exists(_.getName == name))
    assert(mlflow.registry.getRegisteredModel(name).getAliasesList.asScala.map(_.getAlias) == Seq("staging"))
  }

  test("missing model, version and alias are NOT_FOUND naming them") {
    val ghost = TestServer.uniqueName("ghost")
    assert(intercept[BridgeException](mlflow.registry.getModelVersion(ghost, "1")).getMessage == s"registered model '$ghost' does not exist")
    assert(intercept[BridgeException](mlflow.registry.getModelVersion(name, "42")).getMessage == s"registered model '$name' has no version 42")
    assert(
      intercept[BridgeException](mlflow.registry.setAlias(name, "x", "42")).getMessage == s"registered model '$name' has no version 42 to alias 'x'"
    )
    assert(intercept[BridgeException](mlflow.registry.deleteAlias(ghost, "x")).getMessage == s"registered model '$ghost' does not exist")
    assert(intercept[BridgeException](mlflow.registry.latestVersion(ghost, null)).kind == BridgeException.Kind.NOT_FOUND)
  }

  test("deleteRegisteredModel removes it; deleting again is NOT_FOUND") {
    mlflow.registry.deleteRegisteredModel(name)
    assert(mlflow.registry.searchRegisteredModels(s"name = '$name'").isEmpty)
    val e = intercept[BridgeException](mlflow.registry.deleteRegisteredModel(name))
    assert(e.kind == BridgeException.Kind.NOT_FOUND && e.getMessage == s"registered model '$name' does not exist")
  }
}
