package mlflowbridge

import mlflowbridge.rest._

import scala.jdk.CollectionConverters._

import org.apache.spark.sql.{Dataset, Row}
import org.mlflow.api.proto.Service.{Run, RunTag}
import org.mlflow.tracking.utils.MlflowTagConstants

/** `mlflow.runs`: runs started as Python's `mlflow.start_run` starts them, and run updates. */
final class Runs private[mlflowbridge] (mlflow: Mlflow) {
  private def rest = mlflow.rest

  /**
   * Python's `with mlflow.start_run(run_name=...)`: runs `body` in a new run of `experimentId`,
   * ends it FINISHED, or FAILED when `body` throws (and rethrows; the stock
   * `MlflowContext.withActiveRun` swallows the exception). Returns what `body` returns.
   */
  def withRun[T](experimentId: String, runName: String)(body: java.util.function.Function[ActiveRun, T]): T =
    start(experimentId, runName).scope(body)

  /** A new RUNNING run with the system tags Python's `start_run` sets; end it with [[ActiveRun.end]]. */
  def start(experimentId: String, runName: String): ActiveRun = start(experimentId, runName, null)

  /**
   * As above, with `tags` (nullable) applied last as in Python; a `mlflow.source.name` among them
   * also decides where git is asked. Without git the git tags are left out.
   */
  def start(experimentId: String, runName: String, tags: java.util.Map[String, String]): ActiveRun = {
    if (experimentId == null || experimentId.trim.isEmpty) throw BridgeException.badInput("experiment id must not be empty")
    val callerTags = Option(tags).map(_.asScala.toMap).getOrElse(Map.empty[String, String])
    val all = RunTags.systemTags(runName, callerTags.get(RunTags.SourceNameTag).orNull, mlflow.settings) ++ callerTags
    val b = org.mlflow.api.proto.Service.CreateRun
      .newBuilder()
      .setExperimentId(experimentId)
      .setStartTime(System.currentTimeMillis())
      .setUserId(all(RunTags.UserTag))
    Option(runName).filter(_.nonEmpty).foreach(b.setRunName)
    all.foreach { case (k, v) => b.addTags(RunTag.newBuilder().setKey(k).setValue(String.valueOf(v)).build()) }
    val created = rest.expect(s"create a run in experiment $experimentId")(rest.postJson("runs/create", Protos.json(b.build())))
    new ActiveRun(mlflow, created.path("run").path("info").path("run_id").asText(), experimentId, all(RunTags.SourceNameTag))
  }

  /** A run already started (by any client), to log into or end. */
  def resume(runId: String): ActiveRun = {
    val run = get(runId)
    val source = run.getData.getTagsList.asScala.find(_.getKey == RunTags.SourceNameTag).map(_.getValue).orNull
    new ActiveRun(mlflow, runId, run.getInfo.getExperimentId, source)
  }

  /** The run: info, data (metrics, params, tags) and inputs; NOT_FOUND names a missing one. */
  def get(runId: String): Run = {
    if (runId == null || runId.isEmpty) throw BridgeException.badInput("run id must not be empty")
    val r = rest.get("runs/get", "run_id" -> runId)
    if (!r.ok && (r.errorCode == "RESOURCE_DOES_NOT_EXIST" || r.status == 404)) throw BridgeException.notFound(s"run '$runId' does not exist")
    Protos.parse(rest.expect(s"get run '$runId'")(r).path("run"), Run.newBuilder()).build()
  }

  /**
   * Python's `mlflow.log_input(mlflow.data.from_spark(df, path=|table_name=|sql=, name=name), context=context)`:
   * the dataset (name, default "dataset"; digest from Spark's semantic hash, as Python computes
   * it; source; schema; approximate row count) as one of the run's inputs. `name` and `context` may be null.
   */
  def logInput(runId: String, df: Dataset[Row], source: DatasetSource, name: String, context: String): Unit = {
    if (runId == null || runId.isEmpty) throw BridgeException.badInput("run id must not be empty")
    logInput(runId, SparkDatasets.input(df, source, name, context))
  }

  /** [[logInput]] of a dataset input [[SparkDatasets.input]] built. */
  private[mlflowbridge] def logInput(runId: String, input: com.fasterxml.jackson.databind.node.ObjectNode): Unit = {
    if (runId == null || runId.isEmpty) throw BridgeException.badInput("run id must not be empty")
    val body = Json.obj("run_id" -> runId)
    body.putArray("datasets").add(input)
    val r = rest.post("runs/log-inputs", body)
    if (!r.ok && (r.errorCode == "RESOURCE_DOES_NOT_EXIST" || r.status == 404)) throw BridgeException.notFound(s"run '$runId' does not exist")
    rest.expect(s"log a dataset input to run '$runId'")(r)
  }

  /**
   * Python's `get_parent_run(run_id)`: the run its `mlflow.parentRunId` tag names, or null for a
   * top-level run. (The stock client does the same in two calls: getRun, then getRun of the tag.)
   */
  def getParentRun(runId: String): Run =
    get(runId).getData.getTagsList.asScala.find(_.getKey == MlflowTagConstants.PARENT_RUN_ID).map(t => get(t.getValue)).orNull

  /**
   * Python's `MlflowClient.update_run(run_id, status, name)`: a new status and/or name (either may
   * be null; both null does nothing, as in Python). An end status also sets the end time.
   */
  def update(runId: String, status: String, runName: String): Unit = {
    if (status == null && runName == null) return
    if (status != null && !Runs.Statuses(status))
      throw BridgeException.badInput(s"run status '$status' is not one of ${Runs.Statuses.toSeq.sorted.mkString(", ")}")
    val body = Json.obj("run_id" -> runId)
    Option(status).foreach(body.put("status", _))
    if (status != null && Runs.Ended(status)) body.put("end_time", System.currentTimeMillis())
    Option(runName).foreach(body.put("run_name", _))
    val r = rest.post("runs/update", body)
    if (!r.ok && (r.errorCode == "RESOURCE_DOES_NOT_EXIST" || r.status == 404)) throw BridgeException.notFound(s"run '$runId' does not exist")
    rest.expect(s"update run '$runId'")(r)
  }
}

private[mlflowbridge] object Runs {
  val Statuses: Set[String] = Set("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")
  val Ended: Set[String] = Set("FINISHED", "FAILED", "KILLED")
}
