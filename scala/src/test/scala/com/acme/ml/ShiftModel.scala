package com.acme.ml

import org.apache.hadoop.fs.Path
import org.apache.spark.ml.Model
import org.apache.spark.ml.param.{DoubleParam, Param, ParamMap}
import org.apache.spark.ml.util.{DefaultParamsReadable, DefaultParamsWritable, Identifiable, MLReadable, MLReader, MLWriter}
import org.apache.spark.sql.{DataFrame, Dataset}
import org.apache.spark.sql.functions.{col, lit}
import org.apache.spark.sql.types.{DoubleType, StructField, StructType}

/**
 * A team's own stage, as a user would write it outside Spark, for the custom-stage tests:
 * `outputCol = inputCol * scale + offset`, with params (`inputCol`, `outputCol`, `scale`) and
 * saved state (`offset`, in `data/` next to Spark's metadata, by its own writer and reader).
 * The pytest suites compile this file with the Scala compiler of the pyspark wheel into a jar.
 */
class ShiftModel(override val uid: String) extends Model[ShiftModel] with DefaultParamsWritable {
  def this() = this(Identifiable.randomUID("shift"))

  final val inputCol = new Param[String](this, "inputCol", "the column to shift")
  final val outputCol = new Param[String](this, "outputCol", "the shifted column")
  final val scale = new DoubleParam(this, "scale", "the factor applied before the offset")
  setDefault(scale -> 1.0, outputCol -> "shifted")

  /** The state a fit would learn (e.g. a column's mean); saved in data/. */
  var offset: Double = 0.0

  def setInputCol(v: String): this.type = set(inputCol, v)
  def setOutputCol(v: String): this.type = set(outputCol, v)
  def setScale(v: Double): this.type = set(scale, v)
  def setOffset(v: Double): this.type = { offset = v; this }

  override def transform(ds: Dataset[_]): DataFrame = {
    transformSchema(ds.schema, logging = true)
    ds.withColumn($(outputCol), col($(inputCol)).cast(DoubleType) * lit($(scale)) + lit(offset))
  }

  override def transformSchema(schema: StructType): StructType = {
    require(schema.fieldNames.contains($(inputCol)), s"ShiftModel: input column '${$(inputCol)}' is missing")
    schema.add(StructField($(outputCol), DoubleType, nullable = true))
  }

  override def copy(extra: ParamMap): ShiftModel = copyValues(new ShiftModel(uid).setOffset(offset), extra).setParent(parent)

  override def write: MLWriter = new ShiftModel.Writer(this, super.write)
}

object ShiftModel extends MLReadable[ShiftModel] {
  private object Params extends DefaultParamsReadable[ShiftModel]

  private class Writer(m: ShiftModel, params: MLWriter) extends MLWriter {
    override protected def saveImpl(path: String): Unit = {
      params.session(sparkSession).save(path) // metadata/: class, uid, params
      sparkSession.createDataFrame(Seq(Tuple1(m.offset))).toDF("offset").write.parquet(new Path(path, "data").toString)
    }
  }

  override def read: MLReader[ShiftModel] = new MLReader[ShiftModel] {
    override def load(path: String): ShiftModel = {
      val m = Params.read.session(sparkSession).load(path)
      m.setOffset(sparkSession.read.parquet(new Path(path, "data").toString).head().getDouble(0))
    }
  }

  override def load(path: String): ShiftModel = super.load(path)
}
