package mlflowbridge

import mlflowbridge.model.{ColSpec, PipelineColumns, Scoring, Signature}

import java.util.concurrent.ConcurrentHashMap

import scala.jdk.CollectionConverters._
import scala.util.control.NonFatal

import org.apache.spark.ml.PipelineModel
import org.apache.spark.sql.{DataFrame, Dataset, Row, SparkSession}
import org.apache.spark.sql.functions.col
import org.apache.spark.sql.mlflowbridge.RowPlan
import org.apache.spark.sql.types.{StructField, StructType}

/**
 * A Spark pipeline scoring rows in this JVM without a Spark job: for each input schema,
 * `transform` is planned once over a placeholder with no rows and its optimized plan compiled
 * ([[RowPlan]]); each row then goes through those compiled expressions only. The same
 * expressions as `transform` (after the same checks and casts as `Models.score`), so the same
 * answers. A pipeline whose plan is not row-wise (ALS joins its factors) is refused with an error naming the stage. Thread-safe: each thread gets its own
 * compiled projections. Get one with `Mlflow.models.rowScorer(uri)`.
 */
final class RowScorer private[mlflowbridge] (spark: SparkSession, val uri: String, val model: PipelineModel, signature: Option[Seq[ColSpec]]) {
  private val predictionCol = PipelineColumns.predictionCol(model)
  private val plans = new ConcurrentHashMap[(StructType, Boolean), Either[BridgeException, RowPlan]]()

  /** The signature's inputs as a Spark schema (rows without a schema of their own are read by it), or null without a signature. */
  val inputSchema: StructType =
    signature.map(s => StructType(s.filter(_.name.nonEmpty).flatMap(c => Signature.sparkType(c).map(StructField(c.name, _))))).orNull

  // A model with a signature is checked at load: one whose plan is not row-wise is refused here, not at the first row.
  Option(inputSchema).foreach { s =>
    try plan(s, predictionOnly = false, None)
    catch { case NonFatal(e) if !isRefusal(e) => () } // e.g. a stage that needs a first row to plan: known at the first row
  }

  /** The input columns the pipeline keeps and its outputs (probability, prediction, labels...), for one row. */
  def score(row: Row): Row = {
    plan(schemaOf(row), predictionOnly = false, Some(row)).evaluator(row).orNull // null: a stage filtered it out (handleInvalid "skip")
  }

  /** [[score]] for each row; a row a stage filters out is left out. */
  def score(rows: java.util.List[Row]): java.util.List[Row] = rows.asScala.flatMap(r => Option(score(r))).asJava

  /** Scores the rows of a small DataFrame (collected to this JVM) and returns them as a local DataFrame. */
  def score(df: Dataset[Row]): DataFrame = {
    val rows = df.collectAsList().asScala
    val p = plan(df.schema, predictionOnly = false, rows.headOption)
    val e = p.evaluator
    spark.createDataFrame(rows.flatMap(e(_)).asJava, p.outputSchema)
  }

  /** The model's prediction column (`predictionCol` of its last predictor) for one row. */
  def predict(row: Row): Any = {
    val out = plan(schemaOf(row), predictionOnly = true, Some(row)).evaluator(row)
    out.map(_.get(0)).orNull
  }

  /** The prediction of each row of `schema`, or the error that refuses this model or schema. */
  private[mlflowbridge] def predictions(schema: StructType, rows: Seq[Row]): Seq[Any] = {
    val e = plan(schema, predictionOnly = true, rows.headOption).evaluator
    rows.map(r => e(r).map(_.get(0)).orNull)
  }

  /** Whether `e` is this scorer refusing a plan that is not row-wise (not a check of the input). */
  private[mlflowbridge] def isRefusal(e: Throwable): Boolean = plans.values.asScala.exists(_.left.exists(_ eq e))

  private def schemaOf(row: Row): StructType =
    Option(row.schema)
      .orElse(Option(inputSchema))
      .getOrElse(throw BridgeException.badInput(s"$uri has no signature: give rows with a schema (GenericRowWithSchema)"))

  /**
   * The compiled plan for rows of `schema`, made on first use. An input the model's checks refuse
   * (a missing column) is not remembered, so the next call says the same; a plan that is not
   * row-wise is remembered with the stage that made it so.
   */
  private def plan(schema: StructType, predictionOnly: Boolean, sample: Option[Row]): RowPlan = {
    val key = (schema, predictionOnly)
    val known = plans.get(key)
    val got =
      if (known != null) known
      else {
        val made = compile(schema, predictionOnly, sample)
        plans.putIfAbsent(key, made)
        made
      }
    got.fold(e => throw e, identity)
  }

  private def compile(schema: StructType, predictionOnly: Boolean, sample: Option[Row]): Either[BridgeException, RowPlan] = {
    val leaf = RowPlan.placeholder(spark, schema, sample)
    val scored = Scoring.transform(model, leaf, signature) // the checks (and their errors) of Models.score; throws for a bad schema
    val df = if (predictionOnly) selectPrediction(scored) else scored
    RowPlan
      .compile(leaf, df)
      .left
      .map(why => BridgeException.badInput(s"$uri cannot be scored row by row: ${culprit(leaf).getOrElse("the model")}: $why"))
  }

  private def selectPrediction(scored: DataFrame): DataFrame = {
    if (!scored.columns.contains(predictionCol))
      throw BridgeException.badInput(s"the model has no '$predictionCol' column to return; its results are ${scored.columns.mkString(", ")}")
    scored.select(col(PipelineColumns.quote(predictionCol)))
  }

  /** The first stage after which the plan stops being row-wise (named as errors name stages). */
  private def culprit(leaf: DataFrame): Option[String] = {
    val stages = PipelineColumns.stages(model)
    var current: DataFrame = Scoring.castToSignature(leaf, signature)
    stages.indices.iterator
      .map { i =>
        try {
          current = stages(i).transform(current)
          if (RowPlan.compile(leaf, current).isLeft) Some(PipelineColumns.describeStage(i, stages.size, stages(i))) else None
        } catch { case NonFatal(_) => None }
      }
      .collectFirst { case Some(s) => s }
  }
}
