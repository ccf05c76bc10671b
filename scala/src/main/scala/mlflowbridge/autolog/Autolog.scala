package mlflowbridge.autolog

import mlflowbridge.{BridgeException, DatasetSource, Mlflow, RunTags}

import scala.collection.mutable
import scala.jdk.CollectionConverters._

import org.apache.spark.internal.Logging
import org.apache.spark.ml.{Estimator, Model}
import org.apache.spark.ml.evaluation.Evaluator
import org.apache.spark.ml.param.ParamMap
import org.apache.spark.ml.tuning.{CrossValidator, CrossValidatorModel}
import org.apache.spark.ml.mlflowbridge.{AutologScope, AutologAccess}
import org.apache.spark.sql.Dataset

/**
 * `mlflow.autolog`: what no Spark event shows, logged as Python's `mlflow.pyspark.ml.autolog()`
 * logs it, from Scala, Java and (over py4j) Python:
 * {{{
 *   val cvModel = mlflow.autolog.fit(crossValidator, train)   // a run, a child run per param map, the best model
 *   mlflow.autolog.evaluate(evaluator, cvModel.transform(test), "test")  // metric "<metricName>_test" in that run
 * }}}
 * A bare estimator, a Pipeline, a CrossValidator or a TrainValidationSplit; the run goes into the
 * experiment `spark.mlflow.experimentName` of the dataset's session (settable at run time with
 * `spark.conf.set`; default: the application's name).
 * The fit is the caller's: its exception propagates (the run ends FAILED); logging failures are
 * one warning line each and never fail the call. Fits of `org.apache.spark.ml.feature` estimators are not
 * logged (as in Python). With the [[MlflowAutolog]] listener installed, it leaves the fits inside this call alone.
 */
final class Autolog(mlflow: Mlflow) extends Logging {

  private val lastRun = new java.util.concurrent.atomic.AtomicReference[String]()
  // One log per allowlist file: the list is read, and the dataset source's tags (git) are worked out, once.
  private val logs = new java.util.concurrent.ConcurrentHashMap[Option[String], TrainingLog]()
  // Python's `_AutologgingMetricsManager`: per run, the keys logged per metric (for `-2` suffixes) and metric_info.json.
  private val evaluations = mutable.Map.empty[String, mutable.LinkedHashMap[String, Any]]

  /** Fits `estimator` on `dataset` in a new autologged run and returns the model; [[lastRunId]] names the run. */
  def fit[M <: Model[M]](estimator: Estimator[M], dataset: Dataset[_]): M = {
    if (estimator == null || dataset == null) throw BridgeException.badInput("autolog.fit needs an estimator and a dataset")
    if (estimator.getClass.getName.startsWith("org.apache.spark.ml.feature.")) return estimator.fit(dataset)
    val spark = dataset.sparkSession
    val conf = spark.sparkContext.getConf
    val allowlisted = logs.computeIfAbsent(
      conf.getOption(ModelAllowlist.ConfKey),
      file => new TrainingLog(mlflow, ModelAllowlist.fromConf(file, logWarning(_)), m => logWarning(s"MLflow autologging: $m"))
    )
    val experiment = spark.conf.getOption(MlflowAutolog.ExperimentConf).getOrElse(conf.get("spark.app.name", "Default"))
    val run =
      try Some(allowlisted.start(mlflow.experiments.getOrCreate(experiment), estimator, dataset, null))
      catch {
        case e: Exception =>
          logWarning(
            s"MLflow autologging: no run for this ${estimator.getClass.getSimpleName} fit in experiment '$experiment': ${TrainingLog.oneLine(e)}"
          )
          None
      }
    run.foreach(r => lastRun.set(r.runId))
    // A CrossValidator keeps its sub-models here so that the folds' spread (std_) can be computed, as pyspark's does.
    val fitted: Estimator[M] = estimator match {
      case cv: CrossValidator if run.isDefined && !cv.getCollectSubModels =>
        cv.copy(ParamMap.empty).setCollectSubModels(true).asInstanceOf[Estimator[M]]
      case other => other
    }
    AutologAccess.post(spark.sparkContext, AutologScope(true))
    val model =
      try fitted.fit(dataset)
      catch {
        case e: Throwable =>
          run.foreach(r => scala.util.Try(r.end("FAILED")).failed.foreach(e.addSuppressed))
          throw e
      } finally AutologAccess.post(spark.sparkContext, AutologScope(false))
    val result = userModel(estimator, model)
    run.foreach { r =>
      val std = (estimator, model) match {
        case (cv: CrossValidator, m: CrossValidatorModel) =>
          try FoldMetrics.std(cv, m, dataset)
          catch { case e: Exception => logWarning(s"MLflow autologging: no std_ metrics for run ${r.runId}: ${TrainingLog.oneLine(e)}"); None }
        case _ => None
      }
      try allowlisted.finish(r, estimator, result, dataset, logModel = true, std)
      catch { case e: Exception => logWarning(s"MLflow autologging: could not finish run ${r.runId}: ${TrainingLog.oneLine(e)}") }
    }
    result
  }

  /** What the caller's estimator would have returned: its own parent, no sub-models unless it collects them. */
  private def userModel[M <: Model[M]](estimator: Estimator[M], model: M): M = (estimator, model) match {
    case (cv: CrossValidator, m: CrossValidatorModel) if !cv.getCollectSubModels && m.hasSubModels =>
      AutologAccess.withoutSubModels(m).setParent(cv).asInstanceOf[M]
    case _ => model
  }

  /** The run of the last [[fit]] in this JVM, or null. */
  def lastRunId: String = lastRun.get()

  /** [[evaluate(evaluator, predictions, datasetName, runId)]] into the run of the last [[fit]]. */
  def evaluate(evaluator: Evaluator, predictions: Dataset[_], datasetName: String): Double =
    evaluate(evaluator, predictions, datasetName, lastRunId)

  /**
   * `evaluator.evaluate(predictions)`, logged into run `runId` (null: not logged) as Python's
   * post-training metric: `{metricName}_{datasetName}` (`{metricName}-2_{datasetName}` for a
   * second call), `metric_info.json`, and `predictions` as an input with context `eval`.
   */
  def evaluate(evaluator: Evaluator, predictions: Dataset[_], datasetName: String, runId: String): Double = {
    if (evaluator == null || predictions == null) throw BridgeException.badInput("autolog.evaluate needs an evaluator and a dataset")
    if (datasetName == null || datasetName.trim.isEmpty)
      throw BridgeException.badInput("autolog.evaluate needs the dataset's name (the metric key ends with it)")
    val value = evaluator.evaluate(predictions)
    if (runId != null)
      try {
        val run = mlflow.runs.resume(runId)
        val metric = TrainingLog.metricName(evaluator)
        val info = evaluations.synchronized {
          val calls = evaluations.getOrElseUpdate(runId, mutable.LinkedHashMap.empty)
          val n = calls.keys.count(k =>
            k == s"${metric}_$datasetName" || k.matches(java.util.regex.Pattern.quote(metric) + "-\\d+_" + java.util.regex.Pattern.quote(datasetName))
          )
          val key = (if (n == 0) metric else s"$metric-${n + 1}") + "_" + datasetName
          calls.put(
            key,
            Map(
              "evaluator_class" -> ModelAllowlist.pythonName(evaluator.getClass.getName),
              "params" -> TrainingLog.paramsToLog(PyNames.paramMap(evaluator, 0, Map.empty)).asScala.toMap.asJava
            ).asJava
          )
          run.logMetric(key, value)
          new java.util.TreeMap[String, Any](calls.asJava)
        }
        run.logDict(info, "metric_info.json")
        run.logInput(predictions.toDF(), DatasetSource.code(RunTags.systemTags(null, null, mlflow.settings).asJava), null, "eval")
      } catch { case e: Exception => logWarning(s"MLflow autologging: could not log the evaluation into run $runId: ${TrainingLog.oneLine(e)}") }
    value
  }
}
