package mlflowbridge
package serve

import java.io.{ByteArrayInputStream, EOFException}

import scala.jdk.CollectionConverters._
import scala.util.control.NonFatal

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.node.{JsonNodeFactory, NullNode}
import org.apache.parquet.ParquetReadOptions
import org.apache.parquet.conf.PlainParquetConfiguration
import org.apache.parquet.example.data.Group
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter
import org.apache.parquet.hadoop.ParquetFileReader
import org.apache.parquet.io.{ColumnIOFactory, DelegatingSeekableInputStream, InputFile, SeekableInputStream}
import org.apache.parquet.schema.{GroupType, LogicalTypeAnnotation, PrimitiveType, Type}
import org.apache.parquet.schema.LogicalTypeAnnotation._
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName._

/**
 * An `application/vnd.apache.parquet` body (pandas `to_parquet`, as stock's `pd.read_parquet`
 * reads it) as a [[RequestTable]]: read from memory by parquet-hadoop's own file reader (on Spark's
 * classpath already; no temporary file, no Spark job), one JSON value a cell, so that
 * [[RequestFrame]] types it as a JSON body. pandas' index columns (its `pandas` metadata) are
 * dropped, as `read_parquet` makes them the index. Numbers and booleans keep their type, text is
 * text, dates and timestamps become ISO text, lists JSON lists, structs and maps JSON objects.
 */
private[serve] object ParquetBody {
  private val nodes = JsonNodeFactory.instance

  // Plain options: the default builder makes a Hadoop Configuration (parsing its XML files) per body.
  private val options = ParquetReadOptions.builder(new PlainParquetConfiguration()).build()

  /**
   * The table; 400 for a body that is not Parquet, or that holds more than `maxCells` cells (what
   * a JSON body under the size limit could carry at most): Parquet compresses, the decoded table
   * must stay as bounded as a JSON one.
   */
  def table(body: Array[Byte], maxCells: Long): RequestTable = {
    def refuse(why: String) = RequestError.badRequest(s"Failed to parse input as Parquet: $why")
    val reader =
      try ParquetFileReader.open(new BytesInputFile(body), options)
      catch { case NonFatal(e) => throw refuse(mlflowbridge.model.InputCheck.firstLine(e)) }
    try {
      val meta = reader.getFooter.getFileMetaData
      val schema = meta.getSchema
      val indexColumns = pandasIndexColumns(meta.getKeyValueMetaData.asScala.get("pandas"))
      val fields = schema.getFields.asScala.toIndexedSeq
      val kept = fields.indices.filterNot(i => indexColumns(fields(i).getName))
      val blocks = reader.getFooter.getBlocks.asScala
      val cells = blocks.map(_.getRowCount).sum * schema.getColumns.size.max(1)
      if (cells > maxCells) throw refuse(s"$cells cells is over the server's limit of $maxCells")
      val rows = IndexedSeq.newBuilder[Array[JsonNode]]
      val io = new ColumnIOFactory().getColumnIO(schema)
      var pages = reader.readNextRowGroup()
      while (pages != null) {
        val records = io.getRecordReader(pages, new GroupRecordConverter(schema))
        var i = 0L
        while (i < pages.getRowCount) {
          val g = records.read()
          rows += kept.map(field(g, _)).toArray
          i += 1
        }
        pages = reader.readNextRowGroup()
      }
      RequestTable.unique(RequestTable(kept.map(fields(_).getName), rows.result(), fromCsv = false))
    } catch {
      case e: RequestError => throw e
      case NonFatal(e)     => throw refuse(mlflowbridge.model.InputCheck.firstLine(e))
      // A page whose header claims more than the heap holds: that request's array, not the heap, is too big.
      case _: OutOfMemoryError => throw refuse("a page is too large to decode")
    } finally reader.close()
  }

  /** The columns pandas wrote as its index (`"index_columns": ["__index_level_0__"]`; a range index is only described). */
  private def pandasIndexColumns(json: Option[String]): Set[String] =
    json
      .flatMap(j => scala.util.Try(rest.Json.mapper.readTree(j)).toOption)
      .flatMap(n => Option(n.get("index_columns")))
      .fold(Set.empty[String])(_.elements().asScala.filter(_.isTextual).map(_.asText()).toSet)

  private def field(g: Group, i: Int): JsonNode = {
    val t = g.getType.getType(i)
    val n = g.getFieldRepetitionCount(i)
    if (t.isRepetition(Type.Repetition.REPEATED)) {
      val a = nodes.arrayNode(); (0 until n).foreach(k => a.add(value(g, i, k, t))); a
    } else if (n == 0) NullNode.instance
    else value(g, i, 0, t)
  }

  private def value(g: Group, i: Int, k: Int, t: Type): JsonNode =
    if (t.isPrimitive) primitive(g, i, k, t.asPrimitiveType()) else group(g.getGroup(i, k), t.asGroupType())

  /** A LIST is a JSON list of its elements (the 3-level and the legacy 2-level layout); a MAP or struct an object. */
  private def group(g: Group, t: GroupType): JsonNode = t.getLogicalTypeAnnotation match {
    case _: ListLogicalTypeAnnotation if t.getFieldCount == 1 =>
      val rep = t.getType(0)
      val a = nodes.arrayNode()
      (0 until g.getFieldRepetitionCount(0)).foreach { k =>
        a.add(if (!rep.isPrimitive && rep.asGroupType().getFieldCount == 1) field(g.getGroup(0, k), 0) else value(g, 0, k, rep))
      }
      a
    case _: MapLogicalTypeAnnotation if t.getFieldCount == 1 && !t.getType(0).isPrimitive =>
      val o = nodes.objectNode()
      (0 until g.getFieldRepetitionCount(0)).foreach { k =>
        val kv = g.getGroup(0, k)
        o.set[JsonNode](field(kv, 0).asText(), if (kv.getType.getFieldCount > 1) field(kv, 1) else NullNode.instance)
      }
      o
    case _ =>
      val o = nodes.objectNode()
      (0 until t.getFieldCount).foreach(i => o.set[JsonNode](t.getFieldName(i), field(g, i)))
      o
  }

  private def primitive(g: Group, i: Int, k: Int, t: PrimitiveType): JsonNode = {
    val logical: LogicalTypeAnnotation = t.getLogicalTypeAnnotation
    (t.getPrimitiveTypeName, logical) match {
      case (BOOLEAN, _)                             => nodes.booleanNode(g.getBoolean(i, k))
      case (FLOAT, _)                               => nodes.numberNode(g.getFloat(i, k))
      case (DOUBLE, _)                              => nodes.numberNode(g.getDouble(i, k))
      case (INT32, d: DecimalLogicalTypeAnnotation) => nodes.numberNode(java.math.BigDecimal.valueOf(g.getInteger(i, k).toLong, d.getScale))
      case (INT64, d: DecimalLogicalTypeAnnotation) => nodes.numberNode(java.math.BigDecimal.valueOf(g.getLong(i, k), d.getScale))
      case (INT32, _: DateLogicalTypeAnnotation)    => nodes.textNode(java.time.LocalDate.ofEpochDay(g.getInteger(i, k).toLong).toString)
      case (INT32, a: IntLogicalTypeAnnotation) if !a.isSigned => nodes.numberNode(Integer.toUnsignedLong(g.getInteger(i, k)))
      case (INT32, _)                                          => nodes.numberNode(g.getInteger(i, k))
      case (INT64, ts: TimestampLogicalTypeAnnotation)         => nodes.textNode(instant(g.getLong(i, k), ts.getUnit).toString)
      case (INT64, a: IntLogicalTypeAnnotation) if !a.isSigned =>
        nodes.numberNode(new java.math.BigInteger(java.lang.Long.toUnsignedString(g.getLong(i, k))))
      case (INT64, _) => nodes.numberNode(g.getLong(i, k))
      case (BINARY | FIXED_LEN_BYTE_ARRAY, _: StringLogicalTypeAnnotation | _: EnumLogicalTypeAnnotation | _: JsonLogicalTypeAnnotation) =>
        nodes.textNode(g.getBinary(i, k).toStringUsingUTF8)
      case (BINARY | FIXED_LEN_BYTE_ARRAY, d: DecimalLogicalTypeAnnotation) =>
        nodes.numberNode(new java.math.BigDecimal(new java.math.BigInteger(g.getBinary(i, k).getBytes), d.getScale))
      case (BINARY | FIXED_LEN_BYTE_ARRAY, _) => nodes.binaryNode(g.getBinary(i, k).getBytes)
      case (INT96, _)                         => nodes.textNode(g.getValueToString(i, k))
      case _                                  => nodes.textNode(g.getValueToString(i, k))
    }
  }

  private def instant(v: Long, unit: TimeUnit): java.time.Instant = unit match {
    case TimeUnit.MILLIS => java.time.Instant.ofEpochMilli(v)
    case TimeUnit.MICROS => java.time.Instant.ofEpochSecond(Math.floorDiv(v, 1000000L), Math.floorMod(v, 1000000L) * 1000L)
    case _               => java.time.Instant.ofEpochSecond(Math.floorDiv(v, 1000000000L), Math.floorMod(v, 1000000000L))
  }

  /** The body as parquet-hadoop's InputFile: seekable, in memory. */
  private final class BytesInputFile(bytes: Array[Byte]) extends InputFile {
    override def getLength: Long = bytes.length.toLong
    override def newStream(): SeekableInputStream = {
      val in = new Seekable(bytes)
      new DelegatingSeekableInputStream(in) {
        override def getPos: Long = in.position
        override def seek(p: Long): Unit = in.seekTo(p)
      }
    }
  }

  private final class Seekable(bytes: Array[Byte]) extends ByteArrayInputStream(bytes) {
    def position: Long = pos.toLong
    def seekTo(p: Long): Unit = {
      if (p < 0 || p > count) throw new EOFException(s"seek to $p in a body of $count bytes")
      pos = p.toInt
    }
  }
}
