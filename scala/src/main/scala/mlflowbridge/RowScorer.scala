package mlflowbridge

import mlflowbridge.model.{ColSpec, InputCheck, PipelineColumns, Scoring, Signature}

import scala.jdk.CollectionConverters._
import scala.util.control.NonFatal

import com.google.common.cache.{Cache, CacheBuilder}
import org.apache.spark.ml.{PipelineModel, Transformer}
import org.apache.spark.ml.mlflowbridge.BridgeMlAccess
import org.apache.spark.ml.recommendation.ALSModel
import org.apache.spark.ml.recommendation.mlflowbridge.RowWiseALSModel
import org.apache.spark.sql.{DataFrame, Dataset, Row, SparkSession}
import org.apache.spark.sql.functions.col
import org.apache.spark.sql.mlflowbridge.RowPlan
import org.apache.spark.sql.types.{StructField, StructType}

/**
 * A Spark pipeline scoring rows in this JVM without a Spark job: for each input schema,
 * `transform` is planned once over a placeholder with no rows and its optimized plan compiled
 * ([[RowPlan]]); each row then goes through those compiled expressions only. The same
 * expressions as `transform` (after the same checks and casts as `Models.score`), so the same
 * answers; ALS, which joins its factors, is planned as its row-wise twin (factors looked up in
 * memory). A pipeline whose plan is still not row-wise (a SQLTransformer that aggregates) is
 * refused with an error naming the stage; a row a stage fails on (a null the assembler refuses) gets the CLI's error
 * naming the stage, found row by row ([[explain]]). Thread-safe: each thread gets its own
 * compiled projections. Get one with `Mlflow.models.rowScorer(uri)`.
 */
final class RowScorer private[mlflowbridge] (spark: SparkSession, val uri: String, val model: PipelineModel, signature: Option[Seq[ColSpec]]) {
  import RowScorer._

  private val predictionCol = PipelineColumns.predictionCol(model)
  // What is planned: the model with its row-wise twins (ALS). Errors name `model`'s stages, same index.
  private val planModel = rowWise(model)
  // Bounded: every schema a caller sends is planned once, and a caller can send any number of them.
  private val plans: Cache[(StructType, Boolean), Planned] = CacheBuilder.newBuilder().maximumSize(MaxSchemas).build()
  private val prefixes: Cache[StructType, Option[Seq[RowPlan]]] = CacheBuilder.newBuilder().maximumSize(MaxSchemas).build()

  /** The signature's inputs as a Spark schema (rows without a schema of their own are read by it), or null without a signature. */
  val inputSchema: StructType =
    signature.map(s => StructType(s.filter(_.name.nonEmpty).flatMap(c => Signature.sparkType(c).map(StructField(c.name, _))))).orNull

  // A model with a signature is checked at load: one whose plan is not row-wise is refused here, not at the first row.
  Option(inputSchema).foreach { s =>
    try
      planned(s, predictionOnly = false, None) match {
        case NotRowWise(e) => throw e
        case _             => ()
      }
    catch { case NonFatal(e) if !e.isInstanceOf[BridgeException] => () } // e.g. a stage that needs a first row to plan: known at the first row
  }

  /** The input columns the pipeline keeps and its outputs (probability, prediction, labels...), for one row. */
  def score(row: Row): Row = {
    val schema = schemaOf(row)
    val e = plan(schema, predictionOnly = false, Some(row)).evaluator
    explained(schema, Seq(row))(e(row).orNull) // null: a stage filtered it out (handleInvalid "skip")
  }

  /** [[score]] for each row; a row a stage filters out is left out. */
  def score(rows: java.util.List[Row]): java.util.List[Row] = rows.asScala.flatMap(r => Option(score(r))).asJava

  /** Scores the rows of a small DataFrame (collected to this JVM) and returns them as a local DataFrame. */
  def score(df: Dataset[Row]): DataFrame = {
    val rows = df.collectAsList().asScala.toSeq
    val p = plan(df.schema, predictionOnly = false, rows.headOption)
    val e = p.evaluator
    spark.createDataFrame(explained(df.schema, rows)(rows.flatMap(e(_))).asJava, p.outputSchema)
  }

  /** The model's prediction column (`predictionCol` of its last predictor) for one row. */
  def predict(row: Row): Any = {
    val schema = schemaOf(row)
    val e = plan(schema, predictionOnly = true, Some(row)).evaluator
    explained(schema, Seq(row))(e(row).map(_.get(0)).orNull)
  }

  /**
   * The prediction of each row of `schema`; Left (why) when this model's plan is not row-wise. An
   * input the model's checks refuse, or a row a stage fails on, throws in the CLI's words.
   */
  private[mlflowbridge] def predictions(schema: StructType, rows: Seq[Row]): Either[BridgeException, Seq[Any]] =
    planned(schema, predictionOnly = true, rows.headOption) match {
      case Compiled(p) =>
        val e = p.evaluator
        Right(explained(schema, rows)(rows.map(r => e(r).map(_.get(0)).orNull)))
      case NotRowWise(e) => Left(e)
      case Refused(e)    => throw e
    }

  private def schemaOf(row: Row): StructType =
    Option(row.schema)
      .orElse(Option(inputSchema))
      .getOrElse(throw BridgeException.badInput(s"$uri has no signature: give rows with a schema (GenericRowWithSchema)"))

  private def plan(schema: StructType, predictionOnly: Boolean, sample: Option[Row]): RowPlan =
    planned(schema, predictionOnly, sample) match {
      case Compiled(p)   => p
      case NotRowWise(e) => throw e
      case Refused(e)    => throw e
    }

  /**
   * What rows of `schema` get, decided on first use and remembered: the compiled plan, the error
   * of the model's checks (they read the schema only), or why the plan is not row-wise (with the
   * stage that made it so). Any other failure (a stage that plans by the sample row) is not
   * remembered: it throws, and the next call plans again.
   */
  private def planned(schema: StructType, predictionOnly: Boolean, sample: Option[Row]): Planned = {
    val key = (schema, predictionOnly)
    Option(plans.getIfPresent(key)).getOrElse {
      val made = compile(schema, predictionOnly, sample)
      plans.put(key, made)
      made
    }
  }

  private def compile(schema: StructType, predictionOnly: Boolean, sample: Option[Row]): Planned = {
    val leaf = RowPlan.placeholder(spark, schema, sample)
    try InputCheck.checkSchema(model, leaf, signature)
    catch { case e: BridgeException => return Refused(e) }
    val scored = Scoring.transform(planModel, leaf, signature) // Models.score's planning (and its errors)
    val df = if (predictionOnly) selectPrediction(scored) else scored
    RowPlan.compile(leaf, df) match {
      case Right(p)  => Compiled(p)
      case Left(why) => NotRowWise(BridgeException.badInput(s"$uri cannot be scored row by row: ${culprit(leaf).getOrElse("the model")}: $why"))
    }
  }

  private def selectPrediction(scored: DataFrame): DataFrame = {
    if (!scored.columns.contains(predictionCol))
      throw BridgeException.badInput(s"the model has no '$predictionCol' column to return; its results are ${scored.columns.mkString(", ")}")
    scored.select(col(PipelineColumns.quote(predictionCol)))
  }

  /** The first stage after which the plan stops being row-wise (named as errors name stages). */
  private def culprit(leaf: DataFrame): Option[String] = {
    val stages = PipelineColumns.stages(model)
    val twins = PipelineColumns.stages(planModel)
    var current: DataFrame = Scoring.castToSignature(leaf, signature)
    stages.indices.iterator
      .map { i =>
        try {
          current = twins(i).transform(current)
          if (RowPlan.compile(leaf, current).isLeft) Some(PipelineColumns.describeStage(i, stages.size, stages(i))) else None
        } catch { case NonFatal(_) => None }
      }
      .collectFirst { case Some(s) => s }
  }

  /** `scoring`, or, when a stage fails on one of `rows`, the error [[explain]] finds (Spark's own when it finds none). */
  private def explained[T](schema: StructType, rows: Seq[Row])(scoring: => T): T =
    try scoring
    catch { case NonFatal(e) if !e.isInstanceOf[BridgeException] => throw explain(schema, rows).getOrElse(e) }

  /**
   * Why scoring `rows` failed, in the words of `InputCheck.explainFailure` (the first stage that
   * fails, Spark's reason, the nulls and NaN in the columns it reads) without its Spark jobs: the
   * pipeline's prefixes (its input as cast, then after each stage) compiled once per schema, and
   * the rows taken through them until one fails. None when a prefix is not row-wise or no stage
   * fails (not the input's fault).
   */
  private[mlflowbridge] def explain(schema: StructType, rows: Seq[Row]): Option[BridgeException] = {
    val stages = PipelineColumns.stages(model)
    prefixPlans(schema, rows.headOption).flatMap { plans =>
      val reached = plans.map(_.evaluator) // reached(i): what stage i reads
      stages.indices.iterator
        .map { i =>
          val after = reached(i + 1)
          rows.iterator
            .flatMap(r =>
              try { after(r); None }
              catch { case NonFatal(e) => Some(e) }
            )
            .nextOption()
            .map { e =>
              InputCheck.stageFailed(i, stages.size, stages(i), e, invalid(plans(i).outputSchema, stages(i), rows.flatMap(reached(i)(_))))
            }
        }
        .collectFirst { case Some(b) => b }
    }
  }

  /** The nulls and NaN of the stage's input columns in `rows` (of `schema`), as `InputCheck` counts them with a job. */
  private def invalid(schema: StructType, stage: Transformer, rows: Seq[Row]): Seq[InputCheck.Invalid] =
    InputCheck.countedInputs(schema, stage).map { f =>
      val values = rows.map(_.get(schema.fieldIndex(f.name)))
      val nans = if (InputCheck.isFloating(f)) values.count(isNaN) else 0
      InputCheck.Invalid(f.name, values.count(_ == null).toLong, nans.toLong)
    }

  /** The compiled prefixes of the pipeline for `schema` (see [[explain]]), or None when one is not row-wise. */
  private def prefixPlans(schema: StructType, sample: Option[Row]): Option[Seq[RowPlan]] =
    Option(prefixes.getIfPresent(schema)).getOrElse {
      val made =
        try {
          val leaf = RowPlan.placeholder(spark, schema, sample)
          val frames = PipelineColumns.stages(planModel).scanLeft(Scoring.castToSignature(leaf, signature))((df, stage) => stage.transform(df))
          val compiled = frames.map(RowPlan.compile(leaf, _))
          if (compiled.forall(_.isRight)) Some(compiled.map(_.toOption.get)) else None
        } catch { case NonFatal(_) => None }
      prefixes.put(schema, made)
      made
    }
}

private object RowScorer {

  /**
   * `model` with each stage that has a row-wise twin replaced by it, flattened (the same stages
   * at the same indexes); `model` itself when none has. ALS joins its factors: its twin looks
   * them up in memory, unless they are too many (then it stays, and is named as not row-wise).
   */
  def rowWise(model: PipelineModel): PipelineModel = {
    val stages = PipelineColumns.stages(model)
    val twins = stages.map {
      case als: ALSModel => RowWiseALSModel.of(als).getOrElse(als)
      case stage         => stage
    }
    if (twins.corresponds(stages)(_ eq _)) model else BridgeMlAccess.pipelineModel(model.uid, twins.toArray)
  }

  /** Schemas remembered per scorer (a service sees one or two; a hostile caller, any number). */
  val MaxSchemas = 64

  /** What rows of one schema get. */
  sealed trait Planned
  final case class Compiled(plan: RowPlan) extends Planned
  final case class NotRowWise(error: BridgeException) extends Planned
  final case class Refused(error: BridgeException) extends Planned

  def isNaN(v: Any): Boolean = v match {
    case d: Double => d.isNaN
    case f: Float  => f.isNaN
    case _         => false
  }
}
