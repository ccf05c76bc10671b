package mlflowbridge

import java.util.concurrent.{Callable, Executors, TimeUnit}

import scala.jdk.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite

class ExperimentsAndRunsSuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow
  private val client = mlflow.client

  test("experiments.getOrCreate creates once and then returns the same id") {
    val name = TestServer.uniqueName("utils")
    val id = mlflow.experiments.getOrCreate(name)
    assert(client.getExperiment(id).getName == name)
    assert(mlflow.experiments.getOrCreate(name) == id)
  }

  test("racing creators all get the one experiment") {
    val name = TestServer.uniqueName("race")
    val pool = Executors.newFixedThreadPool(8)
    try {
      val calls = (1 to 8).map(_ => new Callable[String] { def call(): String = mlflow.experiments.getOrCreate(name) })
      val ids = pool.invokeAll(calls.asJava, 2, TimeUnit.MINUTES).asScala.map(_.get()).toSet
      assert(ids.size == 1)
      val found = client.searchExperiments(s"name = '$name'").getItems.asScala
      assert(found.map(_.getExperimentId).toSet == ids)
    } finally pool.shutdownNow()
  }

  test("an existing name costs one round trip, not the stock client's three retries of a 400") {
    val name = TestServer.uniqueName("retries")
    mlflow.experiments.getOrCreate(name)
    val t0 = System.nanoTime()
    val stock = intercept[org.mlflow.tracking.MlflowHttpException](client.createExperiment(name))
    val stockMs = (System.nanoTime() - t0) / 1e6
    val t1 = System.nanoTime()
    mlflow.experiments.getOrCreate(name)
    val oursMs = (System.nanoTime() - t1) / 1e6
    assert(stock.getStatusCode == 400)
    assert(stock.getBodyMessage.contains("RESOURCE_ALREADY_EXISTS"))
    info(f"stock createExperiment(existing) failed after $stockMs%.1f ms; experiments.getOrCreate answered in $oursMs%.1f ms")
  }

  test("a deleted experiment is an error that names it") {
    val name = TestServer.uniqueName("deleted")
    val id = mlflow.experiments.getOrCreate(name)
    client.deleteExperiment(id)
    val e = intercept[BridgeException](mlflow.experiments.getOrCreate(name))
    assert(e.kind == BridgeException.Kind.BAD_INPUT)
    assert(e.getMessage.contains(s"experiment '$name' (id $id) is deleted"))
  }

  test("an empty name is refused") {
    val e = intercept[BridgeException](mlflow.experiments.getOrCreate(" "))
    assert(e.getMessage == "experiment name must not be empty")
  }

  test("Mlflow.fromEnv reads the credential variables the stock client ignores for http URIs") {
    val token = Mlflow.fromEnv(Map("MLFLOW_TRACKING_URI" -> "https://example.invalid/", "MLFLOW_TRACKING_TOKEN" -> "tok").asJava).rest.creds
    assert(token.getHost == "https://example.invalid" && token.getToken == "tok" && !token.shouldIgnoreTlsVerification)
    val env = Map(
      "MLFLOW_TRACKING_URI" -> "https://example.invalid",
      "MLFLOW_TRACKING_USERNAME" -> "ann",
      "MLFLOW_TRACKING_PASSWORD" -> "pw",
      "MLFLOW_TRACKING_INSECURE_TLS" -> "true"
    )
    val basic = Mlflow.fromEnv(env.asJava).rest.creds
    assert(basic.getUsername == "ann" && basic.getPassword == "pw" && basic.shouldIgnoreTlsVerification)
    // The stock constructor drops them (the gap this closes); Mlflow.of keeps what the client has.
    val stock = Mlflow.of(new org.mlflow.tracking.MlflowClient("https://example.invalid")).rest.creds
    assert(stock.getToken == null && stock.getUsername == null)
  }

  test("Mlflow.fromEnv without MLFLOW_TRACKING_URI says what to set; a local URI is refused by name") {
    val e = intercept[BridgeException](Mlflow.fromEnv(java.util.Map.of[String, String]()))
    assert(e.getMessage.startsWith("MLFLOW_TRACKING_URI is not set"))
    val local = intercept[BridgeException](Mlflow.forUri("file:///tmp/mlruns"))
    assert(
      local.kind == BridgeException.Kind.BAD_INPUT && local.getMessage.startsWith(
        "tracking URI 'file:///tmp/mlruns' is not an http(s) tracking server"
      )
    )
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

  test("runs.start sets Python's system tags, the run name and git commit of this checkout") {
    val eid = mlflow.experiments.getOrCreate(TestServer.uniqueName("createrun"))
    val runId = mlflow.runs.start(eid, "named-run").runId
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

  test("runs.start: caller tags win, a source outside git has no git tags, no run name means none") {
    val eid = mlflow.experiments.getOrCreate(TestServer.uniqueName("createrun-tags"))
    val outside = java.nio.file.Files.createTempDirectory("no-git").resolve("train.py")
    java.nio.file.Files.write(outside, "print(1)\n".getBytes)
    val runId =
      mlflow.runs.start(eid, null, Map("mlflow.source.name" -> outside.toString, "team" -> "jvm", "mlflow.user" -> "someone").asJava).runId
    val tags = runTags(runId)
    assert(tags("mlflow.source.name") == outside.toString && tags("team") == "jvm" && tags("mlflow.user") == "someone")
    assert(!tags.keys.exists(_.startsWith("mlflow.source.git.")), tags)
    assert(client.getRun(runId).getInfo.getRunName.nonEmpty) // the server names it, as for Python
    assert(RunTags.stripCredentials("https://u:pw@example.com/r.git") == "https://example.com/r.git")
    assert(RunTags.stripCredentials("git@github.com:o/r.git") == "git@github.com:o/r.git")
  }

  test("runs.update renames and sets the status; missing run is NOT_FOUND, a bad status BAD_INPUT") {
    val eid = mlflow.experiments.getOrCreate(TestServer.uniqueName("updaterun"))
    val runId = mlflow.runs.start(eid, "before").runId
    mlflow.runs.update(runId, null, "after")
    assert(client.getRun(runId).getInfo.getRunName == "after" && client.getRun(runId).getInfo.getStatus.toString == "RUNNING")
    assert(runTags(runId)("mlflow.runName") == "after")
    mlflow.runs.update(runId, "KILLED", null)
    assert(client.getRun(runId).getInfo.getStatus.toString == "KILLED" && client.getRun(runId).getInfo.getRunName == "after")
    mlflow.runs.update(runId, null, null)
    assert(intercept[BridgeException](mlflow.runs.update(runId, "DONE", null)).kind == BridgeException.Kind.BAD_INPUT)
    val e = intercept[BridgeException](mlflow.runs.update("0123456789abcdef0123456789abcdef", null, "x"))
    assert(e.kind == BridgeException.Kind.NOT_FOUND && e.getMessage == "run '0123456789abcdef0123456789abcdef' does not exist")
  }

  test("experiments.deleteTag removes the tag; a missing tag or experiment is NOT_FOUND") {
    val eid = mlflow.experiments.getOrCreate(TestServer.uniqueName("deltag"))
    client.setExperimentTag(eid, "team", "jvm")
    mlflow.experiments.deleteTag(eid, "team")
    assert(!client.getExperiment(eid).getTagsList.asScala.exists(_.getKey == "team"))
    assert(intercept[BridgeException](mlflow.experiments.deleteTag(eid, "team")).kind == BridgeException.Kind.NOT_FOUND)
    assert(intercept[BridgeException](mlflow.experiments.deleteTag("987654321", "team")).kind == BridgeException.Kind.NOT_FOUND)
  }

  test("withRun ends FINISHED with params, metrics and tags; batches over the server's limits are split") {
    val eid = mlflow.experiments.getOrCreate(TestServer.uniqueName("withrun"))
    val params = (1 to 250).map(i => s"p$i" -> s"v$i").toMap
    val metrics = (1 to 2500).map(i => s"m$i" -> Double.box(i * 0.5)).toMap
    val runId = mlflow.runs.withRun(eid, "scope") { run =>
      run.logParams(params.asJava)
      run.logMetrics(metrics.asJava, 3L)
      run.setTags((1 to 150).map(i => s"t$i" -> "x").toMap.asJava)
      run.logMetric("rmse", 0.25)
      run.runId
    }
    val got = mlflow.runs.get(runId)
    assert(got.getInfo.getStatus.toString == "FINISHED" && got.getInfo.getEndTime > 0)
    assert(got.getData.getParamsList.asScala.map(p => p.getKey -> p.getValue).toMap == params)
    val logged = got.getData.getMetricsList.asScala.map(m => m.getKey -> m.getValue).toMap
    assert(logged.size == 2501 && logged("m2500") == 1250.0 && logged("rmse") == 0.25)
    assert(got.getData.getMetricsList.asScala.find(_.getKey == "m7").get.getStep == 3L)
    assert(runTags(runId).count(_._1.matches("t\\d+")) == 150)
    // The stock logBatch sends all of it in one request, which the server refuses.
    val stock = intercept[Exception](
      client.logBatch(
        runId,
        java.util.List.of(),
        params.map { case (k, v) => org.mlflow.api.proto.Service.Param.newBuilder().setKey(k + "x").setValue(v).build() }.asJava,
        java.util.List.of()
      )
    )
    assert(stock.getMessage.contains("100"), stock.getMessage)
  }

  test("withRun marks the run FAILED and rethrows; a child run names its parent") {
    val eid = mlflow.experiments.getOrCreate(TestServer.uniqueName("withrun-fail"))
    var parent, child = ""
    val e = intercept[IllegalStateException](mlflow.runs.withRun(eid, "outer") { run =>
      parent = run.runId
      run.withChild("inner") { c => child = c.runId; c.logParam("depth", "2") }
      throw new IllegalStateException("training diverged")
    })
    assert(e.getMessage == "training diverged")
    assert(mlflow.runs.get(parent).getInfo.getStatus.toString == "FAILED")
    assert(mlflow.runs.get(child).getInfo.getStatus.toString == "FINISHED")
    assert(runTags(child)("mlflow.parentRunId") == parent && runTags(child)("mlflow.runName") == "inner")
    assert(mlflow.runs.get(child).getInfo.getExperimentId == eid)
    val bad = intercept[BridgeException](mlflow.runs.resume(parent).end("DONE"))
    assert(bad.kind == BridgeException.Kind.BAD_INPUT && bad.getMessage == "a run ends FINISHED, FAILED or KILLED, not 'DONE'")
    assert(intercept[BridgeException](mlflow.runs.get("0123456789abcdef0123456789abcdef")).kind == BridgeException.Kind.NOT_FOUND)
  }

  test("runs.getParentRun: a child's parent, null for a top-level run, as Python's get_parent_run") {
    val eid = mlflow.experiments.getOrCreate(TestServer.uniqueName("parent"))
    val (parentId, childId) = mlflow.runs.withRun(eid, "parent") { parent =>
      (parent.runId, parent.withChild("child")(_.runId))
    }
    assert(mlflow.runs.getParentRun(childId).getInfo.getRunId == parentId)
    assert(mlflow.runs.getParentRun(parentId) == null)
  }

  test("a JVM program's mlflow.source.name is its entry point: main class, jar, or the .java source file") {
    def entry(cmd: String) = RunTags.entryPoint(Option(cmd))
    assert(entry("com.acme.Train --epochs 3").contains("com.acme.Train"))
    assert(entry("/opt/jobs/train.jar --epochs 3").contains("/opt/jobs/train.jar"))
    assert(entry("jdk.compiler/com.sun.tools.javac.launcher.Main Train.java 42").contains("Train.java"))
    assert(entry(null).isEmpty && entry("   ").isEmpty) // JPype / JNI: no command
  }
}
