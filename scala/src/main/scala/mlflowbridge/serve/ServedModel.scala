package mlflowbridge
package serve

import mlflowbridge.model.{ColSpec, PipelineColumns, Scoring}

import java.io.ByteArrayOutputStream

import org.apache.spark.ml.PipelineModel
import org.apache.spark.ml.linalg.Vector
import org.apache.spark.sql.{Row, SparkSession}
import org.apache.spark.sql.functions.col

/**
 * One loaded model answering scoring requests, as the pyfunc spark flavor does
 * (`mlflow.spark._PyFuncModelWrapper.predict`): the request becomes a DataFrame, goes through
 * the same checks and `transform` as the CLI (`Scoring.score`), and only the model's prediction
 * column comes back, as `{"predictions": [...]}`.
 */
private[serve] final class ServedModel(spark: SparkSession, model: PipelineModel, signature: Option[Seq[ColSpec]]) {
  private val predictionCol = PipelineColumns.predictionCol(model)

  /** The response body for one parsed request. */
  def predict(table: RequestTable): Array[Byte] = {
    if (table.rows.isEmpty) throw RequestError.badRequest("input has no rows")
    val df = RequestFrame.of(spark, table, signature)
    val scored = Scoring.score(model, df, signature)
    if (!scored.columns.contains(predictionCol))
      throw RequestError.badRequest(s"the model has no '$predictionCol' column to return; its results are ${scored.columns.mkString(", ")}")
    render(scored.select(col(PipelineColumns.quote(predictionCol))).collect())
  }

  /** `{"predictions": [...]}` as Python's json.dumps writes it (NaN and Infinity bare). */
  private def render(rows: Array[Row]): Array[Byte] = {
    val out = new ByteArrayOutputStream(64 + rows.length * 24)
    val g = rest.Json.mapper.getFactory.createGenerator(out)
    g.writeStartObject()
    g.writeArrayFieldStart("predictions")
    rows.foreach(r => value(g, r.get(0)))
    g.writeEndArray()
    g.writeEndObject()
    g.close()
    out.toByteArray
  }

  private def value(g: com.fasterxml.jackson.core.JsonGenerator, v: Any): Unit = v match {
    case null                         => g.writeNull()
    case d: Double if d.isNaN         => g.writeRawValue("NaN")
    case d: Double if d.isPosInfinity => g.writeRawValue("Infinity")
    case d: Double if d.isNegInfinity => g.writeRawValue("-Infinity")
    case d: Double                    => g.writeNumber(d)
    case f: Float                     => value(g, f.toDouble)
    case i: Int                       => g.writeNumber(i)
    case l: Long                      => g.writeNumber(l)
    case s: String                    => g.writeString(s)
    case b: Boolean                   => g.writeBoolean(b)
    case vec: Vector                  => g.writeStartArray(); vec.toArray.foreach(value(g, _)); g.writeEndArray()
    case xs: scala.collection.Seq[_]  => g.writeStartArray(); xs.foreach(value(g, _)); g.writeEndArray()
    case other                        => g.writeString(other.toString)
  }
}
