package mlflowbridge

import scala.jdk.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite

/** The registry writes the stock Java client lacks: deletes, stages, updates, renames and tags. */
class RegistryWritesSuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow
  private val client = mlflow.client
  private lazy val runId = {
    val eid = mlflow.experiments.getOrCreate(TestServer.uniqueName("registry-writes"))
    client.createRun(eid).getRunId
  }
  private lazy val name = {
    val n = TestServer.uniqueName("writes")
    mlflow.registry.createRegisteredModel(n)
    (1 to 3).foreach(_ => mlflow.registry.createModelVersion(n, s"runs:/$runId/model", runId))
    n
  }
  private def ghost = TestServer.uniqueName("ghost")

  test("updateModelVersion and updateRegisteredModel set descriptions") {
    mlflow.registry.updateModelVersion(name, "1", "first version")
    assert(client.getModelVersion(name, "1").getDescription == "first version")
    mlflow.registry.updateRegisteredModel(name, "the model")
    assert(client.getRegisteredModel(name).getDescription == "the model")
  }

  test("transitionModelVersionStage moves versions, archiving the others when asked") {
    assert(mlflow.registry.transitionModelVersionStage(name, "1", "production", false).getCurrentStage == "Production")
    assert(mlflow.registry.transitionModelVersionStage(name, "2", "Production", true).getCurrentStage == "Production")
    assert(client.getModelVersion(name, "1").getCurrentStage == "Archived")
    assert(client.getModelVersion(name, "2").getCurrentStage == "Production")
    assert(mlflow.registry.getModelVersionStages(name, "1").asScala == Seq("None", "Staging", "Production", "Archived"))
    val e = intercept[BridgeException](mlflow.registry.transitionModelVersionStage(name, "1", "Live", false))
    assert(e.kind == BridgeException.Kind.BAD_INPUT && e.getMessage.startsWith("model version stage 'Live' is not one of"))
  }

  test("setModelVersionTag / deleteModelVersionTag") {
    mlflow.registry.setModelVersionTag(name, "1", "validated", "yes")
    assert(client.getModelVersion(name, "1").getTagsList.asScala.map(t => t.getKey -> t.getValue).toMap == Map("validated" -> "yes"))
    mlflow.registry.deleteModelVersionTag(name, "1", "validated")
    assert(client.getModelVersion(name, "1").getTagsList.isEmpty)
  }

  test("setRegisteredModelTag / deleteRegisteredModelTag") {
    mlflow.registry.setRegisteredModelTag(name, "owner", "team-a")
    assert(client.getRegisteredModel(name).getTagsList.asScala.map(t => t.getKey -> t.getValue).toMap == Map("owner" -> "team-a"))
    mlflow.registry.deleteRegisteredModelTag(name, "owner")
    assert(client.getRegisteredModel(name).getTagsList.isEmpty)
  }

  test("deleteModelVersion deletes one version; again is NOT_FOUND") {
    mlflow.registry.deleteModelVersion(name, "3")
    assert(client.searchModelVersions(s"name = '$name'").getItems.asScala.map(_.getVersion).sorted == Seq("1", "2"))
    val e = intercept[BridgeException](mlflow.registry.deleteModelVersion(name, "3"))
    assert(e.kind == BridgeException.Kind.NOT_FOUND && e.getMessage == s"registered model '$name' has no version 3")
  }

  test("missing models and versions are NOT_FOUND naming them") {
    val g = ghost
    val missingModel = Seq[() => Unit](
      () => mlflow.registry.deleteModelVersion(g, "1"),
      () => mlflow.registry.transitionModelVersionStage(g, "1", "Staging", false),
      () => mlflow.registry.updateModelVersion(g, "1", "d"),
      () => mlflow.registry.setModelVersionTag(g, "1", "k", "v"),
      () => mlflow.registry.deleteModelVersionTag(g, "1", "k"),
      () => mlflow.registry.renameRegisteredModel(g, g + "-new"),
      () => mlflow.registry.updateRegisteredModel(g, "d"),
      () => mlflow.registry.setRegisteredModelTag(g, "k", "v"),
      () => mlflow.registry.deleteRegisteredModelTag(g, "k")
    )
    missingModel.foreach { f =>
      val e = intercept[BridgeException](f())
      assert(e.kind == BridgeException.Kind.NOT_FOUND && e.getMessage == s"registered model '$g' does not exist")
    }
    val missingVersion = Seq[() => Unit](
      () => mlflow.registry.transitionModelVersionStage(name, "42", "Staging", false),
      () => mlflow.registry.updateModelVersion(name, "42", "d"),
      () => mlflow.registry.setModelVersionTag(name, "42", "k", "v"),
      () => mlflow.registry.deleteModelVersionTag(name, "42", "k")
    )
    missingVersion.foreach { f =>
      val e = intercept[BridgeException](f())
      assert(e.kind == BridgeException.Kind.NOT_FOUND && e.getMessage == s"registered model '$name' has no version 42")
    }
  }

  test("renameRegisteredModel renames; onto an existing name is BAD_INPUT") {
    val other = TestServer.uniqueName("writes-other")
    mlflow.registry.createRegisteredModel(other)
    val e = intercept[BridgeException](mlflow.registry.renameRegisteredModel(other, name))
    assert(e.kind == BridgeException.Kind.BAD_INPUT && e.getMessage.startsWith(s"cannot rename registered model '$other': '$name' already exists"))
    val renamed = name + "-renamed"
    mlflow.registry.renameRegisteredModel(name, renamed)
    assert(client.getRegisteredModel(renamed).getName == renamed)
    assert(client.getModelVersion(renamed, "1").getDescription == "first version")
    assert(mlflow.registry.searchRegisteredModels(s"name = '$name'").isEmpty)
    mlflow.registry.deleteRegisteredModel(renamed)
    mlflow.registry.deleteRegisteredModel(other)
  }

  test("copyModelVersion copies a version by number or alias, with its run, description and tags, as Python does") {
    val src = TestServer.uniqueName("copy-src")
    mlflow.registry.createRegisteredModel(src)
    val v = mlflow.registry.createModelVersion(src, s"runs:/$runId/model", runId).getVersion
    mlflow.registry.updateModelVersion(src, v, "the source")
    mlflow.registry.setModelVersionTag(src, v, "stage", "candidate")
    mlflow.registry.setAlias(src, "champion", v)
    val dst = TestServer.uniqueName("copy-dst")
    val first = mlflow.registry.copyModelVersion(s"models:/$src/$v", dst)
    val second = mlflow.registry.copyModelVersion(s"models:/$src@champion", dst)
    assert((first.getName, first.getVersion, second.getVersion) == ((dst, "1", "2")))
    for (copy <- Seq(first, second)) {
      val read = client.getModelVersion(dst, copy.getVersion)
      assert(read.getSource == s"models:/$src/$v" && read.getRunId == runId && read.getDescription == "the source")
      assert(read.getTagsList.asScala.map(t => t.getKey -> t.getValue).toMap == Map("stage" -> "candidate"))
      assert(read.getStatus.toString == "READY")
    }
    val e = intercept[BridgeException](mlflow.registry.copyModelVersion(s"runs:/$runId/model", dst))
    assert(e.kind == BridgeException.Kind.BAD_INPUT && e.getMessage.contains(s"'runs:/$runId/model' is none: use models:/<name>/<version>"))
    val missing = intercept[BridgeException](mlflow.registry.copyModelVersion(s"models:/$src/9", dst))
    assert(missing.kind == BridgeException.Kind.NOT_FOUND && missing.getMessage == s"registered model '$src' has no version 9")
  }
}
