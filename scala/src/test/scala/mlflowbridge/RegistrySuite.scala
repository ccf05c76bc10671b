package mlflowbridge

import scala.jdk.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite

class RegistrySuite extends AnyFunSuite {
  private val client = TestServer.client()
  private lazy val expId = MlflowUtils.getOrCreateExperimentId(client, TestServer.uniqueName("registry"))
  private lazy val runId = {
    val r = client.createRun(expId).getRunId
    val d = TestSpark.tempDir("reg")
    java.nio.file.Files.write(d.resolve("MLmodel"), "flavors: {}\n".getBytes)
    new ArtifactStore(client).logArtifacts(r, d, "model")
    r
  }
  private lazy val name = TestServer.uniqueName("reg")

  test("createRegisteredModel: idempotent when asked, an error naming the model otherwise") {
    Registry.createRegisteredModel(client, name, ifNotExists = true)
    Registry.createRegisteredModel(client, name, ifNotExists = true)
    val e = intercept[BridgeException](Registry.createRegisteredModel(client, name))
    assert(e.kind == "BAD_INPUT" && e.getMessage.startsWith(s"registered model '$name' already exists"))
  }

  test("createModelVersion returns a READY version") {
    val mv = Registry.createModelVersion(client, name, s"runs:/$runId/model", runId)
    assert(mv.name == name && mv.version == "1" && mv.status == "READY" && mv.runId == runId && mv.source == s"runs:/$runId/model")
    assert(Registry.getModelVersion(client, name, "1") == mv)
    assert(Registry.downloadUri(client, name, "1") == s"runs:/$runId/model")
  }

  test("a runs:/ source without a run id takes the run from the URI") {
    val mv = Registry.createModelVersion(client, name, s"runs:/$runId/model", null)
    assert(mv.version == "2" && mv.runId == runId)
  }

  test("setAlias, getModelVersionByAlias, deleteAlias") {
    Registry.setAlias(client, name, "champion", "1")
    val mv = Registry.getModelVersionByAlias(client, name, "champion")
    assert(mv.version == "1" && mv.aliases.asScala == Seq("champion"))
    Registry.deleteAlias(client, name, "champion")
    val e = intercept[BridgeException](Registry.getModelVersionByAlias(client, name, "champion"))
    assert(e.kind == "NOT_FOUND" && e.getMessage == s"registered model '$name' has no alias 'champion'")
  }

  test("searchRegisteredModels finds the model with its aliases and latest version") {
    Registry.setAlias(client, name, "staging", "1")
    val found = Registry.searchRegisteredModels(client, s"name = '$name'").asScala
    assert(found.map(_.name) == Seq(name))
    assert(found.head.aliases.asScala == Map("staging" -> "1"))
    assert(found.head.latestVersions.asScala == Seq("2"))
    assert(Registry.searchRegisteredModels(client, null).asScala.exists(_.name == name))
  }

  test("missing model, version and alias are NOT_FOUND naming them") {
    val ghost = TestServer.uniqueName("ghost")
    assert(intercept[BridgeException](Registry.getModelVersion(client, ghost, "1")).getMessage == s"registered model '$ghost' does not exist")
    assert(intercept[BridgeException](Registry.getModelVersion(client, name, "42")).getMessage == s"registered model '$name' has no version 42")
    assert(
      intercept[BridgeException](Registry.setAlias(client, name, "x", "42")).getMessage == s"registered model '$name' has no version 42 to alias 'x'"
    )
    assert(intercept[BridgeException](Registry.deleteAlias(client, ghost, "x")).getMessage == s"registered model '$ghost' does not exist")
    assert(intercept[BridgeException](Registry.latestVersion(client, ghost, null)).kind == "NOT_FOUND")
  }

  test("deleteRegisteredModel removes it; deleting again is NOT_FOUND") {
    Registry.deleteRegisteredModel(client, name)
    assert(Registry.searchRegisteredModels(client, s"name = '$name'").isEmpty)
    val e = intercept[BridgeException](Registry.deleteRegisteredModel(client, name))
    assert(e.kind == "NOT_FOUND" && e.getMessage == s"registered model '$name' does not exist")
  }
}
