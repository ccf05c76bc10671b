package mlflowbridge.autolog

import mlflowbridge.{ActiveRun, DatasetSource, Mlflow, RunTags, SparkDatasets}
import mlflowbridge.model.SparkFlavor
import mlflowbridge.rest.{Json, PyJson}

import scala.collection.immutable.ListMap
import scala.jdk.CollectionConverters._

import org.apache.spark.ml.{PipelineModel, Transformer}
import org.apache.spark.ml.evaluation.Evaluator
import org.apache.spark.ml.linalg.SQLDataTypes
import org.apache.spark.ml.mlflowbridge.BridgeMlAccess
import org.apache.spark.ml.param.{ParamMap, Params}
import org.apache.spark.ml.tuning.{CrossValidator, CrossValidatorModel, TrainValidationSplit, TrainValidationSplitModel}
import org.apache.spark.sql.Dataset
import org.apache.spark.sql.types._

/**
 * What Python's `_log_pretraining_metadata` and `_log_posttraining_metadata` log, for one fit:
 * [[start]] (run, `estimator_info.json`, params, estimator tags, the training dataset) and
 * [[finish]] (tuning child runs and artifacts, the model when the allowlist takes it, run end).
 * Each part that fails costs a line through `warn`, never the caller's job.
 */
private[autolog] final class TrainingLog(val mlflow: Mlflow, val allowlist: ModelAllowlist, warn: String => Unit) {
  import TrainingLog._

  /** The tags Python's `context_registry.resolve_tags()` gives (user, source, git): the code dataset source's tags. */
  private lazy val contextTags: java.util.Map[String, String] = RunTags.systemTags(null, null, mlflow.settings).asJava

  /**
   * A new run (top level, or a child of `parent`) describing `estimator`; `dataset` (nullable) is
   * logged as the training input, with `profile` ([[SparkDatasets.profile]], a Spark job) when given.
   */
  def start(experimentId: String, estimator: Params, dataset: Dataset[_], parent: ActiveRun, profile: Option[String] = None): ActiveRun = {
    val run = create(experimentId, parent, estimatorTags(estimator))
    describe(run, estimator, dataset, profile)
    run
  }

  /** The run of a CrossValidator seen only through its fold fits (the listener has no CrossValidator object). */
  def startSearch(experimentId: String): ActiveRun =
    create(experimentId, null, java.util.Map.of("estimator_name", "CrossValidator", "estimator_class", classOf[CrossValidator].getName))

  /** A run with `tags` and the autologging tag, set as it is created (one call fewer than setting them after). */
  private def create(experimentId: String, parent: ActiveRun, tags: java.util.Map[String, String]): ActiveRun = {
    val all = new java.util.LinkedHashMap[String, String](tags)
    all.put(AutologgingTag, Integration)
    if (parent == null) mlflow.runs.start(experimentId, null, all)
    else { val c = parent.startChild(null); c.setTags(all); c }
  }

  /** `estimator_info.json`, the params and the training dataset of `estimator` into `run` (`profile`: as in [[start]]). */
  def describe(run: ActiveRun, estimator: Params, dataset: Dataset[_], profile: Option[String] = None): Unit = {
    val names = PyNames.indexedNames(estimator)
    safely(run, "estimator_info.json") {
      val info = new java.util.LinkedHashMap[String, Any]()
      if (PyNames.hasHierarchy(estimator)) info.put("hierarchy", PyNames.hierarchy(estimator, names))
      PyNames.traverse(estimator).filter(PyNames.isTuning).foreach { t =>
        val (maps, tuned) = tuning(t)
        info.put(
          names(t.uid),
          Map(
            "tuning_parameter_map_list" -> PyNames.tuningParamMaps(maps, names).map(m => ListMap(m: _*).asJava).asJava,
            "tuned_estimator_parameter_map" -> ListMap(PyNames.paramMap(tuned, 1, names): _*).asJava
          ).asJava
        )
      }
      if (!info.isEmpty) run.logDict(info, "estimator_info.json")
    }
    safely(run, "params")(run.logParams(paramsToLog(PyNames.paramMap(estimator, 0, names))))
    if (dataset != null)
      safely(run, "the training dataset")(
        mlflow.runs.logInput(run.runId, SparkDatasets.input(dataset.toDF(), DatasetSource.code(contextTags), null, "train", profile.orNull))
      )
  }

  /**
   * Logs what the fit produced into `run` and ends it FINISHED. `std` (per param map) is a
   * CrossValidator's `std_` metric, which its JVM model lacks; `prepared`: the model's files
   * [[SparkFlavor.prepare]] wrote while Spark ran (then logging the model needs no Spark).
   */
  def finish(
      run: ActiveRun,
      estimator: Params,
      model: Transformer,
      dataset: Dataset[_],
      logModel: Boolean,
      std: Option[Array[Double]] = None,
      prepared: Option[SparkFlavor.Prepared] = None
  ): Unit = {
    (estimator, model) match {
      case (t, m) if PyNames.isTuning(t) && m != null => safely(run, "the parameter search results")(logSearch(run, t, m, std))
      case _                                          =>
    }
    if (logModel && model != null) {
      if (allowlist.allows(model)) safely(run, "the model") {
        prepared match {
          case Some(p) => mlflow.models.logPrepared(run.runId, asPipeline(model), "model", p)
          case None    => run.logModel(asPipeline(model), "model", null, signatureSchema(dataset).orNull)
        }
        bestModel(model).foreach(b => run.logModel(asPipeline(b), "best_model"))
      }
      else
        warn(
          s"model ${model.uid} (${model.getClass.getName}) of run ${run.runId} is not logged: ${allowlist.firstRefused(model)} is not on the model allowlist " +
            s"(add it to a file named by the Spark conf ${ModelAllowlist.ConfKey}, or log it with run.logModel)"
        )
    }
    run.end()
  }

  /** `_create_child_runs_for_parameter_search`, `search_results.csv`, `best_parameters.json`, `best_*` params. */
  private def logSearch(run: ActiveRun, t: Params, model: Transformer, std: Option[Array[Double]]): Unit = {
    val names = PyNames.indexedNames(t)
    val (maps, tuned) = tuning(t)
    val ev = evaluator(t)
    val metric = metricName(ev)
    val metrics: Seq[(String, Array[Double])] = model match {
      case cv: CrossValidatorModel       => Seq(s"avg_$metric" -> cv.avgMetrics) ++ std.map(s"std_$metric" -> _)
      case tv: TrainValidationSplitModel => Seq(metric -> tv.validationMetrics)
      case other                         => throw new IllegalStateException(s"unknown parameter search model ${other.getClass.getName}")
    }
    val scores = metrics.head._2
    val best = if (ev.isLargerBetter) scores.indices.maxBy(scores(_)) else scores.indices.minBy(scores(_))
    val tunedMaps = PyNames.tuningParamMaps(maps, names)
    maps.indices.foreach { i =>
      val childEstimator = tuned.copy(maps(i))
      val child = run.startChild(null)
      try {
        child.setTags((estimatorTags(childEstimator).asScala ++ Map(AutologgingTag -> Integration)).asJava)
        child.logParams(paramsToLog(PyNames.paramMap(childEstimator, 0, names)))
        child.logMetrics(metrics.map { case (k, v) => k -> Double.box(v(i)) }.toMap.asJava)
        child.end()
      } catch { case e: Exception => scala.util.Try(child.end("FAILED")); throw e }
    }
    run.logText(searchResultsCsv(tunedMaps, metrics), "search_results.csv")
    run.logDict(ListMap(tunedMaps(best): _*).asJava, "best_parameters.json")
    run.logParams(paramsToLog(tunedMaps(best).map { case (k, v) => s"best_$k" -> v }))
  }

  private def safely(run: ActiveRun, what: String)(body: => Unit): Unit =
    try body
    catch { case e: Exception => warn(s"could not log $what to run ${run.runId}: ${oneLine(e)}") }
}

private[autolog] object TrainingLog {
  val AutologgingTag = "mlflow.autologging"

  /** The `mlflow.autologging` tag's value: this integration's name (Python's is `pyspark.ml`). */
  val Integration = "spark.ml"

  // mlflow/utils/validation.py: MAX_ENTITY_KEY_LENGTH, MAX_PARAM_VAL_LENGTH (`_truncate_dict`).
  private val MaxKey = 250
  private val MaxValue = 6000

  def oneLine(e: Throwable): String =
    s"${e.getClass.getSimpleName}: ${Option(e.getMessage).getOrElse("").linesIterator.toSeq.headOption.getOrElse("")}"

  /** `_get_estimator_info_tags`; `estimator_class` is the JVM class that ran. */
  def estimatorTags(estimator: Params): java.util.Map[String, String] =
    java.util.Map.of("estimator_name", estimator.getClass.getSimpleName, "estimator_class", estimator.getClass.getName)

  def paramsToLog(params: Seq[(String, Any)]): java.util.Map[String, String] = {
    val m = new java.util.LinkedHashMap[String, String]()
    params.foreach { case (k, v) => m.put(k.take(MaxKey), PyNames.str(v).take(MaxValue)) }
    m
  }

  def tuning(t: Params): (Array[ParamMap], Params) = t match {
    case cv: CrossValidator       => (cv.getEstimatorParamMaps, cv.getEstimator)
    case tv: TrainValidationSplit => (tv.getEstimatorParamMaps, tv.getEstimator)
  }

  def evaluator(t: Params): Evaluator = t match {
    case cv: CrossValidator       => cv.getEvaluator
    case tv: TrainValidationSplit => tv.getEvaluator
  }

  /** Every Spark evaluator has a `metricName` param (the base class has no getter). */
  def metricName(ev: Evaluator): String =
    if (ev.hasParam("metricName")) String.valueOf(ev.getOrDefault(ev.getParam("metricName"))) else "metric"

  def bestModel(model: Transformer): Option[Transformer] = model match {
    case cv: CrossValidatorModel       => Some(cv.bestModel)
    case tv: TrainValidationSplitModel => Some(tv.bestModel)
    case _                             => None
  }

  /** `mlflow.spark.log_model` wraps a bare model into a one-stage PipelineModel. */
  def asPipeline(model: Transformer): PipelineModel = model match {
    case p: PipelineModel => p
    case other            => BridgeMlAccess.pipelineModel(org.apache.spark.ml.util.Identifiable.randomUID("PipelineModel"), Array(other))
  }

  // mlflow.types.schema.DataType.get_spark_types(), plus ML vectors: a column of any other type means no signature (Python warns the same).
  private val SignatureTypes: Set[DataType] =
    Set(BooleanType, IntegerType, LongType, FloatType, DoubleType, StringType, BinaryType, TimestampType, SQLDataTypes.VectorType)

  def signatureSchema(dataset: Dataset[_]): Option[StructType] =
    Option(dataset).map(_.schema).filter(_.fields.forall(f => SignatureTypes(f.dataType)))

  /** pandas' `to_csv(index=False)` of Python's search results frame: params (JSON), the metrics, then `param.<name>` columns. */
  def searchResultsCsv(maps: Seq[Seq[(String, Any)]], metrics: Seq[(String, Array[Double])]): String = {
    val paramCols = maps.flatMap(_.map(_._1)).distinct
    val header = ("params" +: metrics.map(_._1)) ++ paramCols.map("param." + _)
    val rows = maps.indices.map { i =>
      val m = maps(i).toMap
      (PyJson.dumps(Json.node(ListMap(maps(i).map { case (k, v) => k -> pyJson(v) }: _*))) +: metrics.map(x => PyNames.float(x._2(i)))) ++
        paramCols.map(c => m.get(c).map(v => PyNames.str(v)).getOrElse(""))
    }
    (header +: rows).map(_.map(csvField).mkString(",")).mkString("", "\n", "\n")
  }

  private def pyJson(v: Any): Any = v match {
    case l: java.util.List[_] => l.asScala.toSeq.map(pyJson)
    case other                => other
  }

  private def csvField(s: String): String =
    if (s.exists(c => c == ',' || c == '"' || c == '\n' || c == '\r')) "\"" + s.replace("\"", "\"\"") + "\"" else s
}
