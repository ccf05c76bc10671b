package mlflowbridge
package serve

import mlflowbridge.model.{ColSpec, InputCheck, PipelineColumns, Scoring}
import mlflowbridge.onnx.OnnxModel

import java.io.ByteArrayOutputStream
import java.util.concurrent.atomic.AtomicBoolean

import scala.jdk.CollectionConverters._
import scala.util.control.NonFatal

import org.apache.spark.ml.PipelineModel
import org.apache.spark.ml.linalg.Vector
import org.apache.spark.sql.{Row, SparkSession}
import org.apache.spark.sql.functions.col
import org.apache.spark.sql.types.StructType

/**
 * One loaded model answering scoring requests, as the pyfunc spark flavor does
 * (`mlflow.spark._PyFuncModelWrapper.predict`): the request's rows go through the same checks
 * and `transform` as the CLI (`Scoring.score`), and only the model's prediction column comes
 * back, as `{"predictions": [...]}`. Rows are scored by [[RowScorer]] (the plan compiled once
 * per input schema, no Spark job per request). A model whose plan is not row-wise is named in
 * the log once and takes the DataFrame path. A request the model's checks refuse, or with a row
 * a stage fails on (a null the assembler refuses), gets the CLI's error from the row path itself
 * (no Spark job: [[RowScorer]] finds the failing stage row by row).
 */
private[serve] final class ServedModel(spark: SparkSession, model: PipelineModel, signature: Option[Seq[ColSpec]]) extends Served {
  private val predictionCol = PipelineColumns.predictionCol(model)
  private val named = new AtomicBoolean(false)

  private val scorer: Option[RowScorer] =
    try Some(new RowScorer(spark, "the served model", model, signature))
    catch { case e: BridgeException => nameOnce(e); None }

  /** The response body for one parsed request, and which path scored it (row or DataFrame). */
  override def predict(table: RequestTable): Prediction = {
    if (table.rows.isEmpty) throw RequestError.badRequest("input has no rows")
    val (schema, rows) = RequestFrame.typed(table, signature)
    val fast = scorer.flatMap { s =>
      try s.predictions(schema, rows).fold(e => { nameOnce(e); None }, Some(_))
      catch { case NonFatal(e) if !e.isInstanceOf[BridgeException] => None } // a stage that plans by its data: the DataFrame path scores it
    }
    fast match {
      case Some(predictions) => Prediction(Served.render(predictions), ScoringPath.Row)
      case None              => Prediction(Served.render(viaDataFrame(schema, rows)), ScoringPath.DataFrame)
    }
  }

  private def nameOnce(e: BridgeException): Unit =
    if (named.compareAndSet(false, true)) System.err.println(s"mlflow-bridge serve: ${e.getMessage}; its requests take the DataFrame path")

  /** Checked, transformed and collected as the CLI scores (`Scoring.score`). */
  private def viaDataFrame(schema: StructType, rows: Seq[Row]): Seq[Any] = {
    val df = spark.createDataFrame(rows.asJava, schema)
    val scored = Scoring.score(model, df, signature)
    if (!scored.columns.contains(predictionCol))
      throw RequestError.badRequest(s"the model has no '$predictionCol' column to return; its results are ${scored.columns.mkString(", ")}")
    // A stage that fails on the rows (a null the assembler refuses) fails here: named as the CLI names it.
    try scored.select(col(PipelineColumns.quote(predictionCol))).collect().toSeq.map(_.get(0))
    catch {
      case NonFatal(e) if !e.isInstanceOf[BridgeException] => throw InputCheck.explainFailure(model, Scoring.castToSignature(df, signature), e)
    }
  }
}

/** A loaded model answering scoring requests: the response body and which path scored it. */
private[serve] trait Served {
  def predict(table: RequestTable): Prediction
}

/** How a request was scored; `name` goes into the response's [[ScoringServer.PathHeader]]. */
private[serve] sealed abstract class ScoringPath(val name: String)

private[serve] object ScoringPath {

  /** [[RowScorer]] on this JVM: the compiled plan, no Spark job. */
  case object Row extends ScoringPath("row")

  /** Spark's `transform`, as the CLI scores. */
  case object DataFrame extends ScoringPath("dataframe")

  /** ONNX Runtime on this JVM. */
  case object Onnx extends ScoringPath("onnx")
}

/** One answer: the response body and the path that scored it. */
private[serve] final case class Prediction(body: Array[Byte], path: ScoringPath)

private[serve] object Served {

  /** `{"predictions": [...]}` as Python's json.dumps writes it (NaN and Infinity bare). */
  def render(predictions: Seq[Any]): Array[Byte] = {
    val out = new ByteArrayOutputStream(64 + predictions.length * 24)
    val g = rest.Json.mapper.getFactory.createGenerator(out)
    g.writeStartObject()
    g.writeArrayFieldStart("predictions")
    predictions.foreach(value(g, _))
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
    case m: scala.collection.Map[_, _] =>
      g.writeStartObject(); m.foreach { case (k, x) => g.writeFieldName(k.toString); value(g, x) }; g.writeEndObject()
    case other => g.writeString(other.toString)
  }
}

/**
 * An ONNX model answering scoring requests (`OnnxModel.predict`, on this JVM: no Spark job per
 * request), as MLflow's onnx pyfunc answers a DataFrame: one record per row, output name -> value.
 */
private[serve] final class ServedOnnx(model: OnnxModel) extends Served {
  override def predict(table: RequestTable): Prediction = {
    if (table.rows.isEmpty) throw RequestError.badRequest("input has no rows")
    val (schema, rows) = RequestFrame.typed(table, model.signature)
    val maps = rows.map { r =>
      val m = new java.util.HashMap[String, Object]()
      schema.fieldNames.indices.foreach(i => m.put(schema.fieldNames(i), r.get(i).asInstanceOf[Object]))
      m: java.util.Map[String, Object]
    }
    val out =
      model.predict(maps.asJava).asScala.toSeq.map(m => scala.collection.immutable.ListMap(m.asScala.toSeq.map { case (k, v) => k -> plain(v) }: _*))
    Prediction(Served.render(out), ScoringPath.Onnx)
  }

  private def plain(v: Any): Any = v match {
    case l: java.util.List[_] => l.asScala.toSeq.map(plain)
    case x                    => x
  }
}
