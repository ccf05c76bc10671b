package mlflowbridge

import java.util.concurrent.{Callable, Executors, TimeUnit}

import scala.jdk.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite

class MlflowUtilsSuite extends AnyFunSuite {
  private val client = TestServer.client()

  test("getOrCreateExperimentId creates once and then returns the same id") {
    val name = TestServer.uniqueName("utils")
    val id = MlflowUtils.getOrCreateExperimentId(client, name)
    assert(client.getExperiment(id).getName == name)
    assert(MlflowUtils.getOrCreateExperimentId(client, name) == id)
  }

  test("racing creators all get the one experiment") {
    val name = TestServer.uniqueName("race")
    val pool = Executors.newFixedThreadPool(8)
    try {
      val calls = (1 to 8).map(_ => new Callable[String] { def call(): String = MlflowUtils.getOrCreateExperimentId(TestServer.client(), name) })
      val ids = pool.invokeAll(calls.asJava, 2, TimeUnit.MINUTES).asScala.map(_.get()).toSet
      assert(ids.size == 1)
      val found = client.searchExperiments(s"name = '$name'").getItems.asScala
      assert(found.map(_.getExperimentId).toSet == ids)
    } finally pool.shutdownNow()
  }

  test("an existing name costs one round trip, not the stock client's three retries of a 400") {
    val name = TestServer.uniqueName("retries")
    MlflowUtils.getOrCreateExperimentId(client, name)
    val t0 = System.nanoTime()
    val stock = intercept[org.mlflow.tracking.MlflowHttpException](client.createExperiment(name))
    val stockMs = (System.nanoTime() - t0) / 1e6
    val t1 = System.nanoTime()
    MlflowUtils.getOrCreateExperimentId(client, name)
    val oursMs = (System.nanoTime() - t1) / 1e6
    assert(stock.getStatusCode == 400)
    assert(stock.getBodyMessage.contains("RESOURCE_ALREADY_EXISTS"))
    info(f"stock createExperiment(existing) failed after $stockMs%.1f ms; getOrCreateExperimentId answered in $oursMs%.1f ms")
  }

  test("a deleted experiment is an error that names it") {
    val name = TestServer.uniqueName("deleted")
    val id = MlflowUtils.getOrCreateExperimentId(client, name)
    client.deleteExperiment(id)
    val e = intercept[BridgeException](MlflowUtils.getOrCreateExperimentId(client, name))
    assert(e.kind == "BAD_INPUT")
    assert(e.getMessage.contains(s"experiment '$name' (id $id) is deleted"))
  }

  test("an empty name is refused") {
    val e = intercept[BridgeException](MlflowUtils.getOrCreateExperimentId(client, " "))
    assert(e.getMessage == "experiment name must not be empty")
  }

  test("clientFromEnv reads the credential variables the stock client ignores for http URIs") {
    val token =
      MlflowRest.of(MlflowUtils.clientFromEnv(Map("MLFLOW_TRACKING_URI" -> "https://example.invalid/", "MLFLOW_TRACKING_TOKEN" -> "tok"))).creds
    assert(token.getHost == "https://example.invalid" && token.getToken == "tok" && !token.shouldIgnoreTlsVerification)
    val basic = MlflowRest
      .of(
        MlflowUtils.clientFromEnv(
          Map(
            "MLFLOW_TRACKING_URI" -> "https://example.invalid",
            "MLFLOW_TRACKING_USERNAME" -> "ann",
            "MLFLOW_TRACKING_PASSWORD" -> "pw",
            "MLFLOW_TRACKING_INSECURE_TLS" -> "true"
          )
        )
      )
      .creds
    assert(basic.getUsername == "ann" && basic.getPassword == "pw" && basic.shouldIgnoreTlsVerification)
    // The stock constructor drops them (the gap this helper closes).
    val stock = MlflowRest.of(new org.mlflow.tracking.MlflowClient("https://example.invalid")).creds
    assert(stock.getToken == null && stock.getUsername == null)
  }

  test("clientFromEnv without MLFLOW_TRACKING_URI says what to set") {
    val e = intercept[BridgeException](MlflowUtils.clientFromEnv(Map.empty[String, String]))
    assert(e.getMessage.startsWith("MLFLOW_TRACKING_URI is not set"))
  }

  test("an unreachable server is an UNREACHABLE error naming it") {
    val dead = MlflowUtils.clientFor("http://127.0.0.1:9")
    val e = intercept[BridgeException](MlflowUtils.getOrCreateExperimentId(dead, "x"))
    assert(e.kind == "UNREACHABLE")
    assert(e.getMessage.contains("http://127.0.0.1:9"))
  }

  private def runTags(runId: String): Map[String, String] =
    client.getRun(runId).getData.getTagsList.asScala.map(t => t.getKey -> t.getValue).toMap

  private def gitHead(): Option[String] = scala.util
    .Try {
      val p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start()
      val out = new String(p.getInputStream.readAllBytes()).trim
      if (p.waitFor() == 0) Some(out) else None
    }
    .toOption
    .flatten

  test("createRun sets Python's system tags, the run name and git commit of this checkout") {
    val eid = MlflowUtils.getOrCreateExperimentId(client, TestServer.uniqueName("createrun"))
    val runId = MlflowUtils.createRun(client, eid, "named-run")
    val run = client.getRun(runId)
    val tags = runTags(runId)
    assert(run.getInfo.getRunName == "named-run")
    assert(tags("mlflow.runName") == "named-run")
    assert(tags("mlflow.source.type") == "LOCAL")
    assert(tags("mlflow.user") == sys.env.getOrElse("MLFLOW_TRACKING_USERNAME", sys.props("user.name")))
    assert(run.getInfo.getUserId == tags("mlflow.user"))
    assert(tags("mlflow.source.name") == sys.props("sun.java.command").trim.split("\\s+").head)
    val head = gitHead()
    assert(head.isDefined, "the tests run inside the repository's git checkout")
    assert(tags.get("mlflow.source.git.commit") == head)
    info(s"tags: ${tags.filter(_._1.startsWith("mlflow.")).toSeq.sorted.mkString(", ")}")
  }

  test("createRun: caller tags win, a source outside git has no git tags, no run name means none") {
    val eid = MlflowUtils.getOrCreateExperimentId(client, TestServer.uniqueName("createrun-tags"))
    val outside = java.nio.file.Files.createTempDirectory("no-git").resolve("train.py")
    java.nio.file.Files.write(outside, "print(1)\n".getBytes)
    val runId =
      MlflowUtils.createRun(client, eid, null, Map("mlflow.source.name" -> outside.toString, "team" -> "jvm", "mlflow.user" -> "someone").asJava)
    val tags = runTags(runId)
    assert(tags("mlflow.source.name") == outside.toString && tags("team") == "jvm" && tags("mlflow.user") == "someone")
    assert(!tags.keys.exists(_.startsWith("mlflow.source.git.")), tags)
    assert(client.getRun(runId).getInfo.getRunName.nonEmpty) // the server names it, as for Python
    assert(MlflowUtils.stripCredentials("https://u:pw@example.com/r.git") == "https://example.com/r.git")
    assert(MlflowUtils.stripCredentials("git@github.com:o/r.git") == "git@github.com:o/r.git")
  }

  test("updateRun renames and sets the status; missing run is NOT_FOUND, a bad status BAD_INPUT") {
    val eid = MlflowUtils.getOrCreateExperimentId(client, TestServer.uniqueName("updaterun"))
    val runId = MlflowUtils.createRun(client, eid, "before")
    MlflowUtils.updateRun(client, runId, null, "after")
    assert(client.getRun(runId).getInfo.getRunName == "after" && client.getRun(runId).getInfo.getStatus.toString == "RUNNING")
    assert(runTags(runId)("mlflow.runName") == "after")
    MlflowUtils.updateRun(client, runId, "KILLED", null)
    assert(client.getRun(runId).getInfo.getStatus.toString == "KILLED" && client.getRun(runId).getInfo.getRunName == "after")
    MlflowUtils.updateRun(client, runId, null, null)
    assert(intercept[BridgeException](MlflowUtils.updateRun(client, runId, "DONE", null)).kind == "BAD_INPUT")
    val e = intercept[BridgeException](MlflowUtils.updateRun(client, "0123456789abcdef0123456789abcdef", null, "x"))
    assert(e.kind == "NOT_FOUND" && e.getMessage == "run '0123456789abcdef0123456789abcdef' does not exist")
  }

  test("deleteExperimentTag removes the tag; a missing tag or experiment is NOT_FOUND") {
    val eid = MlflowUtils.getOrCreateExperimentId(client, TestServer.uniqueName("deltag"))
    client.setExperimentTag(eid, "team", "jvm")
    MlflowUtils.deleteExperimentTag(client, eid, "team")
    assert(!client.getExperiment(eid).getTagsList.asScala.exists(_.getKey == "team"))
    assert(intercept[BridgeException](MlflowUtils.deleteExperimentTag(client, eid, "team")).kind == "NOT_FOUND")
    assert(intercept[BridgeException](MlflowUtils.deleteExperimentTag(client, "987654321", "team")).kind == "NOT_FOUND")
  }
}
