package mlflowbridge.autolog

import org.apache.spark.ml.Model
import org.apache.spark.ml.tuning.{CrossValidator, CrossValidatorModel}
import org.apache.spark.mllib.util.MLUtils
import org.apache.spark.sql.Dataset

/**
 * The per-fold metrics the JVM's CrossValidatorModel does not keep (pyspark's Python
 * CrossValidator does: `stdMetrics`). The folds are rebuilt as CrossValidator builds them
 * (`MLUtils.kFold` of the same rows with the same seed) and each sub-model is scored on its
 * validation fold; the averages equal the model's `avgMetrics`, which the caller checks.
 */
private[autolog] object FoldMetrics {

  /** Per param map, the population standard deviation over folds (numpy's `std`), or None (a fold column, no sub-models). */
  def std(cv: CrossValidator, model: CrossValidatorModel, dataset: Dataset[_]): Option[Array[Double]] = {
    if (!model.hasSubModels || (cv.isDefined(cv.foldCol) && cv.getFoldCol.nonEmpty)) return None
    val df = dataset.toDF()
    val folds = MLUtils.kFold(df.rdd, cv.getNumFolds, cv.getSeed)
    val ev = cv.getEvaluator
    val perFold: Array[Array[Double]] = folds.zipWithIndex.map { case ((_, validation), f) =>
      val v = df.sparkSession.createDataFrame(validation, df.schema)
      model.subModels(f).map(m => ev.evaluate(m.asInstanceOf[Model[_]].transform(v)))
    }
    val n = perFold.length.toDouble
    val avg = perFold.transpose.map(_.sum / n)
    if (avg.zip(model.avgMetrics).exists { case (a, b) => math.abs(a - b) > 1e-9 * math.max(1.0, math.abs(b)) }) None // folds not rebuilt exactly
    else Some(perFold.transpose.zip(avg).map { case (xs, m) => math.sqrt(xs.map(x => (x - m) * (x - m)).sum / n) })
  }
}
