package mlflowbridge
package model

import mlflowbridge.rest.Json

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}

import scala.collection.immutable.ListMap
import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.node.{JsonNodeFactory, NullNode, ObjectNode}
import org.yaml.snakeyaml.{DumperOptions, LoaderOptions, Yaml}
import org.yaml.snakeyaml.constructor.SafeConstructor
import org.yaml.snakeyaml.representer.Representer

/** One flavor's settings (MLmodel's `flavors.<name>`): open-ended per flavor, so read by key. */
private[mlflowbridge] final case class Flavor(conf: ObjectNode) {

  /** A non-empty string setting. */
  def string(key: String): Option[String] = Option(conf.get(key)).filter(_.isTextual).map(_.asText).filter(_.nonEmpty)

  /** A mapping setting of strings (e.g. the spark flavor's stage jars). */
  def strings(key: String): Map[String, String] =
    Option(conf.get(key)).filter(_.isObject).fold(Map.empty[String, String])(_.properties().asScala.map(e => e.getKey -> e.getValue.asText).toMap)
}

private[mlflowbridge] object Flavor {

  /** A flavor from Scala values (strings, numbers, booleans, null, Seq, Map; a ListMap keeps its order). */
  def of(fields: (String, Any)*): Flavor = {
    val o = Json.mapper.createObjectNode()
    fields.foreach { case (k, v) => o.set[JsonNode](k, Json.node(v)) }
    Flavor(o)
  }
}

/** MLmodel's `signature`: the inputs, outputs and params as the JSON strings MLflow stores. */
private[mlflowbridge] final case class MlSignature(inputsJson: Option[String], outputsJson: Option[String], paramsJson: Option[String]) {

  /** The input columns of a column-based signature (None: tensors). */
  lazy val inputs: Option[Seq[ColSpec]] = inputsJson.flatMap(Signature.parse)
}

private[mlflowbridge] object MlSignature {
  def of(inputs: Seq[ColSpec], outputs: Option[Seq[ColSpec]]): MlSignature =
    MlSignature(Some(Signature.toJson(inputs)), outputs.map(Signature.toJson), None)
}

/** MLmodel's `saved_input_example_info`: where the example is and how it is laid out. */
private[mlflowbridge] final case class InputExampleInfo(
    artifactPath: Option[String],
    tpe: Option[String],
    pandasOrient: Option[String],
    servingInputPath: Option[String],
    extra: ListMap[String, JsonNode] = ListMap.empty
) {

  /** The example's file when it is a DataFrame in pandas' split layout (what a Spark model takes). */
  def splitFrameFile: Option[String] =
    if (tpe.contains("dataframe") && pandasOrient.forall(_ == "split")) artifactPath else None
}

/**
 * An MLmodel file, typed. Keys this type does not name (`model_id`, `prompts`, a newer MLflow's)
 * stay in `extra`, so a file read and written again keeps them.
 */
private[mlflowbridge] final case class MlModel(
    flavors: ListMap[String, Flavor],
    signature: Option[MlSignature] = None,
    inputExample: Option[InputExampleInfo] = None,
    runId: Option[String] = None,
    artifactPath: Option[String] = None,
    modelUuid: Option[String] = None,
    utcTimeCreated: Option[String] = None,
    mlflowVersion: Option[String] = None,
    modelSizeBytes: Option[Long] = None,
    extra: ListMap[String, JsonNode] = ListMap.empty
) {

  /** Signature input columns when the model has a column-based signature. */
  def inputs: Option[Seq[ColSpec]] = signature.flatMap(_.inputs)

  /** The spark flavor's `model_data` (the PipelineModel's directory, "sparkml" by default); `where` names the model. */
  def sparkModelData(where: String): String = flavors.get("spark") match {
    case Some(f) => f.string("model_data").getOrElse(SparkFlavor.ModelData)
    case None =>
      throw BridgeException.badInput(s"MLmodel of $where has no 'spark' flavor (flavors: $flavorNames); it is not a Spark ML model")
  }

  /** The spark flavor's `jvm_stage_jars`: a custom stage's class -> its jar in the model folder. */
  def stageJars: Map[String, String] = flavors.get("spark").fold(Map.empty[String, String])(_.strings(CustomStages.FlavorKey))

  /** Whether it is an ONNX model: an onnx flavor and no spark flavor. */
  def isOnnx: Boolean = flavors.contains("onnx") && !flavors.contains("spark")

  def flavorNames: String = if (flavors.isEmpty) "none" else flavors.keys.toSeq.sorted.mkString(", ")

  /** The file's tree, every key as MLflow writes it (absent options are left out). */
  def toNode: ObjectNode = {
    val o = Json.mapper.createObjectNode()
    def put(k: String, v: Option[Any]): Unit = v.foreach(x => o.set[JsonNode](k, Json.node(x)))
    put("artifact_path", artifactPath)
    o.set[JsonNode]("flavors", Json.node(flavors.map { case (k, f) => k -> f.conf }))
    put("mlflow_version", mlflowVersion)
    put("model_size_bytes", modelSizeBytes)
    put("model_uuid", modelUuid)
    put("run_id", runId)
    inputExample.foreach { e =>
      val fields =
        Seq("artifact_path" -> e.artifactPath, "pandas_orient" -> e.pandasOrient, "serving_input_path" -> e.servingInputPath, "type" -> e.tpe)
      o.set[JsonNode]("saved_input_example_info", Json.node(ListMap(fields.collect { case (k, Some(v)) => k -> v }: _*) ++ e.extra))
    }
    signature.foreach(s =>
      o.set[JsonNode]("signature", Json.node(ListMap("inputs" -> s.inputsJson, "outputs" -> s.outputsJson, "params" -> s.paramsJson)))
    )
    put("utc_time_created", utcTimeCreated)
    extra.foreach { case (k, v) => o.set[JsonNode](k, v) }
    o
  }
}

/**
 * The one reader and writer of MLmodel files: YAML with SnakeYAML (on Spark's classpath), read
 * into a Jackson tree and then [[MlModel]]; written as Python's `yaml.safe_dump` does.
 */
private[mlflowbridge] object MlModelFile {
  val FileName = "MLmodel"

  private val Typed =
    Set(
      "artifact_path",
      "flavors",
      "mlflow_version",
      "model_size_bytes",
      "model_uuid",
      "run_id",
      "saved_input_example_info",
      "signature",
      "utc_time_created"
    )

  def read(dir: Path, where: String): MlModel = {
    val f = dir.resolve(FileName)
    if (!Files.isRegularFile(f)) throw BridgeException.notFound(s"$where has no $FileName file")
    parse(new String(Files.readAllBytes(f), UTF_8), where)
  }

  /** Parses MLmodel text; `where` names the model in error messages. */
  def parse(text: String, where: String): MlModel = {
    val loaded =
      try new Yaml(new SafeConstructor(new LoaderOptions())).load[Any](text)
      catch {
        case e: Exception =>
          throw BridgeException.badInput(s"MLmodel of $where is corrupted (not valid YAML): ${e.getMessage.linesIterator.take(3).mkString(" ")}")
      }
    toNode(loaded) match {
      case o: ObjectNode if o.has("flavors") => fromNode(o, where)
      case o: ObjectNode =>
        throw BridgeException.badInput(
          s"MLmodel of $where is corrupted: it has no 'flavors' section (keys: ${o.fieldNames().asScala.mkString(", ")})"
        )
      case _ =>
        throw BridgeException.badInput(
          s"MLmodel of $where is corrupted: expected a YAML mapping, found ${Option(loaded).fold("nothing")(_.getClass.getSimpleName)}"
        )
    }
  }

  private def fromNode(o: ObjectNode, where: String): MlModel = {
    def text(n: JsonNode): Option[String] = Option(n).filterNot(_.isNull).map(_.asText)
    def str(k: String): Option[String] = text(o.get(k))
    def fields(n: JsonNode): Seq[(String, JsonNode)] =
      Option(n).filter(_.isObject).toSeq.flatMap(_.properties().asScala.toSeq.map(e => e.getKey -> e.getValue))
    val flavors = ListMap(fields(o.get("flavors")).map {
      case (k, v: ObjectNode) => k -> Flavor(v)
      case (k, _)             => k -> Flavor(Json.mapper.createObjectNode()) // `spark: null`: the flavor's defaults
    }: _*)
    val signature =
      Option(o.get("signature")).filter(_.isObject).map(s => MlSignature(text(s.get("inputs")), text(s.get("outputs")), text(s.get("params"))))
    signature.foreach { s =>
      try s.inputs
      catch { case e: Exception => throw BridgeException.badInput(s"MLmodel of $where has an unreadable signature: ${e.getMessage}") }
    }
    val example = Option(o.get("saved_input_example_info")).filter(_.isObject).map { e =>
      val known = Set("artifact_path", "type", "pandas_orient", "serving_input_path")
      InputExampleInfo(
        text(e.get("artifact_path")).filter(_.nonEmpty),
        text(e.get("type")),
        text(e.get("pandas_orient")),
        text(e.get("serving_input_path")),
        ListMap(fields(e).filterNot(f => known(f._1)): _*)
      )
    }
    MlModel(
      flavors,
      signature,
      example,
      str("run_id"),
      str("artifact_path"),
      str("model_uuid"),
      str("utc_time_created"),
      str("mlflow_version"),
      Option(o.get("model_size_bytes")).filter(_.canConvertToLong).map(_.asLong),
      ListMap(fields(o).filterNot(f => Typed(f._1)): _*)
    )
  }

  /** The MLmodel text for `mm`. */
  def render(mm: MlModel): String = yaml(mm.toNode)

  def write(dir: Path, mm: MlModel): Unit = Files.write(dir.resolve(FileName), render(mm).getBytes(UTF_8))

  /** YAML as `yaml.safe_dump(d, default_flow_style=False)` writes it: block style, sorted keys. */
  def yaml(tree: JsonNode): String = {
    val opts = new DumperOptions()
    opts.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK)
    opts.setIndent(2)
    opts.setWidth(80)
    new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(opts), opts).dump(toJava(tree))
  }

  /** SnakeYAML's values as a Jackson tree (a timestamp SnakeYAML recognised stays its text). */
  private def toNode(v: Any): JsonNode = v match {
    case m: java.util.Map[_, _] =>
      val o = Json.mapper.createObjectNode()
      m.asScala.foreach { case (k, x) => o.set[JsonNode](String.valueOf(k), toNode(x)) }
      o
    case l: java.util.List[_]    => val a = Json.mapper.createArrayNode(); l.asScala.foreach(x => a.add(toNode(x))); a
    case null                    => NullNode.instance
    case s: String               => JsonNodeFactory.instance.textNode(s)
    case b: java.lang.Boolean    => JsonNodeFactory.instance.booleanNode(b)
    case i: java.lang.Integer    => JsonNodeFactory.instance.numberNode(i)
    case l: java.lang.Long       => JsonNodeFactory.instance.numberNode(l)
    case i: java.math.BigInteger => JsonNodeFactory.instance.numberNode(i)
    case d: java.lang.Double     => JsonNodeFactory.instance.numberNode(d)
    case d: java.util.Date       => JsonNodeFactory.instance.textNode(d.toInstant.toString)
    case other                   => JsonNodeFactory.instance.textNode(String.valueOf(other))
  }

  private def toJava(n: JsonNode): AnyRef =
    if (n.isObject) {
      val t = new java.util.TreeMap[String, AnyRef]()
      n.properties().asScala.foreach(e => t.put(e.getKey, toJava(e.getValue)))
      t
    } else if (n.isArray) n.elements().asScala.map(toJava).toList.asJava
    else if (n.isNull || n.isMissingNode) null
    else if (n.isBoolean) java.lang.Boolean.valueOf(n.booleanValue)
    else if (n.isIntegralNumber) { if (n.canConvertToLong) java.lang.Long.valueOf(n.longValue) else n.bigIntegerValue }
    else if (n.isNumber) java.lang.Double.valueOf(n.doubleValue)
    else n.asText
}
