package mlflowbridge
package bench

import org.apache.spark.ml.{PipelineModel, PredictionModel}
import org.apache.spark.ml.feature.VectorAssembler
import org.apache.spark.ml.linalg.{Vector, Vectors}
import org.apache.spark.sql.Row

/**
 * Benchmark P10's timing loops, run inside the JVM so that no Python call is timed: the nanoseconds
 * of each of `n` calls of [[RowScorer.predict]] on one row, and of the floor, the pipeline's last
 * predictor's own `predict(Vector)` on that row's features assembled beforehand.
 */
object RowLatency {
  def scorer(scorer: RowScorer, row: Row, n: Int): Array[Long] = timed(n)(scorer.predict(row))

  /** The floor: the last stage's `predict` on the features of `row` (its VectorAssembler's input columns, as doubles). */
  def predictor(model: PipelineModel, row: Row, n: Int): Array[Long] = {
    val assembler =
      model.stages.collectFirst { case a: VectorAssembler => a }.getOrElse(throw BridgeException.badInput("the model has no VectorAssembler"))
    val features: Vector = Vectors.dense(assembler.getInputCols.map(c => row.getAs[Number](c).doubleValue()))
    val predictor = model.stages.last.asInstanceOf[PredictionModel[Vector, _]]
    timed(n)(predictor.predict(features))
  }

  private def timed(n: Int)(call: => Any): Array[Long] = {
    val out = new Array[Long](n)
    var sink = 0
    var i = 0
    while (i < n) {
      val t = System.nanoTime()
      sink += call.hashCode
      out(i) = System.nanoTime() - t
      i += 1
    }
    if (sink == 42) out(0) += 1 // keeps the calls from being optimised away
    out
  }
}
