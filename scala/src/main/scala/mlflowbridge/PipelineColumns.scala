package mlflowbridge

import scala.collection.mutable

import org.apache.spark.ml.{PipelineModel, PredictionModel, Transformer}
import org.apache.spark.ml.feature.StringIndexerModel
import org.apache.spark.ml.param.Params

/**
 * Which columns a fitted pipeline reads from its input, found from the stages' column params
 * (inputCol(s), featuresCol) minus what earlier stages produce. Label columns are left out:
 * a StringIndexerModel whose output is a predictor's labelCol is skipped by Spark when the
 * column is absent, so scoring data need not have it.
 */
object PipelineColumns {
  private val InParams = Seq("inputCol", "inputCols", "featuresCol")
  private val OutParams = Seq("outputCol", "outputCols", "predictionCol", "rawPredictionCol", "probabilityCol", "varianceCol", "leafCol")

  def stages(model: PipelineModel): Seq[Transformer] = model.stages.toSeq.flatMap {
    case p: PipelineModel => stages(p)
    case t => Seq(t)
  }

  /** Input columns the pipeline needs, in first-use order. */
  def inputs(model: PipelineModel): Seq[String] = {
    val all = stages(model)
    val labels = labelColumns(all)
    val produced = mutable.Set.empty[String]
    val needed = mutable.LinkedHashSet.empty[String]
    all.foreach { s =>
      cols(s, InParams).filterNot(produced).filterNot(labels).foreach(needed += _)
      produced ++= cols(s, OutParams)
    }
    needed.toSeq
  }

  /** The prediction column of the last predictor ("prediction" when there is none). */
  def predictionCol(model: PipelineModel): String =
    stages(model).reverse.collectFirst { case p: PredictionModel[_, _] => p.getPredictionCol }.getOrElse("prediction")

  /** Predictors' label columns and the raw columns indexed into them. */
  private def labelColumns(all: Seq[Transformer]): Set[String] = {
    val labelCols = all.flatMap(s => cols(s, Seq("labelCol"))).toSet
    val indexedFrom = all.collect { case si: StringIndexerModel =>
      cols(si, Seq("inputCol", "inputCols")).zip(cols(si, Seq("outputCol", "outputCols"))).collect { case (in, out) if labelCols(out) => in }
    }.flatten
    labelCols ++ indexedFrom
  }

  /** The values of the named column params that the stage has and sets (or defaults). */
  private def cols(p: Params, names: Seq[String]): Seq[String] = names.flatMap { n =>
    if (!p.hasParam(n)) Nil
    else {
      val param = p.getParam(n)
      if (!p.isDefined(param)) Nil
      else p.getOrDefault(param) match {
        case s: String if s.nonEmpty => Seq(s)
        case a: Array[String] => a.toSeq
        case _ => Nil
      }
    }
  }
}
