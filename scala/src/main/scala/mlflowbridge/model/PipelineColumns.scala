package mlflowbridge
package model

import scala.util.control.NonFatal

import org.apache.spark.ml.{PipelineModel, Transformer}
import org.apache.spark.ml.feature.{IndexToString, RFormulaModel}
import org.apache.spark.ml.param.Params
import org.apache.spark.ml.tuning.{CrossValidatorModel, TrainValidationSplitModel}
import org.apache.spark.sql.types.StructType

/**
 * What a fitted pipeline reads and writes, decided by Spark itself: each stage's own
 * `transformSchema` (which knows RFormula's formula, SQLTransformer's statement, text stages,
 * and that a StringIndexerModel skips an absent label column), never by guessing from params.
 */
private[mlflowbridge] object PipelineColumns {

  /** The stages Spark runs: nested pipelines flattened, tuning models by their best model (what their transform runs). */
  def stages(model: PipelineModel): Seq[Transformer] = model.stages.toSeq.flatMap(flatten)

  private def flatten(t: Transformer): Seq[Transformer] = t match {
    case p: PipelineModel               => stages(p)
    case cv: CrossValidatorModel        => flatten(cv.bestModel.asInstanceOf[Transformer])
    case tvs: TrainValidationSplitModel => flatten(tvs.bestModel.asInstanceOf[Transformer])
    case other                          => Seq(other)
  }

  /** A stage that does not accept the schema it is given, and Spark's reason. */
  final case class Misfit(
      index: Int,
      count: Int,
      stage: Transformer,
      schema: StructType,
      error: Throwable,
      input: StructType = new StructType(),
      earlier: Seq[Transformer] = Nil
  ) {
    def describe: String = describeStage(index, count, stage)

    /**
     * The input columns to blame: those this stage names as inputs that are absent where it runs;
     * one that an earlier stage should have produced (a StringIndexerModel skips an absent
     * column) is traced back to that stage's inputs missing from the input.
     */
    def missingColumns: Seq[String] = declaredInputs(stage)
      .filterNot(schema.fieldNames.contains)
      .flatMap { c =>
        earlier.reverse
          .find(s => declaredOutputs(s).contains(c))
          .fold(Seq(c))(s => declaredInputs(s).filterNot(input.fieldNames.contains))
      }
      .distinct
  }

  def describeStage(index: Int, count: Int, stage: Transformer): String =
    s"stage ${index + 1} of $count (${stage.getClass.getSimpleName} '${stage.uid}')"

  /** The first stage whose `transformSchema` rejects what reaches it from `schema`, if any. */
  def misfit(model: PipelineModel, schema: StructType): Option[Misfit] = {
    val all = stages(model)
    var current = schema
    all.indices.iterator
      .map { i =>
        try { current = all(i).transformSchema(current); None }
        catch { case NonFatal(e) => Some(Misfit(i, all.size, all(i), current, e, schema, all.take(i))) }
      }
      .collectFirst { case Some(m) => m }
  }

  def fits(model: PipelineModel, schema: StructType): Boolean = misfit(model, schema).isEmpty

  /**
   * The columns of `schema` (which the model accepts) that the pipeline needs: each one whose
   * absence makes Spark refuse the schema, in `transformSchema` or, for stages whose
   * `transformSchema` does not look at their inputs (Interaction), when their `transform`
   * analyses its plan on no rows. A label that a StringIndexerModel would index is not needed
   * (Spark skips that stage when the column is absent), and neither is anything the pipeline ignores.
   */
  def requiredInputs(model: PipelineModel, schema: StructType): Seq[String] = {
    def without(name: String) = StructType(schema.fields.filterNot(_.name == name))
    lazy val baseline = refusingStages(model, schema)
    schema.fieldNames.toSeq.filter(name => !fits(model, without(name)) || refusingStages(model, without(name)) != baseline)
  }

  /**
   * The stages whose `transform` fails on a frame of no rows with the schema that reaches them.
   * Compared with the full schema's set, so that a failure unrelated to the column (a
   * VectorAssembler that infers vector sizes from the first row) does not count.
   */
  private def refusingStages(model: PipelineModel, schema: StructType): Set[Int] = {
    val spark = org.apache.spark.sql.SparkSession.active
    def empty(s: StructType) = spark.createDataFrame(java.util.Collections.emptyList[org.apache.spark.sql.Row](), s)
    val all = stages(model)
    var current = empty(schema) // transformed frames carry the ML attributes later stages read
    all.indices.filter { i =>
      scala.util.Try(all(i).transform(current)) match {
        case scala.util.Success(next) => current = next; false
        case scala.util.Failure(_) =>
          current = empty(scala.util.Try(all(i).transformSchema(current.schema)).getOrElse(current.schema))
          true
      }
    }.toSet
  }

  /**
   * The model's results on `schema`, in the order Spark appends them: every column a predictor
   * adds (prediction, rawPrediction, probability, variance; cluster ids; recommendations),
   * labels mapped back by IndexToString, and every other column a stage adds that no later stage
   * needs (by Spark's rule: the rest of the pipeline still accepts the schema without it).
   * Intermediate columns (tokens, assembled features) are left out.
   */
  def outputs(model: PipelineModel, schema: StructType): Seq[String] = {
    val all = stages(model)
    val schemas = all.scanLeft(schema)((s, stage) => stage.transformSchema(s))
    val results = all.indices.flatMap { i =>
      val stage = all(i)
      val added = schemas(i + 1).fieldNames.filterNot(schemas(i).fieldNames.contains).toSeq
      val rest = all.drop(i + 1)
      val isResult = stage.hasParam("predictionCol") || stage.isInstanceOf[IndexToString]
      added.filter(c => isResult || !neededBy(rest, schemas(i + 1), c))
    }
    results.distinct.filterNot(schema.fieldNames.contains)
  }

  // Also by name: some stages' transformSchema does not look at their inputs (Interaction).
  private def neededBy(rest: Seq[Transformer], schema: StructType, column: String): Boolean =
    rest.exists(s => declaredInputs(s).contains(column)) ||
      scala.util.Try(rest.foldLeft(StructType(schema.fields.filterNot(_.name == column)))((s, stage) => stage.transformSchema(s))).isFailure

  /** Java/Python-friendly [[outputs]]. */
  def outputColumns(model: PipelineModel, schema: StructType): java.util.List[String] = {
    import scala.jdk.CollectionConverters._
    outputs(model, schema).asJava
  }

  /** The prediction column of the last stage that has one ("prediction" when none does). */
  def predictionCol(model: PipelineModel): String =
    stages(model).reverse.flatMap(s => values(s, Seq("predictionCol"))).headOption.getOrElse("prediction")

  /** Column names a stage declares in its input params (RFormula's featuresCol is an output). */
  def declaredInputs(stage: Params): Seq[String] = stage match {
    case r: RFormulaModel => Nil
    case s                => values(s, Seq("inputCol", "inputCols", "featuresCol", "userCol", "itemCol", "itemsCol"))
  }

  private def declaredOutputs(stage: Params): Seq[String] = values(stage, Seq("outputCol", "outputCols"))

  /** A column name for Spark's `col()`, backticks escaped: names may hold dots, spaces and backticks. */
  def quote(name: String): String = s"`${name.replace("`", "``")}`"

  /** The values of the named column params that the stage has and sets (or defaults). */
  private def values(p: Params, names: Seq[String]): Seq[String] = names.flatMap { n =>
    if (!p.hasParam(n)) Nil
    else {
      val param = p.getParam(n)
      if (!p.isDefined(param)) Nil
      else
        p.getOrDefault(param) match {
          case s: String if s.nonEmpty => Seq(s)
          case a: Array[String]        => a.toSeq
          case _                       => Nil
        }
    }
  }
}
