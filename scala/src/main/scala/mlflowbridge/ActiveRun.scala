package mlflowbridge

import mlflowbridge.rest._

import java.nio.file.Paths

import scala.jdk.CollectionConverters._

import org.apache.spark.ml.PipelineModel
import org.apache.spark.sql.{Dataset, Row}
import org.apache.spark.sql.types.StructType
import org.mlflow.api.proto.Service.{LogBatch, Metric, Param, RunInfo, RunTag}
import org.mlflow.tracking.utils.MlflowTagConstants

/**
 * One run, from [[Runs.start]] or inside [[Runs.withRun]]: logging, artifacts, models, child
 * runs. Batches are split to the server's limits (1,000 metrics, 100 params or tags per
 * request) as Python's client splits them; the stock `logBatch` sends one request the server
 * rejects.
 */
final class ActiveRun private[mlflowbridge] (mlflow: Mlflow, val runId: String, val experimentId: String, sourceName: String) {

  def logParam(key: String, value: String): Unit = logBatch(null, java.util.List.of(param(key, value)), null)
  def logParams(params: java.util.Map[String, String]): Unit =
    logBatch(null, params.asScala.map { case (k, v) => param(k, v) }.toSeq.asJava, null)

  def logMetric(key: String, value: Double): Unit = logMetric(key, value, 0L)
  def logMetric(key: String, value: Double, step: Long): Unit = logMetrics(java.util.Map.of(key, Double.box(value)), step)
  def logMetrics(metrics: java.util.Map[String, java.lang.Double]): Unit = logMetrics(metrics, 0L)
  def logMetrics(metrics: java.util.Map[String, java.lang.Double], step: Long): Unit = {
    val now = System.currentTimeMillis()
    val ms = metrics.asScala.map { case (k, v) => Metric.newBuilder().setKey(k).setValue(v).setTimestamp(now).setStep(step).build() }
    logBatch(ms.toSeq.asJava, null, null)
  }

  def setTag(key: String, value: String): Unit = logBatch(null, null, java.util.List.of(tag(key, value)))
  def setTags(tags: java.util.Map[String, String]): Unit = logBatch(null, null, tags.asScala.map { case (k, v) => tag(k, v) }.toSeq.asJava)

  /** Any number of metrics, params and tags (each argument nullable), in as many requests as the server's limits need. */
  def logBatch(metrics: java.lang.Iterable[Metric], params: java.lang.Iterable[Param], tags: java.lang.Iterable[RunTag]): Unit = {
    def all[T](xs: java.lang.Iterable[T]): Seq[T] = Option(xs).fold(Seq.empty[T])(_.asScala.toSeq)
    val requests =
      all(params).grouped(ActiveRun.MaxParamsOrTags).map(p => LogBatch.newBuilder().addAllParams(p.asJava)) ++
        all(tags).grouped(ActiveRun.MaxParamsOrTags).map(t => LogBatch.newBuilder().addAllTags(t.asJava)) ++
        all(metrics).grouped(ActiveRun.MaxMetrics).map(m => LogBatch.newBuilder().addAllMetrics(m.asJava))
    requests.foreach { b =>
      val r = mlflow.rest.postJson("runs/log-batch", Protos.json(b.setRunId(runId).build()))
      if (r.errorCode == "INVALID_PARAMETER_VALUE") throw BridgeException.badInput(s"run '$runId' refused the batch: ${r.message}")
      mlflow.rest.expect(s"log to run '$runId'")(r)
    }
  }

  /** Python's `log_artifact(s)`; the in-memory writers below are [[ArtifactStore]]'s for this run. A file lands at `<artifactPath>/<name>`, a directory's contents under `<artifactPath>/` (null = root). */
  def logArtifacts(localPath: String, artifactPath: String): Unit = mlflow.artifacts.logArtifacts(runId, Paths.get(localPath), artifactPath)

  def logText(text: String, artifactFile: String): Unit = mlflow.artifacts.logText(runId, text, artifactFile)
  def logDict(dictionary: java.util.Map[String, _], artifactFile: String): Unit = mlflow.artifacts.logDict(runId, dictionary, artifactFile)
  def logImage(image: Array[Byte], artifactFile: String): Unit = mlflow.artifacts.logImage(runId, image, artifactFile)
  def logImage(image: java.awt.image.BufferedImage, artifactFile: String): Unit = mlflow.artifacts.logImage(runId, image, artifactFile)
  def logTable(data: Dataset[Row], artifactFile: String): Unit = mlflow.artifacts.logTable(runId, data, artifactFile)
  def logTable(columns: java.util.List[String], rows: java.util.List[java.util.List[Object]], artifactFile: String): Unit =
    mlflow.artifacts.logTable(runId, columns, rows, artifactFile)

  /** `mlflow.log_input` of a Spark dataset into this run; see [[Runs.logInput]]. */
  def logInput(df: Dataset[Row], source: DatasetSource, name: String, context: String): Unit =
    mlflow.runs.logInput(runId, df, source, name, context)

  /** `mlflow.spark.log_model` into this run; see [[Models.log]]. */
  def logModel(model: PipelineModel, artifactPath: String): ModelInfo = mlflow.models.log(runId, model, artifactPath, null, null)
  def logModel(model: PipelineModel, artifactPath: String, inputExample: Dataset[Row], trainingSchema: StructType): ModelInfo =
    mlflow.models.log(runId, model, artifactPath, inputExample, trainingSchema)

  /**
   * Python's `start_run(nested=True)`: a run in the same experiment tagged with this one as
   * `mlflow.parentRunId`, with the parent's source (the same program, as in Python).
   */
  def startChild(runName: String): ActiveRun = {
    val tags = new java.util.HashMap[String, String]()
    tags.put(MlflowTagConstants.PARENT_RUN_ID, runId)
    Option(sourceName).foreach(tags.put(MlflowTagConstants.SOURCE_NAME, _))
    mlflow.runs.start(experimentId, runName, tags)
  }

  /** [[Runs.withRun]] for a child run. */
  def withChild[T](runName: String)(body: java.util.function.Function[ActiveRun, T]): T = startChild(runName).scope(body)

  def info(): RunInfo = mlflow.runs.get(runId).getInfo

  /** Ends the run FINISHED. */
  def end(): Unit = end("FINISHED")

  /** Ends the run with `status` (FINISHED, FAILED or KILLED). */
  def end(status: String): Unit = {
    if (!Runs.Ended(status)) throw BridgeException.badInput(s"a run ends FINISHED, FAILED or KILLED, not '$status'")
    mlflow.runs.update(runId, status, null)
  }

  private[mlflowbridge] def scope[T](body: java.util.function.Function[ActiveRun, T]): T = {
    val result =
      try body.apply(this)
      catch {
        case e: Throwable =>
          scala.util.Try(end("FAILED")).failed.foreach(e.addSuppressed)
          throw e
      }
    end()
    result
  }

  override def toString: String = s"ActiveRun($runId in experiment $experimentId)"

  private def param(k: String, v: String) = Param.newBuilder().setKey(k).setValue(v).build()
  private def tag(k: String, v: String) = RunTag.newBuilder().setKey(k).setValue(v).build()
}

private[mlflowbridge] object ActiveRun {
  // MLflow's server limits (mlflow/utils/validation.py: MAX_METRICS_PER_BATCH, MAX_PARAMS_TAGS_PER_BATCH).
  val MaxMetrics = 1000
  val MaxParamsOrTags = 100
}
