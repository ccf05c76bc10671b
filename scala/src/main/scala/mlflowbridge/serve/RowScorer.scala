package mlflowbridge
package serve

import mlflowbridge.model.PipelineColumns

import scala.collection.mutable

import org.apache.spark.ml.{PipelineModel, PredictionModel, Transformer}
import org.apache.spark.ml.classification._
import org.apache.spark.ml.feature.{StandardScalerModel, StringIndexerModel, VectorAssembler}
import org.apache.spark.ml.linalg.{Vector, Vectors}
import org.apache.spark.ml.mlflowbridge.BridgeMlAccess
import org.apache.spark.ml.regression._
import org.apache.spark.sql.Row
import org.apache.spark.sql.types.StructType

/**
 * Scores one row at a time, without Catalyst, for pipelines made only of stages whose row
 * function is known: VectorAssembler, StandardScalerModel, a StringIndexerModel whose input
 * column is absent (Spark skips it: the label indexer), and a final linear, logistic or tree
 * predictor's own `predict`. A request is 1-row-fast because planning a DataFrame (analysis,
 * optimisation, code generation) is what costs the milliseconds. Anything else, or a row these
 * rules do not cover (a null, a NaN the assembler would refuse), is [[RowScorer.Unsupported]]
 * and goes the DataFrame path; [[ServedModel]] also checks the first answer per input schema
 * against `transform` before trusting this path for that schema.
 */
private[serve] final class RowScorer private (steps: Seq[RowScorer.Step], predictionCol: String) {

  /** The prediction for each row (fields named by `schema`). */
  def predict(schema: StructType, rows: Seq[Row]): Seq[Any] = {
    val names = schema.fieldNames
    rows.map { r =>
      val values = mutable.HashMap.empty[String, Any]
      names.indices.foreach(i => values(names(i)) = r.get(i))
      steps.foreach(_(values))
      values(predictionCol)
    }
  }
}

private[serve] object RowScorer {
  final class Unsupported(why: String) extends RuntimeException(why, null, false, false)

  private type Step = mutable.Map[String, Any] => Unit

  /** A scorer for rows of `schema`, when every stage of `model` has a known row function. */
  def of(model: PipelineModel, schema: StructType): Option[RowScorer] = {
    val stages = PipelineColumns.stages(model)
    var current = schema
    val steps = stages.zipWithIndex.map { case (stage, i) =>
      val step = stepOf(stage, current, last = i == stages.size - 1)
      if (step.isEmpty) return None
      current = stage.transformSchema(current)
      step.get
    }
    stages.lastOption.collect { case p: PredictionModel[_, _] => new RowScorer(steps, p.getPredictionCol) }
  }

  private def stepOf(stage: Transformer, schema: StructType, last: Boolean): Option[Step] = stage match {
    case si: StringIndexerModel if inputsOf(si).forall(c => !schema.fieldNames.contains(c)) => Some(_ => ()) // Spark skips it too
    case va: VectorAssembler                                                                => Some(assemble(va))
    case ss: StandardScalerModel =>
      val f = BridgeMlAccess.standardScalerFunction(ss)
      Some(values => values(ss.getOutputCol) = f(vector(values(ss.getInputCol))))
    case p: PredictionModel[_, _] if last && Predictors.exists(_.isInstance(p)) =>
      val m = p.asInstanceOf[PredictionModel[Vector, _]]
      Some(values => values(m.getPredictionCol) = m.predict(vector(values(m.getFeaturesCol))))
    case _ => None
  }

  private val Predictors: Seq[Class[_]] = Seq(
    classOf[LinearRegressionModel],
    classOf[DecisionTreeRegressionModel],
    classOf[RandomForestRegressionModel],
    classOf[GBTRegressionModel],
    classOf[LogisticRegressionModel],
    classOf[DecisionTreeClassificationModel],
    classOf[RandomForestClassificationModel],
    classOf[GBTClassificationModel]
  )

  private def inputsOf(si: StringIndexerModel): Seq[String] =
    if (si.isSet(si.inputCols)) si.getInputCols.toSeq else Seq(si.getInputCol)

  private def vector(v: Any): Vector = v match {
    case v: Vector => v
    case _         => throw new Unsupported(s"not a vector: $v")
  }

  /** VectorAssembler's row rule for numbers, booleans and vectors; a null or NaN goes the DataFrame path (handleInvalid). */
  private def assemble(va: VectorAssembler): Step = values => {
    val out = mutable.ArrayBuilder.make[Double]
    va.getInputCols.foreach { c =>
      values.getOrElse(c, null) match {
        case d: Double if !d.isNaN                   => out += d
        case f: Float if !f.isNaN                    => out += f.toDouble
        case i: Int                                  => out += i.toDouble
        case l: Long                                 => out += l.toDouble
        case s: Short                                => out += s.toDouble
        case b: Byte                                 => out += b.toDouble
        case b: Boolean                              => out += (if (b) 1.0 else 0.0)
        case v: Vector if !v.toArray.exists(_.isNaN) => out ++= v.toArray
        case other                                   => throw new Unsupported(s"column $c holds $other")
      }
    }
    values(va.getOutputCol) = Vectors.dense(out.result()).compressed
  }
}
