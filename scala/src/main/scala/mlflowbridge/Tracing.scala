package mlflowbridge

import mlflowbridge.rest._

import java.nio.file.{Files, Paths}
import java.util.concurrent.{ConcurrentHashMap, TimeUnit}

import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.JsonNode
import io.opentelemetry.api.OpenTelemetry
import io.opentelemetry.api.common.{AttributeKey, Attributes}
import io.opentelemetry.api.trace.{Span, StatusCode, Tracer}
import io.opentelemetry.context.Context
import io.opentelemetry.exporter.internal.FailedExportException
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter
import io.opentelemetry.sdk.OpenTelemetrySdk
import io.opentelemetry.sdk.resources.Resource
import io.opentelemetry.sdk.trace.SdkTracerProvider
import io.opentelemetry.sdk.common.CompletableResultCode
import io.opentelemetry.sdk.trace.data.SpanData
import io.opentelemetry.sdk.trace.export.{BatchSpanProcessor, SpanExporter}

/**
 * `mlflow.tracing`: OpenTelemetry spans made on the JVM become MLflow traces. The 3.x tracking
 * server ingests OTLP/HTTP at `/v1/traces` into the experiment its `x-mlflow-experiment-id`
 * header names, and links each finished trace to the run `x-mlflow-run-id` names. One
 * [[ExperimentTracer]] (an OpenTelemetry SDK with its own exporter) per experiment and run.
 * {{{
 *   val t = mlflow.tracing.tracer(run)            // or tracer(experimentId)
 *   t.traced("predict") { span => span.setAttribute("rows", 3L); score() }
 *   mlflow.tracing.flush()                       // Mlflow.close flushes too
 * }}}
 */
final class Tracing private[mlflowbridge] (mlflow: Mlflow) extends AutoCloseable {
  private val tracers = new ConcurrentHashMap[(String, String), ExperimentTracer]()

  /** Spans become traces of `experimentId`. */
  def tracer(experimentId: String): ExperimentTracer = tracer(experimentId, null)

  /** Spans become traces of `experimentId`, linked to run `runId` (null: to no run). */
  def tracer(experimentId: String, runId: String): ExperimentTracer = {
    if (experimentId == null || experimentId.trim.isEmpty) throw BridgeException.badInput("tracing: experiment id must not be empty")
    val rest = mlflow.rest // a clear error for Mlflow.local()
    tracers.computeIfAbsent((experimentId, Option(runId).filter(_.nonEmpty).orNull), k => new ExperimentTracer(rest, k._1, k._2))
  }

  /** Spans become traces of the run's experiment, linked to the run. */
  def tracer(run: ActiveRun): ExperimentTracer = tracer(run.experimentId, run.runId)

  /** Sends every ended span now; an error names the server when it did not take them. */
  def flush(): Unit = tracers.values().asScala.foreach(_.flush())

  /** Sends what is left and stops the exporters (called by [[Mlflow.close]]). */
  override def close(): Unit = {
    val all = tracers.values().asScala.toList
    tracers.clear()
    all.foreach(_.close())
  }
}

/**
 * The spans of one experiment (and run): `traced(name) { span => ... }` for a scope that ends the
 * span (ERROR with the exception recorded when the body throws, rethrown), or the OpenTelemetry
 * API itself through [[tracer]] / [[openTelemetry]]. Spans started inside a `traced` body are
 * its children (OpenTelemetry's current context).
 */
final class ExperimentTracer private[mlflowbridge] (rest: MlflowRest, val experimentId: String, val runId: String) {
  private val endpoint = rest.host + "/v1/traces"
  private val exporter: ExperimentTracer.Recording = {
    val b = OtlpHttpSpanExporter.builder().setEndpoint(endpoint).setTimeout(30, TimeUnit.SECONDS).addHeader("x-mlflow-experiment-id", experimentId)
    if (runId != null) b.addHeader("x-mlflow-run-id", runId)
    rest.authorization.foreach(b.addHeader("Authorization", _))
    // TLS as our REST caller: MLFLOW_TRACKING_INSECURE_TLS, else MLFLOW_TRACKING_SERVER_CERT_PATH, else the JVM's trust store.
    if (rest.creds.shouldIgnoreTlsVerification) b.setSslContext(MlflowRest.trustAll, MlflowRest.trustAllManager)
    else if (rest.serverCertPath != null && rest.serverCertPath.nonEmpty) b.setTrustedCertificates(Files.readAllBytes(Paths.get(rest.serverCertPath)))
    new ExperimentTracer.Recording(b.build())
  }
  private val provider: SdkTracerProvider = {
    val resource = Resource.getDefault.merge(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "mlflow-bridge")))
    SdkTracerProvider.builder().setResource(resource).addSpanProcessor(BatchSpanProcessor.builder(exporter).build()).build()
  }

  /** The OpenTelemetry instance whose spans land here (for instrumentation that takes one). */
  val openTelemetry: OpenTelemetry = OpenTelemetrySdk.builder().setTracerProvider(provider).build()

  /** OpenTelemetry's tracer: `tracer.spanBuilder(name).startSpan()` and the rest of its API. */
  val tracer: Tracer = provider.get("mlflowbridge", BuildInfo.version)

  /** Runs `body` in a span named `name`, a child of the current span if there is one. */
  def traced[T](name: String)(body: java.util.function.Function[Span, T]): T = {
    val span = tracer.spanBuilder(ExperimentTracer.checkName(name)).startSpan()
    val scope = span.makeCurrent()
    try body.apply(span)
    catch {
      case t: Throwable =>
        span.recordException(t)
        span.setStatus(StatusCode.ERROR, s"${t.getClass.getName}: ${t.getMessage}")
        throw t
    } finally {
      scope.close()
      span.end()
    }
  }

  /** A span to end by hand (Python's `with tracer.span(...)`): a child of `parent`, or of the current span when null. */
  def start(name: String, parent: TracedSpan): TracedSpan = {
    val b = tracer.spanBuilder(ExperimentTracer.checkName(name))
    b.setParent(if (parent == null) Context.current() else Context.current().`with`(parent.span))
    new TracedSpan(b.startSpan())
  }

  def start(name: String): TracedSpan = start(name, null)

  /** Sends every ended span now; an error when the server refused some since the last flush. */
  def flush(): Unit = {
    val done = provider.forceFlush().join(60, TimeUnit.SECONDS)
    val refused = exporter.takeFailure().orElse(if (done.isSuccess) None else Some("no answer in 60 s"))
    refused.foreach { why =>
      throw BridgeException.unreachable(
        s"tracing: the spans of experiment $experimentId were not taken by $endpoint ($why); is it an MLflow 3 tracking server with that experiment?",
        null
      )
    }
  }

  private[mlflowbridge] def close(): Unit = provider.shutdown().join(60, TimeUnit.SECONDS)

  override def toString: String = s"ExperimentTracer(experiment $experimentId${Option(runId).fold("")(r => s", run $r")})"
}

private object ExperimentTracer {

  /** The exporter, remembering the last refused export (the batch processor's flush result does not say). */
  final class Recording(inner: SpanExporter) extends SpanExporter {
    private val failure = new java.util.concurrent.atomic.AtomicReference[String]()
    override def `export`(spans: java.util.Collection[SpanData]): CompletableResultCode = {
      val r = inner.`export`(spans)
      r.whenComplete { () =>
        if (!r.isSuccess) failure.set(describe(r.getFailureThrowable))
      }
    }
    def takeFailure(): Option[String] = Option(failure.getAndSet(null))

    /** The server's answer (MLflow's error message), or what kept the request from it. */
    private def describe(t: Throwable): String = t match {
      case null => "refused"
      case h: FailedExportException.HttpExportException if h.failedWithResponse() =>
        val body = new String(h.getResponse.getResponseBody, java.nio.charset.StandardCharsets.UTF_8)
        val message = scala.util.Try(Json.mapper.readTree(body).path("message").asText("")).toOption.filter(_.nonEmpty)
        s"HTTP ${h.getResponse.getStatusCode}: ${message.getOrElse(body.take(200))}"
      case other => Option(other.getCause).getOrElse(other).toString
    }
    override def flush(): CompletableResultCode = inner.flush()
    override def shutdown(): CompletableResultCode = inner.shutdown()
  }

  def checkName(name: String): String =
    if (name == null || name.trim.isEmpty) throw BridgeException.badInput("tracing: a span name must not be empty") else name
}

/** One span started with [[ExperimentTracer.start]]; `span` is OpenTelemetry's. */
final class TracedSpan private[mlflowbridge] (val span: Span) {

  /** MLflow's id of the trace this span is in: `tr-` and OpenTelemetry's trace id. */
  def traceId: String = "tr-" + span.getSpanContext.getTraceId
  def spanId: String = span.getSpanContext.getSpanId

  /**
   * Attributes from a JSON object: text, whole numbers (long), other numbers (double), booleans
   * and arrays of one of those keep their type; anything else is kept as its JSON text.
   */
  def setAttributes(json: String): TracedSpan = {
    val node =
      try Json.mapper.readTree(json)
      catch {
        case e: com.fasterxml.jackson.core.JacksonException =>
          throw BridgeException.badInput(s"span attributes are not JSON: ${e.getOriginalMessage}")
      }
    if (node == null || !node.isObject) throw BridgeException.badInput(s"span attributes must be a JSON object, got: ${json.take(60)}")
    node.properties().asScala.foreach(e => TracedSpan.set(span, e.getKey, e.getValue))
    this
  }

  def addEvent(name: String): TracedSpan = { span.addEvent(name); this }

  /** Status ERROR with `message`, and the `exception` event OpenTelemetry records for an exception. */
  def fail(exceptionType: String, message: String): TracedSpan = {
    span.addEvent(
      "exception",
      Attributes.of(AttributeKey.stringKey("exception.type"), exceptionType, AttributeKey.stringKey("exception.message"), message)
    )
    span.setStatus(StatusCode.ERROR, s"$exceptionType: $message")
    this
  }

  def end(): Unit = span.end()
  override def toString: String = s"TracedSpan($traceId/$spanId)"
}

private object TracedSpan {
  def set(span: Span, key: String, v: JsonNode): Unit = {
    val items = if (v.isArray) v.elements().asScala.toSeq else Nil
    if (v.isTextual) span.setAttribute(key, v.asText())
    else if (v.isBoolean) span.setAttribute(key, v.asBoolean())
    else if (v.isIntegralNumber && v.canConvertToLong) span.setAttribute(key, v.asLong())
    else if (v.isNumber) span.setAttribute(key, v.asDouble())
    else if (v.isArray && items.nonEmpty && items.forall(_.isTextual))
      span.setAttribute(AttributeKey.stringArrayKey(key), items.map(_.asText()).asJava)
    else if (v.isArray && items.nonEmpty && items.forall(_.isBoolean))
      span.setAttribute(AttributeKey.booleanArrayKey(key), items.map(i => java.lang.Boolean.valueOf(i.asBoolean())).asJava)
    else if (v.isArray && items.nonEmpty && items.forall(i => i.isIntegralNumber && i.canConvertToLong))
      span.setAttribute(AttributeKey.longArrayKey(key), items.map(i => java.lang.Long.valueOf(i.asLong())).asJava)
    else if (v.isArray && items.nonEmpty && items.forall(_.isNumber))
      span.setAttribute(AttributeKey.doubleArrayKey(key), items.map(i => java.lang.Double.valueOf(i.asDouble())).asJava)
    else span.setAttribute(key, v.toString)
  }
}
