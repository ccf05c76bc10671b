package mlflowbridge.connect

import java.nio.charset.StandardCharsets

/**
 * The bytes a Connect client sends to [[MlflowRelationPlugin]]: a `google.protobuf.Any` whose type
 * URL is [[Wire.TypeUrl]] and whose value is a two-field message (no generated code on either side):
 * field 1 the request as JSON text, field 2 (repeated) serialized `spark.connect.Relation`s, the
 * DataFrames the request takes.
 */
final case class Call(json: String, relations: Seq[Array[Byte]])

object Wire {
  val TypeUrl = "type.googleapis.com/mlflowbridge.connect.Call"

  /** The call in `any` (a serialized Any), or None when the Any is some other plugin's. */
  def parse(any: Array[Byte]): Option[Call] = {
    val outer = fields(any)
    val url = outer.collectFirst { case (1, b) => new String(b, StandardCharsets.UTF_8) }
    if (!url.contains(TypeUrl)) None
    else {
      val inner = fields(outer.collectFirst { case (2, b) => b }.getOrElse(Array.emptyByteArray))
      val json = inner.collectFirst { case (1, b) => new String(b, StandardCharsets.UTF_8) }.getOrElse("{}")
      Some(Call(json, inner.collect { case (2, b) => b }))
    }
  }

  /** The length-delimited fields (wire type 2) of a protobuf message, in order; other wire types are skipped. */
  private def fields(bytes: Array[Byte]): Seq[(Int, Array[Byte])] = {
    var i = 0
    def varint(): Long = {
      var shift, result = 0L
      var more = true
      while (more) {
        val b = bytes(i); i += 1
        result |= (b & 0x7fL) << shift
        shift += 7
        more = (b & 0x80) != 0
      }
      result
    }
    val out = Seq.newBuilder[(Int, Array[Byte])]
    while (i < bytes.length) {
      val key = varint()
      (key & 7).toInt match {
        case 0 => varint()
        case 1 => i += 8
        case 5 => i += 4
        case 2 =>
          val n = varint().toInt
          out += ((key >>> 3).toInt -> java.util.Arrays.copyOfRange(bytes, i, i + n))
          i += n
        case t => throw new IllegalArgumentException(s"unsupported protobuf wire type $t")
      }
    }
    out.result()
  }
}
