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
 * header; Parquet). CSV cells stay text ([[RequestFrame]] types them by the signature or by their
 * look). `params` is the JSON body's `params` (checked by [[RequestParams]]; CSV and Parquet have none).
 */
private[serve] final case class RequestTable(
    columns: Seq[String],
    rows: Seq[Array[JsonNode]],
    fromCsv: Boolean,
    params: Option[JsonNode] = None
)

/** The scoring server's own request errors; `status` is the HTTP status, `code` MLflow's error_code. */
private[serve] final class RequestError(val status: Int, val code: String, message: String) extends RuntimeException(message)

private[serve] object RequestError {
  def badRequest(msg: String) = new RequestError(400, "BAD_REQUEST", msg)
  def unsupportedMedia(msg: String) = new RequestError(415, "UNSUPPORTED_MEDIA_TYPE", msg)
}

private[serve] object RequestTable {
  val JsonFormats: Seq[String] = Seq("dataframe_split", "dataframe_records", "instances", "inputs")
  val Csv = "text/csv"
  val Json = "application/json"
  val Parquet = "application/vnd.apache.parquet"

  /** Keys that make stock read a body as unified LLM input (chat, completions, embeddings): a spark model takes none. */
  private val LlmKeys = Seq("messages", "prompt", "input")
  private val RequiredFormat =
    "The input must be a JSON dictionary with exactly one of the input fields {'dataframe_split', 'dataframe_records', 'instances', 'inputs'}"

  /** JSON as Python's json.loads reads it: NaN and Infinity allowed, nothing after the value. */
  private val reader = {
    val factory = new com.fasterxml.jackson.core.JsonFactoryBuilder()
      .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build()
    new com.fasterxml.jackson.databind.ObjectMapper(factory)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .reader()
  }

  /**
   * Parses `body` by its content type, with stock's rules (`scoring_server.invocations`): the type
   * and `;`-separated `key=value` parameters, compared as written (case and all); a charset other
   * than utf-8 (any case), any other parameter (an empty one too) or another type is a 415.
   * `maxCells` bounds a Parquet body's decoded table.
   */
  def parse(contentType: String, body: Array[Byte], maxCells: Long = Long.MaxValue): RequestTable = {
    val header = Option(contentType).getOrElse("")
    val parts = header.split(";", -1).map(_.strip).toSeq
    val params = parts
      .drop(1)
      .map { p =>
        val i = p.indexOf('='); if (i < 0) p -> "" else p.substring(0, i) -> p.substring(i + 1)
      }
      .toMap
    if (params.getOrElse("charset", "utf-8").toLowerCase(java.util.Locale.ROOT) != "utf-8")
      throw RequestError.unsupportedMedia("The scoring server only supports UTF-8")
    val unknown = params.keySet - "charset"
    if (unknown.nonEmpty) throw RequestError.unsupportedMedia(s"Unrecognized content type parameters: ${unknown.mkString(", ")}")
    parts.head match {
      case Json    => json(body)
      case Csv     => csv(body)
      case Parquet => ParquetBody.table(body, maxCells)
      case _ =>
        throw RequestError.unsupportedMedia(
          s"This predictor only supports the following content types: ['$Csv', '$Json', '$Parquet']. Got '$header'."
        )
    }
  }

  def json(body: Array[Byte]): RequestTable = {
    val root =
      try reader.readTree(body)
      catch {
        case NonFatal(e) => throw RequestError.badRequest(s"Ensure that input is a valid JSON formatted string. Error: '${oneLine(e.getMessage)}'")
      }
    if (root == null || root.isMissingNode || !root.isObject) throw RequestError.badRequest(s"$RequiredFormat. Received ${kindOf(root)}.")
    LlmKeys.find(root.has).foreach { k =>
      throw RequestError.badRequest(s"'$k' makes this a chat, completions or embeddings request, which a spark model does not take")
    }
    val present = JsonFormats.filter(root.has)
    if (present.size != 1)
      throw RequestError.badRequest(
        s"$RequiredFormat. Received dictionary with input fields: ${root.fieldNames().asScala.mkString("['", "', '", "']")}."
      )
    val data = root.get(present.head)
    val table = present.head match {
      case "dataframe_split"                                          => split(data)
      case "dataframe_records"                                        => records(data)
      case "instances" | "inputs" if data.isObject                    => columnsOf(data)
      case "instances" | "inputs" if data.isArray && allObjects(data) => records(data)
      case f => throw RequestError.badRequest(s"'$f' must be a list of records or a dictionary of columns for a spark model, got ${kindOf(data)}")
    }
    unique(table).copy(params = Option(root.get("params")))
  }

  /** pandas' "split" orient: {"columns": [...], "data": [[...], ...]} (an "index" is ignored, as pandas does for scoring). */
  private def split(d: JsonNode): RequestTable = {
    if (!d.isObject || !d.has("data")) throw RequestError.badRequest("'dataframe_split' must be a dictionary with 'columns' and 'data'")
    val extra = d.fieldNames().asScala.toSeq.filterNot(Set("columns", "data", "index"))
    if (extra.nonEmpty)
      throw RequestError.badRequest(s"'dataframe_split' may have only 'columns', 'data' and 'index'; got also ${extra.mkString("'", "', '", "'")}")
    val data = d.get("data")
    if (!data.isArray || !data.elements().asScala.forall(_.isArray))
      throw RequestError.badRequest("'dataframe_split' 'data' must be a list of rows (lists)")
    val rows = data.elements().asScala.map(r => r.elements().asScala.toArray).toSeq
    val named = Option(d.get("columns")).filterNot(_.isNull)
    if (named.exists(c => !c.isArray || !c.elements().asScala.forall(_.isValueNode)))
      throw RequestError.badRequest("'dataframe_split' 'columns' must be a list of names")
    Option(d.get("index")).filterNot(_.isNull).foreach { i =>
      if (!i.isArray || i.size != data.size) throw RequestError.badRequest(s"'dataframe_split' 'index' must be a list of ${data.size} label(s)")
    }
    val columns = named.fold(rows.headOption.fold(Seq.empty[String])(_.indices.map(_.toString)))(_.elements().asScala.map(_.asText()).toSeq)
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

  /**
   * pandas `read_csv` of a `to_csv` output: a header line, then rows; an empty cell is a null. As
   * pandas: an empty header cell is `Unnamed: <i>`, a repeated one `<name>.1`, `<name>.2`; when the
   * first row has k more fields than the header, its first k fields are an index (dropped); a
   * shorter row is padded with nulls, a longer one refused.
   */
  def csv(body: Array[Byte]): RequestTable = {
    val text =
      try StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(body)).toString
      catch { case NonFatal(e) => throw RequestError.badRequest(s"Ensure that input is a valid UTF-8 encoded string. Error: '${e.getMessage}'") }
    val settings = new CsvParserSettings()
    settings.setMaxCharsPerColumn(-1)
    settings.setMaxColumns(100000)
    settings.setLineSeparatorDetectionEnabled(true)
    val all =
      try new CsvParser(settings).parseAll(new StringReader(text)).asScala.toSeq
      catch { case NonFatal(e) => throw RequestError.badRequest(s"Failed to parse input as CSV. Error: '${oneLine(e.getMessage)}'") }
    if (all.isEmpty) throw RequestError.badRequest("Failed to parse input as CSV: no header line")
    val columns = pandasNames(all.head.toSeq.zipWithIndex.map { case (c, i) => Option(c).filter(_.nonEmpty).getOrElse(s"Unnamed: $i") })
    val index = all.lift(1).fold(0)(r => (r.length - columns.size).max(0))
    val rows = all.tail.zipWithIndex.map { case (r, line) =>
      if (r.length > columns.size + index)
        throw RequestError.badRequest(s"Failed to parse input as CSV: line ${line + 2} has ${r.length} fields for ${columns.size + index}")
      columns.indices.map { i =>
        val j = i + index
        if (j < r.length && r(j) != null) TextNode.valueOf(r(j)): JsonNode else NullNode.instance
      }.toArray
    }
    RequestTable(columns, rows, fromCsv = true)
  }

  /** pandas' names for repeated columns: the second `a` is `a.1`, the third `a.2`. */
  private def pandasNames(names: Seq[String]): Seq[String] = {
    val seen = scala.collection.mutable.Map.empty[String, Int]
    names.map { n =>
      val k = seen.getOrElse(n, 0)
      seen(n) = k + 1
      if (k == 0) n else s"$n.$k"
    }
  }

  /** A column named twice is refused (Spark could not tell them apart; stock's schema check refuses it too). */
  private[serve] def unique(t: RequestTable): RequestTable = {
    val twice = t.columns.diff(t.columns.distinct).distinct
    if (twice.nonEmpty) throw RequestError.badRequest(s"column(s) named more than once: ${twice.mkString("'", "', '", "'")}")
    t
  }

  private def allObjects(d: JsonNode): Boolean = d.isArray && d.elements().asScala.forall(_.isObject)

  private def kindOf(n: JsonNode): String =
    if (n == null) "nothing" else if (n.isArray) "a list" else if (n.isObject) "a dictionary" else s"a ${n.getNodeType.toString.toLowerCase}"

  private def oneLine(s: String): String = Option(s).map(_.linesIterator.toSeq.headOption.getOrElse("")).getOrElse("")
}
