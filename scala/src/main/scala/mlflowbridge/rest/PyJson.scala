package mlflowbridge
package rest

import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.JsonNode

/**
 * JSON text as Python writes it, so that files and tags the JVM writes are the bytes Python's
 * `json.dumps` (ensure_ascii, ", "/": " separators or `indent`) and pandas' `to_json` (compact,
 * `\/` escaped) write. Floats: the shortest repr, in Python's notation (`1e-05`, `1e+16`).
 */
private[mlflowbridge] object PyJson {

  /** `json.dumps(v)`; with `indent` > 0, `json.dumps(v, indent=indent)`. */
  def dumps(v: JsonNode, indent: Int): String = {
    val sb = new StringBuilder; write(sb, v, if (indent > 0) Some(indent) else None, 0, pandas = false); sb.toString
  }
  def dumps(v: JsonNode): String = dumps(v, 0)

  /** pandas' `to_json`: no spaces, `/` escaped as `\/`. */
  def pandas(v: JsonNode): String = { val sb = new StringBuilder; write(sb, v, None, 0, pandas = true); sb.toString }

  private def write(sb: StringBuilder, v: JsonNode, indent: Option[Int], level: Int, pandas: Boolean): Unit = {
    val (itemSep, keySep) = if (pandas) (",", ":") else if (indent.isDefined) (",", ": ") else (", ", ": ")
    def newline(l: Int): Unit = indent.foreach(n => sb.append('\n').append(" " * (n * l)))
    def items[T](open: Char, close: Char, xs: Seq[T])(one: T => Unit): Unit =
      if (xs.isEmpty) sb.append(open).append(close)
      else {
        sb.append(open)
        xs.zipWithIndex.foreach { case (x, i) =>
          if (i > 0) sb.append(itemSep)
          newline(level + 1)
          one(x)
        }
        newline(level)
        sb.append(close)
      }
    if (v == null || v.isNull || v.isMissingNode) sb.append("null")
    else if (v.isObject)
      items('{', '}', v.properties().asScala.toSeq) { e =>
        string(sb, e.getKey, pandas); sb.append(keySep); write(sb, e.getValue, indent, level + 1, pandas)
      }
    else if (v.isArray) items('[', ']', v.elements().asScala.toSeq)(x => write(sb, x, indent, level + 1, pandas))
    else if (v.isTextual) string(sb, v.asText(), pandas)
    else if (v.isBoolean) sb.append(if (v.asBoolean()) "true" else "false")
    else if (v.isIntegralNumber) sb.append(v.bigIntegerValue().toString)
    else if (v.isNumber) sb.append(if (pandas) pandasFloat(v.doubleValue()) else float(v.doubleValue()))
    else string(sb, v.asText(), pandas)
  }

  /** Python's `repr(float)`: NaN and infinities as json.dumps writes them. */
  def float(d: Double): String =
    if (d.isNaN) "NaN"
    else if (d.isPosInfinity) "Infinity"
    else if (d.isNegInfinity) "-Infinity"
    else {
      val bd = new java.math.BigDecimal(java.lang.Double.toString(d)).stripTrailingZeros()
      val exp = bd.precision() - bd.scale() - 1 // the decimal exponent of the leading digit
      if (exp < -4 || exp >= 16) {
        val digits = bd.unscaledValue().abs().toString
        val mantissa = if (digits.length == 1) digits else s"${digits.head}.${digits.tail}"
        s"${if (d < 0) "-" else ""}${mantissa}e${if (exp < 0) "-" else "+"}${"%02d".format(math.abs(exp))}"
      } else {
        val plain = bd.toPlainString
        if (plain.contains('.')) plain else plain + ".0"
      }
    }

  /** pandas' `to_json` (ujson, double_precision=10): ten decimals at most, trailing zeros dropped; NaN is null. */
  def pandasFloat(d: Double): String =
    if (d.isNaN || d.isInfinite) "null"
    else if (math.abs(d) >= 1e16) float(d)
    else {
      val plain = new java.math.BigDecimal(d).setScale(10, java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString
      if (plain.contains('.')) plain else plain + ".0"
    }

  private def string(sb: StringBuilder, s: String, pandas: Boolean): Unit = {
    sb.append('"')
    s.foreach {
      case '"'                     => sb.append("\\\"")
      case '\\'                    => sb.append("\\\\")
      case '\n'                    => sb.append("\\n")
      case '\r'                    => sb.append("\\r")
      case '\t'                    => sb.append("\\t")
      case '\b'                    => sb.append("\\b")
      case '\f'                    => sb.append("\\f")
      case '/' if pandas           => sb.append("\\/")
      case c if c < ' ' || c > '~' => sb.append("\\u%04x".format(c.toInt))
      case c                       => sb.append(c)
    }
    sb.append('"')
  }
}
