package mlflowbridge
package serve

import java.io.StringReader
import java.nio.charset.StandardCharsets

import scala.jdk.CollectionConverters._
import scala.util.control.NonFatal

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.node.{NullNode, TextNode}
import com.univocity.parsers.csv.{CsvParser, CsvParserSettings}

/**
 * A request body as named columns of JSON values, before any Spark type is chosen: MLflow's
 * scoring protocol (`dataframe_split`, `dataframe_records`, `instances`, `inputs`; CSV with a
 * header). CSV cells stay text ([[RequestFrame]] types them by the signature or by their look).
 */
private[serve] final case class RequestTable(columns: Seq[String], rows: Seq[Array[JsonNode]], fromCsv: Boolean)

/** The scoring server's own request errors; `status` is the HTTP status, `code` MLflow's error_code. */
private[serve] final class RequestError(val status: Int, val code: String, message: String) extends RuntimeException(message)

private[serve] object RequestError {
  def badRequest(msg: String) = new RequestError(400, "BAD_REQUEST", msg)
}

private[serve] object RequestTable {
  val JsonFormats: Seq[String] = Seq("dataframe_split", "dataframe_records", "instances", "inputs")
  private val RequiredFormat =
    "The input must be a JSON dictionary with exactly one of the input fields {'dataframe_split', 'dataframe_records', 'instances', 'inputs'}"

  /** Parses `body` by its content type (application/json or text/csv, charset utf-8 only); anything else is a 415. */
  def parse(contentType: String, body: Array[Byte]): RequestTable = {
    val parts = Option(contentType).getOrElse("").split(";").map(_.trim).toSeq
    val params = parts
      .drop(1)
      .filter(_.nonEmpty)
      .map { p =>
        val kv = p.split("=", 2); kv(0).trim.toLowerCase -> (if (kv.length > 1) kv(1).trim.toLowerCase else "")
      }
      .toMap
    if (params.get("charset").exists(_ != "utf-8"))
      throw new RequestError(415, "UNSUPPORTED_MEDIA_TYPE", "The scoring server only supports UTF-8")
    val unknown = params.keySet - "charset"
    if (unknown.nonEmpty) throw new RequestError(415, "UNSUPPORTED_MEDIA_TYPE", s"Unrecognized content type parameters: ${unknown.mkString(", ")}")
    parts.headOption.map(_.toLowerCase) match {
      case Some("application/json") => json(body)
      case Some("text/csv")         => csv(body)
      case _ =>
        throw new RequestError(
          415,
          "UNSUPPORTED_MEDIA_TYPE",
          s"This predictor only supports the following content types: ['text/csv', 'application/json']. Got '${Option(contentType).getOrElse("")}'."
        )
    }
  }

  def json(body: Array[Byte]): RequestTable = {
    val root =
      try rest.Json.mapper.readTree(body)
      catch {
        case NonFatal(e) => throw RequestError.badRequest(s"Ensure that input is a valid JSON formatted string. Error: '${oneLine(e.getMessage)}'")
      }
    if (root == null || !root.isObject) throw RequestError.badRequest(s"$RequiredFormat. Received ${kindOf(root)}.")
    val present = JsonFormats.filter(root.has)
    if (present.size != 1)
      throw RequestError.badRequest(
        s"$RequiredFormat. Received dictionary with input fields: ${root.fieldNames().asScala.mkString("['", "', '", "']")}."
      )
    val data = root.get(present.head)
    present.head match {
      case "dataframe_split"                                          => split(data)
      case "dataframe_records"                                        => records(data)
      case "instances" | "inputs" if data.isObject                    => columnsOf(data)
      case "instances" | "inputs" if data.isArray && allObjects(data) => records(data)
      case f => throw RequestError.badRequest(s"'$f' must be a list of records or a dictionary of columns for a spark model, got ${kindOf(data)}")
    }
  }

  /** pandas' "split" orient: {"columns": [...], "data": [[...], ...]} (an "index" is ignored, as pandas does for scoring). */
  private def split(d: JsonNode): RequestTable = {
    if (!d.isObject || !d.has("data")) throw RequestError.badRequest("'dataframe_split' must be a dictionary with 'columns' and 'data'")
    val data = d.get("data")
    if (!data.isArray || !data.elements().asScala.forall(_.isArray))
      throw RequestError.badRequest("'dataframe_split' 'data' must be a list of rows (lists)")
    val rows = data.elements().asScala.map(r => r.elements().asScala.toArray).toSeq
    val columns =
      if (d.has("columns") && d.get("columns").isArray) d.get("columns").elements().asScala.map(_.asText()).toSeq
      else rows.headOption.fold(Seq.empty[String])(_.indices.map(_.toString))
    rows.zipWithIndex.find(_._1.length != columns.size).foreach { case (r, i) =>
      throw RequestError.badRequest(s"'dataframe_split' row $i has ${r.length} value(s) for ${columns.size} column(s)")
    }
    RequestTable(columns, rows, fromCsv = false)
  }

  /** A list of {column: value} records; a key missing from a record is a null there. */
  private def records(d: JsonNode): RequestTable = {
    if (!d.isArray || !allObjects(d)) throw RequestError.badRequest(s"'dataframe_records' must be a list of dictionaries, got ${kindOf(d)}")
    val recs = d.elements().asScala.toSeq
    val columns = recs.flatMap(_.fieldNames().asScala).distinct
    RequestTable(columns, recs.map(r => columns.map(c => Option(r.get(c)).getOrElse(NullNode.instance)).toArray), fromCsv = false)
  }

  /** {column: [values]} (a single value is one row), as TF serving's columnar form. */
  private def columnsOf(d: JsonNode): RequestTable = {
    val columns = d.fieldNames().asScala.toSeq
    val values = columns.map(c => { val v = d.get(c); if (v.isArray) v.elements().asScala.toIndexedSeq else IndexedSeq(v) })
    val n = values.headOption.fold(0)(_.size)
    if (values.exists(_.size != n)) throw RequestError.badRequest("every column of the input must have the same number of values")
    RequestTable(columns, (0 until n).map(i => values.map(_(i)).toArray), fromCsv = false)
  }

  /** pandas `to_csv` output: a header line, then rows; an empty cell is a null. */
  def csv(body: Array[Byte]): RequestTable = {
    val text = new String(body, StandardCharsets.UTF_8)
    val settings = new CsvParserSettings()
    settings.setMaxCharsPerColumn(-1)
    settings.setMaxColumns(100000)
    settings.setLineSeparatorDetectionEnabled(true)
    val all =
      try new CsvParser(settings).parseAll(new StringReader(text)).asScala.toSeq
      catch { case NonFatal(e) => throw RequestError.badRequest(s"Failed to parse input as CSV. Error: '${oneLine(e.getMessage)}'") }
    if (all.isEmpty) throw RequestError.badRequest("Failed to parse input as CSV: no header line")
    val columns = all.head.toSeq.map(c => Option(c).getOrElse(""))
    val rows = all.tail.map { r =>
      if (r.length > columns.size)
        throw RequestError.badRequest(s"Failed to parse input as CSV: a row has ${r.length} fields for ${columns.size} columns")
      columns.indices.map(i => if (i < r.length && r(i) != null) TextNode.valueOf(r(i)): JsonNode else NullNode.instance).toArray
    }
    RequestTable(columns, rows, fromCsv = true)
  }

  private def allObjects(d: JsonNode): Boolean = d.isArray && d.elements().asScala.forall(_.isObject)

  private def kindOf(n: JsonNode): String =
    if (n == null) "nothing" else if (n.isArray) "a list" else if (n.isObject) "a dictionary" else s"a ${n.getNodeType.toString.toLowerCase}"

  private def oneLine(s: String): String = Option(s).map(_.linesIterator.toSeq.headOption.getOrElse("")).getOrElse("")
}
