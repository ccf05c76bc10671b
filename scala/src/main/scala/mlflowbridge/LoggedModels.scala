package mlflowbridge

import mlflowbridge.rest._
import mlflowbridge.store.ArtifactUris

import java.nio.file.Paths

import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.JsonNode
import org.mlflow.api.proto.Service.{FileInfo, Metric}

/**
 * An MLflow 3 logged model (`models:/m-...`) as the server returned it. The stock 2.17 protos
 * have no LoggedModel, so this is a small typed view of the server's JSON; `json` is that JSON
 * (MLflow's `LoggedModel` proto), which Python turns into `mlflow.entities.LoggedModel`.
 */
final class LoggedModel private[mlflowbridge] (node: JsonNode) {
  private def info = node.path("info")
  private def text(n: JsonNode, field: String): String = if (n.hasNonNull(field)) n.get(field).asText() else null
  private def pairs(n: JsonNode): java.util.Map[String, String] = {
    val m = new java.util.LinkedHashMap[String, String]()
    n.elements().asScala.foreach(p => m.put(p.path("key").asText(), p.path("value").asText()))
    m
  }

  def modelId: String = text(info, "model_id")
  def experimentId: String = text(info, "experiment_id")
  def name: String = text(info, "name")
  def modelType: String = text(info, "model_type")
  def sourceRunId: String = text(info, "source_run_id")

  /** Where its files are (e.g. mlflow-artifacts:/1/models/m-.../artifacts). */
  def artifactUri: String = text(info, "artifact_uri")

  /** LOGGED_MODEL_PENDING, LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED. */
  def status: String = text(info, "status")
  def creationTimestampMs: Long = info.path("creation_timestamp_ms").asLong()
  def lastUpdatedTimestampMs: Long = info.path("last_updated_timestamp_ms").asLong()
  def tags: java.util.Map[String, String] = pairs(info.path("tags"))
  def params: java.util.Map[String, String] = pairs(node.path("data").path("params"))

  /** Metrics linked to this model (the stock `Metric`; the 3.x fields model_id and dataset_* are not in its proto). */
  def metrics: java.util.List[Metric] =
    node.path("data").path("metrics").elements().asScala.map(m => Protos.parse(m, Metric.newBuilder()).build()).toList.asJava

  /** `models:/<model_id>`, the URI that loads and registers it. */
  def modelUri: String = s"models:/$modelId"

  /** The server's JSON (MLflow's LoggedModel message). */
  def json: String = node.toString
  override def toString: String = s"LoggedModel($modelId '$name' in experiment $experimentId, $status)"
}

/**
 * `mlflow.loggedModels`: MLflow 3 logged models as Python's `MlflowClient` has them (create, get,
 * search, finalize, tags, delete, params, metrics linked to a model, artifacts), over
 * `/api/2.0/mlflow/logged-models`. The stock client has none of these and cannot send DELETE.
 */
final class LoggedModels private[mlflowbridge] (mlflow: Mlflow) {
  private def rest = mlflow.rest
  private val Statuses = Map(
    "READY" -> "LOGGED_MODEL_READY",
    "FAILED" -> "LOGGED_MODEL_UPLOAD_FAILED",
    "UPLOAD_FAILED" -> "LOGGED_MODEL_UPLOAD_FAILED",
    "PENDING" -> "LOGGED_MODEL_PENDING"
  )

  /**
   * Python's `create_logged_model`: a PENDING model in `experimentId`. `name` (null: the server
   * picks one), `sourceRunId`, `modelType`, `params` and `tags` may be null.
   */
  def create(
      experimentId: String,
      name: String,
      sourceRunId: String,
      modelType: String,
      params: java.util.Map[String, String],
      tags: java.util.Map[String, String]
  ): LoggedModel = {
    require(experimentId, "experiment id")
    val body = Json.obj("experiment_id" -> experimentId)
    Option(name).foreach(body.put("name", _))
    Option(sourceRunId).filter(_.nonEmpty).foreach(body.put("source_run_id", _))
    Option(modelType).foreach(body.put("model_type", _))
    val all = Option(params).fold(Seq.empty[(String, String)])(_.asScala.toSeq)
    // As Python's client: the first 100 params with the create, the rest in batches after it.
    body.set[JsonNode]("params", keyValues(all.take(LoggedModels.ParamBatch)))
    body.set[JsonNode]("tags", keyValues(Option(tags).fold(Seq.empty[(String, String)])(_.asScala.toSeq)))
    val created = new LoggedModel(
      rest.expect(s"create a logged model in experiment $experimentId")(rest.post("logged-models", body)).path("model")
    )
    if (all.size <= LoggedModels.ParamBatch) created
    else { logParams(created.modelId, all.drop(LoggedModels.ParamBatch)); get(created.modelId) }
  }

  def create(experimentId: String, name: String): LoggedModel = create(experimentId, name, null, null, null, null)

  def get(modelId: String): LoggedModel =
    new LoggedModel(rest.expect(s"get logged model '$modelId'")(rest.get(path(modelId))).path("model"))

  /**
   * Python's `search_logged_models`: models of `experimentIds` matching `filter` (MLflow's
   * syntax, e.g. "name = 'x'" or "metrics.rmse < 1"; null = all), up to `maxResults`, every page.
   */
  def search(experimentIds: java.util.List[String], filter: String, maxResults: Int): java.util.List[LoggedModel] = {
    if (experimentIds == null || experimentIds.isEmpty) throw BridgeException.badInput("search logged models: give at least one experiment id")
    if (maxResults <= 0) throw BridgeException.badInput(s"search logged models: maxResults must be positive, got $maxResults")
    val out = Seq.newBuilder[LoggedModel]
    var found = 0
    var token: String = null
    do {
      val body = Json.obj("max_results" -> math.min(maxResults - found, LoggedModels.PageSize))
      val ids = body.putArray("experiment_ids")
      experimentIds.asScala.foreach(ids.add)
      Option(filter).filter(_.nonEmpty).foreach(body.put("filter", _))
      Option(token).foreach(body.put("page_token", _))
      val page = rest.expect(s"search logged models in experiments ${experimentIds.asScala.mkString(",")}")(rest.post("logged-models/search", body))
      val models = page.path("models").elements().asScala.map(new LoggedModel(_)).toSeq
      out ++= models
      found += models.size
      token = Option(page.path("next_page_token").asText(null)).filter(_.nonEmpty).orNull
    } while (token != null && found < maxResults)
    out.result().asJava
  }

  def search(experimentIds: java.util.List[String], filter: String): java.util.List[LoggedModel] = search(experimentIds, filter, Int.MaxValue)

  /** Python's `finalize_logged_model`: status READY or FAILED (also the proto names, LOGGED_MODEL_READY, ...). */
  def finalizeModel(modelId: String, status: String): LoggedModel = {
    val proto = Option(status).map(_.trim.toUpperCase) match {
      case Some(s) if Statuses.contains(s)           => Statuses(s)
      case Some(s) if Statuses.values.exists(_ == s) => s
      case _ =>
        throw BridgeException.badInput(
          s"logged model status '$status' is not one of READY, FAILED (or LOGGED_MODEL_READY, LOGGED_MODEL_UPLOAD_FAILED)"
        )
    }
    new LoggedModel(
      rest
        .expect(s"finalize logged model '$modelId' as $proto")(rest.patch(path(modelId), Json.obj("model_id" -> modelId, "status" -> proto)))
        .path("model")
    )
  }

  def setTags(modelId: String, tags: java.util.Map[String, String]): Unit = {
    if (tags == null || tags.isEmpty) throw BridgeException.badInput(s"set tags of logged model '$modelId': no tags given")
    val body = Json.mapper.createObjectNode()
    body.set[JsonNode]("tags", keyValues(tags.asScala.toSeq))
    rest.expect(s"set tags of logged model '$modelId'")(rest.patch(path(modelId) + "/tags", body))
  }

  def setTag(modelId: String, key: String, value: String): Unit = setTags(modelId, java.util.Map.of(key, value))

  /** DELETE (the stock client cannot send one). */
  def deleteTag(modelId: String, key: String): Unit = {
    require(key, "tag key")
    rest.expect(s"delete tag '$key' of logged model '$modelId'")(rest.delete(path(modelId) + "/tags/" + ArtifactUris.encodeSegment(key), Json.obj()))
  }

  /** Marks the model deleted, as Python's `delete_logged_model` (a later `get` says it does not exist). */
  def delete(modelId: String): Unit =
    rest.expect(s"delete logged model '$modelId'")(rest.delete(path(modelId), Json.obj("model_id" -> modelId)))

  /** Python's `log_model_params`, in batches of 100. */
  def logParams(modelId: String, params: java.util.Map[String, String]): Unit = {
    if (params == null || params.isEmpty) throw BridgeException.badInput(s"log params of logged model '$modelId': no params given")
    logParams(modelId, params.asScala.toSeq)
  }

  private def logParams(modelId: String, params: Seq[(String, String)]): Unit =
    params.grouped(LoggedModels.ParamBatch).foreach { batch =>
      val body = Json.obj("model_id" -> modelId)
      body.set[JsonNode]("params", keyValues(batch))
      rest.expect(s"log params of logged model '$modelId'")(rest.post(path(modelId) + "/params", body))
    }

  /**
   * Python's `log_metric(key, value, step, model_id=...)`: a metric of run `runId` linked to the
   * model (it shows in both the run's and the model's metrics).
   */
  def logMetric(modelId: String, runId: String, key: String, value: Double, step: Long): Unit = {
    require(modelId, "logged model id")
    require(runId, "run id")
    require(key, "metric key")
    val body = Json.obj("run_id" -> runId, "key" -> key, "value" -> value, "timestamp" -> System.currentTimeMillis(), "step" -> step)
    body.put("model_id", modelId)
    rest.expect(s"log metric '$key' of run $runId for logged model '$modelId'")(rest.post("runs/log-metric", body))
  }

  def logMetric(modelId: String, runId: String, key: String, value: Double): Unit = logMetric(modelId, runId, key, value, 0L)

  /** Python's `log_model_artifacts`: a file lands at `<artifactPath>/<name>`, a folder's contents under `<artifactPath>/`. */
  def logArtifacts(modelId: String, localPath: String, artifactPath: String): Unit = {
    ArtifactUris.checkArtifactPath(artifactPath, "artifact path")
    if (localPath == null || !java.nio.file.Files.exists(Paths.get(localPath)))
      throw BridgeException.notFound(s"local artifact $localPath does not exist").withPath(localPath)
    val root = get(modelId).artifactUri
    if (!ArtifactUris.isNative(root))
      throw BridgeException.badInput(
        s"logged model '$modelId' keeps its files at $root; only mlflow-artifacts: and s3:// roots are written from the JVM"
      )
    val dest = Option(artifactPath).filter(_.nonEmpty).fold(root)(p => ArtifactUris.join(root, p))
    mlflow.artifacts.upload(Paths.get(localPath), dest)
  }

  /** Python's `list_logged_model_artifacts`: the entries directly under `path` (null = the root). */
  def listArtifacts(modelId: String, path: String): java.util.List[FileInfo] = {
    val query = Option(path).filter(_.nonEmpty).map("artifact_directory_path" -> _).toSeq
    rest
      .expect(s"list artifacts of logged model '$modelId'")(rest.get(this.path(modelId) + "/artifacts/directories", query: _*))
      .path("files")
      .elements()
      .asScala
      .map(f => Protos.parse(f, FileInfo.newBuilder()).build())
      .toList
      .asJava
  }

  private def path(modelId: String): String = { require(modelId, "logged model id"); "logged-models/" + ArtifactUris.encodeSegment(modelId) }

  private def require(v: String, what: String): Unit = if (v == null || v.trim.isEmpty) throw BridgeException.badInput(s"$what must not be empty")

  private def keyValues(kv: Seq[(String, String)]) = {
    val a = Json.mapper.createArrayNode()
    kv.foreach { case (k, v) => a.add(Json.obj("key" -> k, "value" -> v)) }
    a
  }
}

private object LoggedModels {
  val ParamBatch = 100
  val PageSize = 100
}
