package org.apache.spark.ml
package mlflowbridge

import org.apache.spark.ml.util.DefaultParamsReader
import org.apache.spark.sql.SparkSession

/**
 * The private[ml] calls mlflowbridge needs to rebuild a pipeline that Python wrote
 * (`"class": "pyspark.ml.pipeline.PipelineModel"`), which `PipelineModel.load` refuses.
 * They are public in bytecode; this object lives in Spark's package only to reach them.
 */
object BridgeMlAccess {

  /** Loads one saved stage by the class named in its own metadata. */
  def loadStage(path: String, spark: SparkSession): Transformer =
    DefaultParamsReader.loadParamsInstance[Transformer](path, spark)

  def pipelineModel(uid: String, stages: Array[Transformer]): PipelineModel = new PipelineModel(uid, stages)

  /** StandardScalerModel's row function, built as its `transform` builds it (for the scoring server's row path). */
  def standardScalerFunction(m: feature.StandardScalerModel): linalg.Vector => linalg.Vector = {
    val shift = if (m.getWithMean) m.mean.toArray else Array.emptyDoubleArray
    val scale = if (m.getWithStd) m.std.toArray.map(v => if (v == 0) 0.0 else 1.0 / v) else Array.emptyDoubleArray
    feature.StandardScalerModel.getTransformFunc(shift, scale, m.getWithMean, m.getWithStd)
  }
}
