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
}
