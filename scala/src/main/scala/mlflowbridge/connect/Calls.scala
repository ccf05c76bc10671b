package mlflowbridge.connect

import mlflowbridge.{BridgeException, Mlflow, ModelInfo}

import java.nio.file.{Files, Path, Paths}

import scala.jdk.CollectionConverters._
import scala.util.control.NonFatal

import com.fasterxml.jackson.databind.{JsonNode, ObjectMapper}
import com.fasterxml.jackson.databind.node.ObjectNode
import org.apache.spark.sql.{DataFrame, SparkSession}

/**
 * What a Connect client may ask: `{"op": ..., "args": {...}, "tracking": {"uri": ..., "env": {...}}}`.
 * Each call gets its own [[Mlflow]] from the client's tracking URI and MLFLOW_TRACKING_* values
 * (or, without a URI, the server's own MLFLOW_TRACKING_URI and credentials, as the operator set
 * them), closed after the call: no client's credentials serve another's call, and none is logged
 * or written to disk. Errors come back as `{"error": {"kind", "message"}}`, the bridge's one-line messages.
 */
object Calls {
  private val mapper = new ObjectMapper()

  /** The only variables a client may pass; others (AWS_*, paths) stay the operator's. */
  private val ClientVariables = Set(
    "MLFLOW_TRACKING_USERNAME",
    "MLFLOW_TRACKING_PASSWORD",
    "MLFLOW_TRACKING_TOKEN",
    "MLFLOW_TRACKING_INSECURE_TLS"
  )
  val CredentialsPrefix = "mlflowbridge.credentials."

  /** Server-side folders handed to clients (models they save, models fetched for them). */
  lazy val workRoot: Path = {
    val root = Paths.get(System.getProperty("java.io.tmpdir"), "mlflow-bridge-connect")
    Files.createDirectories(root)
  }

  def answer(json: String, spark: SparkSession, frames: Seq[() => DataFrame]): String =
    try {
      val req = mapper.readTree(json)
      val args = req.path("args")
      val out = mapper.createObjectNode()
      req.path("op").asText() match {
        case "ping"    => out.put("version", mlflowbridge.BuildInfo.version)
        case "workdir" => out.put("path", Files.createTempDirectory(workRoot, "work-").toString)
        case "release" => release(text(args, "path"))
        case op        => withMlflow(req.path("tracking"), spark)(m => run(op, args, m, spark, frames, out))
      }
      mapper.createObjectNode().set[ObjectNode]("ok", out).toString
    } catch {
      case e: BridgeException => error(e.kind.name, e.getMessage)
      case NonFatal(e) =>
        error("ERROR", s"${e.getClass.getSimpleName}: ${Option(e.getMessage).getOrElse("").linesIterator.toSeq.headOption.getOrElse("")}")
    }

  private def run(op: String, a: JsonNode, m: Mlflow, spark: SparkSession, frames: Seq[() => DataFrame], out: ObjectNode): Unit = op match {
    case "experiments.getOrCreate" => out.put("experiment_id", m.experiments.getOrCreate(text(a, "name")))
    case "runs.start"              => out.put("run_id", m.runs.start(text(a, "experiment_id"), a.path("run_name").asText(null)).runId)
    case "runs.end"                => m.runs.update(text(a, "run_id"), text(a, "status"), null)
    case "runs.logParams" =>
      m.runs.resume(text(a, "run_id")).logParams(a.path("params").properties().asScala.map(e => e.getKey -> e.getValue.asText()).toMap.asJava)
    case "runs.logMetrics" =>
      val metrics = a.path("metrics").properties().asScala.map(e => e.getKey -> java.lang.Double.valueOf(e.getValue.asDouble())).toMap
      m.runs.resume(text(a, "run_id")).logMetrics(metrics.asJava, a.path("step").asLong(0L))
    case "models.log" =>
      val dir = text(a, "path")
      // A pipeline saved over Connect has pyspark's layout (class pyspark.ml.pipeline.PipelineModel,
      // JVM stages): models.load takes a saved pipeline's folder as a model URI and reads both layouts.
      val model =
        try m.models.load(dir, spark)
        finally release(dir)
      def frame(key: String) = Option(a.path(key).asInt(-1)).filter(_ >= 0).map(i => frames(i)())
      val training = frame("training").map(_.schema).orNull
      info(out, m.models.log(text(a, "run_id"), model, text(a, "artifact_path"), frame("example").orNull, training))
    case "models.info" => info(out, m.models.info(text(a, "model_uri")))
    case "models.fetch" =>
      val uri = text(a, "model_uri")
      val mi = m.models.info(uri)
      if (!mi.flavors.contains("spark"))
        throw BridgeException.badInput(
          s"model $uri is not a spark model (its flavors: ${mi.flavors.asScala.mkString(", ")}); load it with its own flavor"
        )
      val root = Files.createTempDirectory(workRoot, "model-")
      val dir = Paths.get(m.models.download(uri, root.toString))
      info(out, mi)
      out.put("path", sparkData(dir, uri).toString)
      out.put("root", root.toString)
    case "models.scoreFile" =>
      out.put("rows", m.models.scoreFile(spark, text(a, "model_uri"), text(a, "input"), text(a, "output")))
    case "registry.register" =>
      val alias = a.path("alias").asText(null)
      val mv =
        if (alias == null) m.registry.register(text(a, "model_uri"), text(a, "name"))
        else m.registry.register(text(a, "model_uri"), text(a, "name"), alias)
      out.put("name", mv.getName).put("version", mv.getVersion)
    case other => throw BridgeException.badInput(s"unknown call '$other' (the client and the server's mlflow-bridge differ in version?)")
  }

  /** The client's credentials are in its own Connect session's conf (never in the plan, which the server may log). */
  private def withMlflow[T](tracking: JsonNode, spark: SparkSession)(body: Mlflow => T): T = {
    val uri = tracking.path("uri").asText("")
    val m =
      if (uri.isEmpty) Mlflow.fromEnv()
      else {
        val id = tracking.path("id").asText("")
        val env = ClientVariables.toSeq.flatMap(k => spark.conf.getOption(s"$CredentialsPrefix$id.$k").map(k -> _)).toMap
        Mlflow.forUri(uri, env.asJava)
      }
    try body(m)
    finally m.close()
  }

  /** The PipelineModel's folder in a downloaded model: `sparkml/` (MLmodel's default model_data), else the only folder that has Spark's metadata. */
  private def sparkData(dir: Path, uri: String): Path = {
    val default = dir.resolve("sparkml")
    if (Files.isDirectory(default.resolve("metadata"))) default
    else {
      val s = Files.list(dir)
      try
        s.iterator()
          .asScala
          .find(p => Files.isDirectory(p.resolve("metadata")))
          .getOrElse(throw BridgeException.badInput(s"model $uri has no Spark model data (no sparkml/ folder)"))
      finally s.close()
    }
  }

  private def info(out: ObjectNode, mi: ModelInfo): Unit = {
    out.put("model_uri", mi.modelUri).put("run_id", mi.runId).put("artifact_path", mi.artifactPath)
    out.put("signature_inputs", mi.signatureInputs).put("signature_outputs", mi.signatureOutputs)
    out.put("model_uuid", mi.modelUuid).put("utc_time_created", mi.utcTimeCreated).put("input_example", mi.inputExample)
    val flavors = out.putArray("flavors")
    mi.flavors.asScala.foreach(f => flavors.add(f))
  }

  /** Deletes a folder this server handed out (under [[workRoot]] only: a client may not name any other). */
  private def release(path: String): Unit = {
    val p = Paths.get(path).toAbsolutePath.normalize()
    if (!p.startsWith(workRoot) || p == workRoot) throw BridgeException.badInput(s"$path is not a folder this Connect server handed out")
    if (Files.exists(p)) {
      val s = Files.walk(p)
      try s.sorted(java.util.Comparator.reverseOrder[Path]()).iterator().asScala.foreach(f => Files.deleteIfExists(f))
      finally s.close()
    }
  }

  private def text(a: JsonNode, key: String): String = {
    val v = a.path(key)
    if (v.isMissingNode || v.isNull) throw BridgeException.badInput(s"the call lacks '$key'")
    v.asText()
  }

  private def error(kind: String, message: String): String = {
    val e = mapper.createObjectNode().put("kind", kind).put("message", message)
    mapper.createObjectNode().set[ObjectNode]("error", e).toString
  }
}
