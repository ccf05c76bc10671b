package mlflowbridge
package model

import mlflowbridge.rest._

import scala.collection.immutable.ListMap

import scala.jdk.CollectionConverters._

import org.apache.spark.ml.linalg.SQLDataTypes.VectorType
import org.apache.spark.sql.types._

/**
 * One column of an MLflow model signature. `tpe` is MLflow's name: double, float, long,
 * integer, string, boolean, binary, datetime, sparkml_vector, or array (with `items`).
 */
private[mlflowbridge] final case class ColSpec(name: String, tpe: String, required: Boolean = true, items: Option[String] = None) {
  def describe: String = items.fold(tpe)(i => s"array<$i>")
}

/**
 * MLflow's column-based signature: `inputs`/`outputs` are JSON strings inside MLmodel, written as
 * Python's `json.dumps` does (", " and ": " separators, ASCII-only) so files match Python's.
 */
private[mlflowbridge] object Signature {

  /** Spark type -> MLflow type, as `mlflow.types.utils._infer_spark_type` does. */
  def mlflowType(name: String, dt: DataType): ColSpec = dt match {
    case LongType                                    => ColSpec(name, "long")
    case IntegerType | ShortType | ByteType          => ColSpec(name, "integer")
    case FloatType                                   => ColSpec(name, "float")
    case DoubleType                                  => ColSpec(name, "double")
    case BooleanType                                 => ColSpec(name, "boolean")
    case StringType                                  => ColSpec(name, "string")
    case BinaryType                                  => ColSpec(name, "binary")
    case DateType | TimestampType | TimestampNTZType => ColSpec(name, "datetime")
    case v if v == VectorType                        => ColSpec(name, "sparkml_vector")
    case ArrayType(et, _)                            => ColSpec(name, "array", items = Some(mlflowType(name, et).tpe))
    case other => throw BridgeException.badInput(s"column '$name' has type ${other.simpleString}, which an MLflow signature cannot describe here")
  }

  /** MLflow's name for a Spark type, or Spark's own when MLflow has none. */
  def mlflowTypeName(dt: DataType): String =
    scala.util.Try(mlflowType("", dt).describe).getOrElse(dt.simpleString)

  def fromSchema(schema: StructType): Seq[ColSpec] = schema.fields.toSeq.map(f => mlflowType(f.name, f.dataType))

  /** The JSON string MLmodel stores (`json.dumps(schema.to_dict())`), key order as `ColSpec.to_dict`: type, (items,) name, required. */
  def toJson(cols: Seq[ColSpec]): String = PyJson.dumps(Json.node(toDicts(cols)))

  /** `[c.to_dict() for c in cols]`. */
  def toDicts(cols: Seq[ColSpec]): Seq[ListMap[String, Any]] = cols.map { c =>
    val typ = c.items.fold(ListMap[String, Any]("type" -> c.tpe))(i => ListMap("type" -> "array", "items" -> ListMap("type" -> i)))
    typ ++ ListMap("name" -> c.name, "required" -> c.required)
  }

  /** Column specs from a signature JSON string; None when it is not column-based (tensors). */
  def parse(json: String): Option[Seq[ColSpec]] = {
    val node = Json.mapper.readTree(json)
    if (node == null || !node.isArray) None
    else {
      val cols = node.elements().asScala.toSeq
      if (cols.exists(c => c.path("type").asText() == "tensor")) None
      else
        Some(cols.map { c =>
          val items = Option(c.get("items")).map(i => i.path("type").asText())
          ColSpec(c.path("name").asText(""), c.path("type").asText(), c.path("required").asBoolean(true), items)
        })
    }
  }

  /**
   * Whether a Spark column of type `actual` can feed a signature column: the same type, or a
   * numeric widening (what CSV and JSON readers produce for whole numbers; SQL decimals). Unknown
   * MLflow types (object, map, any) are not checked.
   */
  def accepts(spec: ColSpec, actual: DataType): Boolean = {
    val have = scala.util.Try(mlflowType(spec.name, actual)).toOption
    have.exists(h => h.tpe == spec.tpe && h.items == spec.items) || ((spec.tpe, actual) match {
      case ("double", IntegerType | LongType | FloatType | ShortType | ByteType | _: DecimalType) => true
      case ("float", IntegerType | ShortType | ByteType)                                          => true
      case ("long", IntegerType | ShortType | ByteType)                                           => true
      case (t, _) => !Set("double", "float", "long", "integer", "string", "boolean", "binary", "datetime", "sparkml_vector", "array")(t)
    })
  }

  /** The Spark type to cast a widened column to before scoring (None: leave as is). */
  def sparkType(spec: ColSpec): Option[DataType] = spec.tpe match {
    case "double"  => Some(DoubleType)
    case "float"   => Some(FloatType)
    case "long"    => Some(LongType)
    case "integer" => Some(IntegerType)
    case _         => None
  }
}
