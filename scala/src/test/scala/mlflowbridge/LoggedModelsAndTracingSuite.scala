package mlflowbridge

import mlflowbridge.rest.Json

import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.JsonNode
import org.scalatest.funsuite.AnyFunSuite

/** MLflow 3 logged models and JVM tracing through the Scala API (Python reads both in tests/jvm/). */
class LoggedModelsAndTracingSuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow
  private lazy val experimentId = mlflow.experiments.getOrCreate(TestServer.uniqueName("logged-tracing"))

  test("loggedModels: create, params, tags, linked metric, finalize, search, list artifacts, delete") {
    val run = mlflow.runs.start(experimentId, "train", null)
    val m = mlflow.loggedModels.create(experimentId, "scala-model", run.runId, "spark", java.util.Map.of("depth", "3"), java.util.Map.of("gone", "x"))
    assert(m.modelId.startsWith("m-") && m.status == "LOGGED_MODEL_PENDING" && m.modelUri == s"models:/${m.modelId}")
    mlflow.loggedModels.logParams(m.modelId, java.util.Map.of("lr", "0.1"))
    mlflow.loggedModels.setTag(m.modelId, "team", "jvm")
    mlflow.loggedModels.deleteTag(m.modelId, "gone")
    mlflow.loggedModels.logMetric(m.modelId, run.runId, "rmse", 0.5, 2L)
    val dir = java.nio.file.Files.createTempDirectory("logged-model")
    java.nio.file.Files.writeString(dir.resolve("weights.txt"), "w=1\n")
    mlflow.loggedModels.logArtifacts(m.modelId, dir.toString, "files")
    assert(mlflow.loggedModels.finalizeModel(m.modelId, "ready").status == "LOGGED_MODEL_READY")
    run.end()

    val got = mlflow.loggedModels.get(m.modelId)
    assert(got.params.asScala == Map("depth" -> "3", "lr" -> "0.1"))
    assert(got.tags.asScala.filter(!_._1.startsWith("mlflow.")) == Map("team" -> "jvm"))
    assert(got.metrics.asScala.map(x => (x.getKey, x.getValue, x.getStep)) == Seq(("rmse", 0.5, 2L)))
    assert((got.sourceRunId, got.name, got.modelType, got.experimentId) == ((run.runId, "scala-model", "spark", experimentId)))
    assert(mlflow.loggedModels.listArtifacts(m.modelId, null).asScala.map(f => (f.getPath, f.getIsDir)) == Seq(("files", true)))
    assert(mlflow.loggedModels.listArtifacts(m.modelId, "files").asScala.map(f => (f.getPath, f.getFileSize)) == Seq(("files/weights.txt", 4L)))
    assert(mlflow.loggedModels.search(java.util.List.of(experimentId), "name = 'scala-model'").asScala.map(_.modelId) == Seq(m.modelId))

    mlflow.loggedModels.delete(m.modelId)
    val e = intercept[BridgeException](mlflow.loggedModels.get(m.modelId))
    assert(e.kind == BridgeException.Kind.NOT_FOUND && e.getMessage.startsWith(s"get logged model '${m.modelId}'"))
    val bad = intercept[BridgeException](mlflow.loggedModels.finalizeModel(m.modelId, "DONE"))
    assert(bad.kind == BridgeException.Kind.BAD_INPUT && bad.getMessage.contains("'DONE' is not one of READY, FAILED"))
  }

  /** The trace with its spans, read back from the server's /api/3.0 (what the UI and Python read). */
  private def trace(traceId: String): JsonNode = {
    val r = mlflow.rest.send("GET", s"${mlflow.trackingUri}/api/3.0/mlflow/traces/get?trace_id=$traceId", None)
    assert(r.ok, r.body)
    r.json.path("trace")
  }

  test("tracing: traced scopes nest, keep attributes and events, fail with the exception") {
    val run = mlflow.runs.start(experimentId, "traced", null)
    val t = mlflow.tracing.tracer(run)
    assert(t eq mlflow.tracing.tracer(experimentId, run.runId))
    var traceId = ""
    val e = intercept[IllegalStateException] {
      t.traced("outer") { outer =>
        traceId = "tr-" + outer.getSpanContext.getTraceId
        outer.setAttribute("rows", 3L)
        t.tracer.spanBuilder("raw").startSpan().end() // the OpenTelemetry API itself: a child too
        t.traced("inner") { inner =>
          inner.addEvent("loaded")
          inner.setAttribute("model", "m-1")
        }
        t.traced[Unit]("broken")(_ => throw new IllegalStateException("no rows"))
      }
    }
    assert(e.getMessage == "no rows")
    mlflow.tracing.flush()
    run.end()

    val got = trace(traceId)
    assert(got.path("trace_info").path("state").asText() == "ERROR", got)
    val spans = got.path("spans").elements().asScala.map(s => s.path("name").asText() -> s).toMap
    assert(spans.keySet == Set("outer", "raw", "inner", "broken"))
    for (child <- Seq("raw", "inner", "broken"))
      assert(spans(child).path("parent_span_id").asText() == spans("outer").path("span_id").asText(), child)
    assert(spans("outer").path("parent_span_id").asText("").isEmpty)
    assert(spans("broken").path("status").path("code").asText() == "STATUS_CODE_ERROR")
    assert(spans("broken").path("events").elements().asScala.map(_.path("name").asText()).toSeq == Seq("exception"))
    assert(spans("inner").path("events").elements().asScala.map(_.path("name").asText()).toSeq == Seq("loaded"))
    val linked = mlflow.rest.send(
      "POST",
      s"${mlflow.trackingUri}/api/3.0/mlflow/traces/search",
      Some(Json.write(Map("locations" -> Seq(Map("type" -> "MLFLOW_EXPERIMENT", "mlflow_experiment" -> Map("experiment_id" -> experimentId))))))
    )
    assert(linked.json.path("traces").elements().asScala.map(_.path("trace_id").asText()).toSeq == Seq(traceId), linked.body)
  }

  test("tracing: bad input, and spans the server refuses (no such experiment), are named") {
    val e = intercept[BridgeException](mlflow.tracing.tracer(""))
    assert(e.kind == BridgeException.Kind.BAD_INPUT && e.getMessage == "tracing: experiment id must not be empty")
    val n = intercept[BridgeException](mlflow.tracing.tracer(experimentId).traced("")(_ => ()))
    assert(n.getMessage == "tracing: a span name must not be empty")
    val ghost = mlflow.tracing.tracer("987654321")
    ghost.traced("lost")(_ => ())
    val u = intercept[BridgeException](ghost.flush())
    assert(
      u.kind == BridgeException.Kind.UNREACHABLE && u.getMessage.startsWith("tracing: the spans of experiment 987654321 were not taken by") &&
        u.getMessage.contains("(HTTP 404: No Experiment with id=987654321 exists)"),
      u.getMessage
    )
    info(u.getMessage)
  }
}
