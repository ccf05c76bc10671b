package mlflowbridge
package rest

import com.fasterxml.jackson.databind.{JsonNode, ObjectMapper}
import com.fasterxml.jackson.databind.node.{BooleanNode, DoubleNode, FloatNode, IntNode, LongNode, NullNode, ObjectNode, TextNode}

/** JSON with Jackson: REST bodies, and the JSON a model directory holds (signature strings, input examples). */
private[mlflowbridge] object Json {
  val mapper = new ObjectMapper()

  /** Scala values (null, Boolean, numbers, String, Seq, Map; a ListMap keeps its order) as JSON text. */
  def write(v: Any): String = mapper.writeValueAsString(node(v))
  def writePretty(v: Any): String = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(node(v))

  def node(v: Any): JsonNode = v match {
    case null | None => NullNode.instance
    case Some(x)     => node(x)
    case n: JsonNode => n
    case s: String   => TextNode.valueOf(s)
    case b: Boolean  => BooleanNode.valueOf(b)
    case i: Int      => IntNode.valueOf(i)
    case l: Long     => LongNode.valueOf(l)
    case d: Double   => DoubleNode.valueOf(d)
    case f: Float    => FloatNode.valueOf(f)
    case m: scala.collection.Map[_, _] =>
      val o = mapper.createObjectNode()
      m.foreach { case (k, x) => o.set[JsonNode](String.valueOf(k), node(x)) }
      o
    case xs: Iterable[_] =>
      val a = mapper.createArrayNode()
      xs.foreach(x => a.add(node(x)))
      a
    case other => mapper.valueToTree[JsonNode](other)
  }

  def obj(fields: (String, Any)*): ObjectNode = {
    val node = mapper.createObjectNode()
    fields.foreach {
      case (k, v: String)   => node.put(k, v)
      case (k, v: Int)      => node.put(k, v)
      case (k, v: Long)     => node.put(k, v)
      case (k, v: Double)   => node.put(k, v)
      case (k, v: Boolean)  => node.put(k, v)
      case (k, v: JsonNode) => node.set[JsonNode](k, v)
      case (k, null)        => node.putNull(k)
      case (k, v)           => throw new IllegalArgumentException(s"Json.obj: unsupported value for '$k': $v")
    }
    node
  }
}
