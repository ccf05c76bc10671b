package mlflowbridge
package serve

import mlflowbridge.model.ColSpec

import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.JsonNode
import org.apache.spark.ml.linalg.{Vectors, SQLDataTypes}
import org.apache.spark.sql.{DataFrame, Row, SparkSession}
import org.apache.spark.sql.types._

/**
 * A [[RequestTable]] as a local DataFrame (`createDataFrame(java.util.List[Row], schema)`: no
 * file, no job to build it). A column the signature names takes the signature's type when every
 * value fits it; otherwise, and for columns the signature does not name, the type the values
 * show (whole numbers long, other numbers double, text, booleans, lists), so that a mistyped
 * column reaches `InputCheck` as what it is and is refused in the CLI's words.
 */
private[serve] object RequestFrame {
  def of(spark: SparkSession, table: RequestTable, signature: Option[Seq[ColSpec]]): DataFrame = {
    val (schema, rows) = typed(table, signature)
    spark.createDataFrame(rows.asJava, schema)
  }

  /** The table's schema and rows, typed as [[of]] types them. */
  def typed(table: RequestTable, signature: Option[Seq[ColSpec]]): (StructType, Seq[Row]) = {
    val specs = signature.toSeq.flatten.map(s => s.name -> s).toMap
    val converters = table.columns.indices.map { i =>
      val wanted = specs.get(table.columns(i)).flatMap(typed(_, table.fromCsv)).filter(c => table.rows.forall(r => c.fits(r(i))))
      wanted.getOrElse(inferred(table.rows.map(_(i)), table.fromCsv))
    }
    val schema = StructType(table.columns.zip(converters).map { case (name, c) => StructField(name, c.dataType, nullable = true) })
    (schema, table.rows.map(r => Row.fromSeq(r.indices.map(i => converters(i).convert(r(i))))))
  }

  /** One column's Spark type and how a JSON value (or a CSV cell, as text) becomes a value of it. */
  private final case class Converter(dataType: DataType, fits: JsonNode => Boolean, convert: JsonNode => Any)

  private def isNull(n: JsonNode) = n == null || n.isNull
  private def nullable(f: JsonNode => Boolean): JsonNode => Boolean = n => isNull(n) || f(n)
  private def orNull(f: JsonNode => Any): JsonNode => Any = n => if (isNull(n)) null else f(n)

  // CSV cells are text: a number is text that parses as one.
  private def textNumber(n: JsonNode): Option[BigDecimal] =
    if (!n.isTextual) None else scala.util.Try(BigDecimal(n.asText().trim)).toOption
  private def textDouble(n: JsonNode): Option[Double] =
    if (!n.isTextual) None
    else
      n.asText().trim.toLowerCase match {
        case "nan"                => Some(Double.NaN)
        case "inf" | "infinity"   => Some(Double.PositiveInfinity)
        case "-inf" | "-infinity" => Some(Double.NegativeInfinity)
        case _                    => textNumber(n).map(_.toDouble)
      }
  private def isWhole(n: JsonNode, csv: Boolean) =
    if (csv) textNumber(n).exists(_.isWhole) && !n.asText().contains(".") && !n.asText().toLowerCase.contains("e")
    else n.isIntegralNumber && n.canConvertToLong
  private def isNumber(n: JsonNode, csv: Boolean) = if (csv) textDouble(n).isDefined else n.isNumber
  private def toDouble(n: JsonNode, csv: Boolean): Double = if (csv) textDouble(n).get else n.asDouble()
  private def toLong(n: JsonNode, csv: Boolean): Long = if (csv) textNumber(n).get.toLong else n.asLong()
  private def isBool(n: JsonNode, csv: Boolean) = if (csv) Set("true", "false")(n.asText().trim.toLowerCase) else n.isBoolean
  private def toBool(n: JsonNode, csv: Boolean) = if (csv) n.asText().trim.toLowerCase == "true" else n.asBoolean()

  private def numbers(n: JsonNode): Option[Array[Double]] = {
    val arr = if (n.isArray) Some(n) else if (n.isTextual) scala.util.Try(rest.Json.mapper.readTree(n.asText())).toOption.filter(_.isArray) else None
    arr.filter(_.elements().asScala.forall(_.isNumber)).map(_.elements().asScala.map(_.asDouble()).toArray)
  }

  private def double(csv: Boolean) = Converter(DoubleType, nullable(isNumber(_, csv)), orNull(toDouble(_, csv)))

  /**
   * A signature's double or float column from JSON or Parquet also takes text that reads as a
   * number and booleans (1.0, 0.0): stock casts such columns with pandas' `astype` before scoring.
   */
  private def castable(n: JsonNode, csv: Boolean) = isNumber(n, csv) || (!csv && (n.isBoolean || textDouble(n).isDefined))
  private def castDouble(n: JsonNode, csv: Boolean): Double =
    if (csv || n.isNumber) toDouble(n, csv) else if (n.isBoolean) (if (n.asBoolean()) 1.0 else 0.0) else textDouble(n).get

  /** Inferred (no signature) a JSON integer past 64 bits is not a double: pandas keeps it as an object column Spark cannot assemble. */
  private def inferredDouble(csv: Boolean) =
    Converter(DoubleType, nullable(n => isNumber(n, csv) && (csv || !n.isIntegralNumber || n.canConvertToLong)), orNull(toDouble(_, csv)))
  private def long(csv: Boolean) = Converter(LongType, nullable(isWhole(_, csv)), orNull(toLong(_, csv)))
  private def text(csv: Boolean) = Converter(StringType, nullable(n => n.isTextual || csv), orNull(_.asText()))
  private def bool(csv: Boolean) = Converter(BooleanType, nullable(isBool(_, csv)), orNull(toBool(_, csv)))

  /** The signature's type for a column, when the protocol can carry it. */
  private def typed(spec: ColSpec, csv: Boolean): Option[Converter] = spec.tpe match {
    case "double"  => Some(Converter(DoubleType, nullable(castable(_, csv)), orNull(castDouble(_, csv))))
    case "float"   => Some(Converter(FloatType, nullable(castable(_, csv)), orNull(castDouble(_, csv).toFloat)))
    case "long"    => Some(long(csv))
    case "integer" => Some(Converter(IntegerType, nullable(n => isWhole(n, csv) && toLong(n, csv).isValidInt), orNull(toLong(_, csv).toInt)))
    case "string"  => Some(text(csv))
    case "boolean" => Some(bool(csv))
    case "sparkml_vector" =>
      Some(Converter(SQLDataTypes.VectorType, nullable(numbers(_).isDefined), orNull(n => Vectors.dense(numbers(n).get))))
    case "array" if spec.items.exists(Set("double", "float")) =>
      Some(Converter(ArrayType(DoubleType), nullable(numbers(_).isDefined), orNull(n => numbers(n).get.toSeq)))
    case _ => None
  }

  /** The type a column's values show; text when they disagree. */
  private def inferred(values: Seq[JsonNode], csv: Boolean): Converter = {
    val present = values.filterNot(isNull)
    val candidates =
      if (csv) Seq(long(csv), double(csv), bool(csv))
      else
        Seq(
          long(csv),
          inferredDouble(csv),
          bool(csv),
          text(csv),
          Converter(ArrayType(DoubleType), nullable(n => n.isArray && numbers(n).isDefined), orNull(n => numbers(n).get.toSeq))
        )
    if (present.isEmpty) Converter(StringType, _ => true, _ => null)
    else
      candidates
        .find(c => present.forall(c.fits))
        .getOrElse(text(csv).copy(fits = _ => true, convert = orNull(n => if (n.isTextual) n.asText() else n.toString)))
  }
}
