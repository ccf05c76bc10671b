package mlflowbridge

import scala.jdk.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite

/** The registry writes the stock Java client lacks: deletes, stages, updates, renames and tags. */
class RegistryWritesSuite extends AnyFunSuite {
  private val client = TestServer.client()
  private lazy val runId = {
    val eid = MlflowUtils.getOrCreateExperimentId(client, TestServer.uniqueName("registry-writes"))
    client.createRun(eid).getRunId
  }
  private lazy val name = {
    val n = TestServer.uniqueName("writes")
    Registry.createRegisteredModel(client, n)
    (1 to 3).foreach(_ => Registry.createModelVersion(client, n, s"runs:/$runId/model", runId))
    n
  }
  private def ghost = TestServer.uniqueName("ghost")

  test("updateModelVersion and updateRegisteredModel set descriptions") {
    Registry.updateModelVersion(client, name, "1", "first version")
    assert(client.getModelVersion(name, "1").getDescription == "first version")
    Registry.updateRegisteredModel(client, name, "the model")
    assert(client.getRegisteredModel(name).getDescription == "the model")
  }

  test("transitionModelVersionStage moves versions, archiving the others when asked") {
    assert(Registry.transitionModelVersionStage(client, name, "1", "production", false) == "Production")
    assert(Registry.transitionModelVersionStage(client, name, "2", "Production", true) == "Production")
    assert(client.getModelVersion(name, "1").getCurrentStage == "Archived")
    assert(client.getModelVersion(name, "2").getCurrentStage == "Production")
    assert(Registry.getModelVersionStages(client, name, "1").asScala == Seq("None", "Staging", "Production", "Archived"))
    val e = intercept[BridgeException](Registry.transitionModelVersionStage(client, name, "1", "Live", false))
    assert(e.kind == "BAD_INPUT" && e.getMessage.startsWith("model version stage 'Live' is not one of"))
  }

  test("setModelVersionTag / deleteModelVersionTag") {
    Registry.setModelVersionTag(client, name, "1", "validated", "yes")
    assert(client.getModelVersion(name, "1").getTagsList.asScala.map(t => t.getKey -> t.getValue).toMap == Map("validated" -> "yes"))
    Registry.deleteModelVersionTag(client, name, "1", "validated")
    assert(client.getModelVersion(name, "1").getTagsList.isEmpty)
  }

  test("setRegisteredModelTag / deleteRegisteredModelTag") {
    Registry.setRegisteredModelTag(client, name, "owner", "team-a")
    assert(client.getRegisteredModel(name).getTagsList.asScala.map(t => t.getKey -> t.getValue).toMap == Map("owner" -> "team-a"))
    Registry.deleteRegisteredModelTag(client, name, "owner")
    assert(client.getRegisteredModel(name).getTagsList.isEmpty)
  }

  test("deleteModelVersion deletes one version; again is NOT_FOUND") {
    Registry.deleteModelVersion(client, name, "3")
    assert(client.searchModelVersions(s"name = '$name'").getItems.asScala.map(_.getVersion).sorted == Seq("1", "2"))
    val e = intercept[BridgeException](Registry.deleteModelVersion(client, name, "3"))
    assert(e.kind == "NOT_FOUND" && e.getMessage == s"registered model '$name' has no version 3")
  }

  test("missing models and versions are NOT_FOUND naming them") {
    val g = ghost
    val missingModel = Seq[() => Unit](
      () => Registry.deleteModelVersion(client, g, "1"),
      () => Registry.transitionModelVersionStage(client, g, "1", "Staging", false),
      () => Registry.updateModelVersion(client, g, "1", "d"),
      () => Registry.setModelVersionTag(client, g, "1", "k", "v"),
      () => Registry.deleteModelVersionTag(client, g, "1", "k"),
      () => Registry.renameRegisteredModel(client, g, g + "-new"),
      () => Registry.updateRegisteredModel(client, g, "d"),
      () => Registry.setRegisteredModelTag(client, g, "k", "v"),
      () => Registry.deleteRegisteredModelTag(client, g, "k")
    )
    missingModel.foreach { f =>
      val e = intercept[BridgeException](f())
      assert(e.kind == "NOT_FOUND" && e.getMessage == s"registered model '$g' does not exist")
    }
    val missingVersion = Seq[() => Unit](
      () => Registry.transitionModelVersionStage(client, name, "42", "Staging", false),
      () => Registry.updateModelVersion(client, name, "42", "d"),
      () => Registry.setModelVersionTag(client, name, "42", "k", "v"),
      () => Registry.deleteModelVersionTag(client, name, "42", "k")
    )
    missingVersion.foreach { f =>
      val e = intercept[BridgeException](f())
      assert(e.kind == "NOT_FOUND" && e.getMessage == s"registered model '$name' has no version 42")
    }
  }

  test("renameRegisteredModel renames; onto an existing name is BAD_INPUT") {
    val other = TestServer.uniqueName("writes-other")
    Registry.createRegisteredModel(client, other)
    val e = intercept[BridgeException](Registry.renameRegisteredModel(client, other, name))
    assert(e.kind == "BAD_INPUT" && e.getMessage.startsWith(s"cannot rename registered model '$other': '$name' already exists"))
    val renamed = name + "-renamed"
    Registry.renameRegisteredModel(client, name, renamed)
    assert(client.getRegisteredModel(renamed).getName == renamed)
    assert(client.getModelVersion(renamed, "1").getDescription == "first version")
    assert(Registry.searchRegisteredModels(client, s"name = '$name'").isEmpty)
    Registry.deleteRegisteredModel(client, renamed)
    Registry.deleteRegisteredModel(client, other)
  }
}
