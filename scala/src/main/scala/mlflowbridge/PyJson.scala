package mlflowbridge

/**
 * JSON text as Python's `json.dumps` writes it (", "/": " separators, `indent=2` layout,
 * ASCII-only, float repr), so files the JVM writes into a model directory (signature strings,
 * input examples) are the bytes Python would write. Values: null, Boolean, Int/Long, Double/Float,
 * String, Seq, and Map (insertion order kept: use ListMap or Seq of pairs via `obj`).
 */
object PyJson {

  /** An ordered JSON object. */
  final case class Obj(fields: Seq[(String, Any)])
  def obj(fields: (String, Any)*): Obj = Obj(fields)

  def dumps(v: Any, indent: Option[Int] = None): String = {
    val sb = new StringBuilder
    write(sb, v, indent, 0)
    sb.toString
  }

  private def write(sb: StringBuilder, v: Any, indent: Option[Int], level: Int): Unit = {
    def nl(l: Int): Unit = indent.foreach(n => sb.append('\n').append(" " * (n * l)))
    def seq[T](items: Seq[T], open: Char, close: Char)(one: T => Unit): Unit =
      if (items.isEmpty) sb.append(open).append(close)
      else {
        sb.append(open)
        items.zipWithIndex.foreach { case (x, i) =>
          if (i > 0) sb.append(if (indent.isDefined) "," else ", ")
          nl(level + 1)
          one(x)
        }
        nl(level)
        sb.append(close)
      }
    v match {
      case null | None             => sb.append("null")
      case Some(x)                 => write(sb, x, indent, level)
      case b: Boolean              => sb.append(b)
      case i: Int                  => sb.append(i)
      case l: Long                 => sb.append(l)
      case s: Short                => sb.append(s)
      case b: Byte                 => sb.append(b)
      case f: Float                => sb.append(float(f.toDouble))
      case d: Double               => sb.append(float(d))
      case d: java.math.BigDecimal => sb.append(d.toPlainString)
      case s: String               => sb.append(str(s))
      case Obj(fields)             => seq(fields, '{', '}') { case (k, x) => sb.append(str(k)).append(": "); write(sb, x, indent, level + 1) }
      case m: Map[_, _]            => write(sb, Obj(m.toSeq.map { case (k, x) => String.valueOf(k) -> x }), indent, level)
      case s: Seq[_]               => seq(s, '[', ']')(x => write(sb, x, indent, level + 1))
      case a: Array[_]             => write(sb, a.toSeq, indent, level)
      case other                   => sb.append(str(other.toString))
    }
  }

  /** A string literal as json.dumps writes it (ensure_ascii=True). */
  def str(s: String): String = {
    val sb = new StringBuilder("\"")
    s.foreach {
      case '"'                       => sb.append("\\\"")
      case '\\'                      => sb.append("\\\\")
      case '\n'                      => sb.append("\\n")
      case '\r'                      => sb.append("\\r")
      case '\t'                      => sb.append("\\t")
      case '\b'                      => sb.append("\\b")
      case '\f'                      => sb.append("\\f")
      case c if c < 0x20 || c > 0x7f => sb.append("\\u%04x".format(c.toInt))
      case c                         => sb.append(c)
    }
    sb.append('"').toString
  }

  /** Python's float repr: `1.0`, `0.0001`, `1e-05`, `1.5e+16`, `NaN`, `Infinity`. */
  def float(d: Double): String =
    if (d.isNaN) "NaN"
    else if (d.isPosInfinity) "Infinity"
    else if (d.isNegInfinity) "-Infinity"
    else if (d == 0.0) (if (1.0 / d < 0) "-0.0" else "0.0")
    else {
      val bd = new java.math.BigDecimal(java.lang.Double.toString(d)).stripTrailingZeros()
      val abs = math.abs(d)
      if (abs >= 1e-4 && abs < 1e16) {
        val plain = bd.toPlainString
        if (plain.contains('.')) plain else plain + ".0"
      } else {
        val digits = bd.unscaledValue().abs().toString
        val exp = digits.length - 1 - bd.scale()
        val mantissa = if (digits.length == 1) digits else s"${digits.head}.${digits.tail}"
        val sign = if (d < 0) "-" else ""
        f"$sign${mantissa}e${if (exp < 0) "-" else "+"}${math.abs(exp)}%02d"
      }
    }
}
