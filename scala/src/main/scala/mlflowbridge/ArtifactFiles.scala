package mlflowbridge

import mlflowbridge.model.{MlModelFile, SparkFlavor}
import mlflowbridge.rest._

import java.awt.image.BufferedImage
import java.io.ByteArrayOutputStream
import java.nio.charset.StandardCharsets.UTF_8

import scala.collection.immutable.ListMap
import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.node._
import org.apache.spark.sql.{Dataset, Row}

/**
 * The bytes of the in-memory artifacts Python's `MlflowClient.log_dict`, `log_image`,
 * `log_figure` and `log_table` write, so that its readers (`load_dict`, `load_image`,
 * `load_table`) and the UI take the JVM's files for their own.
 */
private[mlflowbridge] object ArtifactFiles {

  /** The tag `log_table` keeps its tables in (the UI's table view and `load_table` search it). */
  val LoggedArtifactsTag = "mlflow.loggedArtifacts"

  def extension(artifactFile: String): String = {
    val name = artifactFile.substring(artifactFile.lastIndexOf('/') + 1)
    val dot = name.lastIndexOf('.')
    if (dot <= 0) "" else name.substring(dot).toLowerCase(java.util.Locale.ROOT)
  }

  /** `log_dict`: JSON (indent 2, non-ASCII escaped) for `.json` or no extension, YAML (keys sorted) for `.yml`/`.yaml`. */
  def dict(dictionary: java.util.Map[String, _], artifactFile: String): Array[Byte] = {
    if (dictionary == null) throw BridgeException.badInput("the dictionary to log must not be null")
    val tree = node(dictionary)
    val text = extension(artifactFile) match {
      case "" | ".json"     => PyJson.dumps(tree, 2)
      case ".yml" | ".yaml" => MlModelFile.yaml(tree)
      case other =>
        throw BridgeException.badInput(
          s"artifact file '$artifactFile' has the extension '$other': logDict writes JSON (.json, or no extension) or YAML (.yml, .yaml)"
        )
    }
    text.getBytes(UTF_8)
  }

  /** Python's `default=str`: maps, lists and arrays, strings, numbers, booleans, null; anything else as its string. */
  def node(v: Any): JsonNode = v match {
    case null                 => NullNode.instance
    case n: JsonNode          => n
    case s: String            => TextNode.valueOf(s)
    case b: java.lang.Boolean => BooleanNode.valueOf(b)
    case i @ (_: java.lang.Integer | _: java.lang.Long | _: java.lang.Short | _: java.lang.Byte) =>
      LongNode.valueOf(i.asInstanceOf[Number].longValue())
    case i: java.math.BigInteger       => BigIntegerNode.valueOf(i)
    case i: scala.math.BigInt          => BigIntegerNode.valueOf(i.bigInteger)
    case d: java.lang.Number           => DoubleNode.valueOf(d.doubleValue())
    case m: java.util.Map[_, _]        => obj(m.asScala)
    case m: scala.collection.Map[_, _] => obj(m)
    case xs: java.lang.Iterable[_]     => arr(xs.asScala)
    case xs: Iterable[_]               => arr(xs)
    case xs: Array[_]                  => arr(xs.toSeq)
    case other                         => TextNode.valueOf(String.valueOf(other))
  }

  private def obj(m: scala.collection.Map[_, _]): ObjectNode = {
    val o = Json.mapper.createObjectNode()
    m.foreach { case (k, x) => o.set[JsonNode](String.valueOf(k), node(x)) }
    o
  }

  private def arr(xs: Iterable[_]): ArrayNode = {
    val a = Json.mapper.createArrayNode()
    xs.foreach(x => a.add(node(x)))
    a
  }

  private val Png = Array(0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a).map(_.toByte)
  private val Jpeg = Array(0xff, 0xd8, 0xff).map(_.toByte)

  /** PNG or JPEG bytes (an image, or a figure rendered to PNG), under a name with the same format's extension. */
  def image(bytes: Array[Byte], artifactFile: String): Array[Byte] = {
    if (bytes == null) throw BridgeException.badInput("the image must not be null")
    val format =
      if (bytes.startsWith(Png)) "png"
      else if (bytes.startsWith(Jpeg)) "jpeg"
      else
        throw BridgeException.badInput(
          s"the image for '$artifactFile' is neither PNG nor JPEG (its first bytes: ${bytes.take(8).map(b => "%02x".format(b & 0xff)).mkString(" ")}); encode it as one of those first"
        )
    if (imageFormat(artifactFile) != format)
      throw BridgeException.badInput(
        s"the image is $format, but '$artifactFile' names another format: use ${if (format == "png") ".png" else ".jpg or .jpeg"}"
      )
    bytes
  }

  /** A BufferedImage encoded as the artifact file's extension says (.png, .jpg, .jpeg), as PIL's `save` does. */
  def image(img: BufferedImage, artifactFile: String): Array[Byte] = {
    if (img == null) throw BridgeException.badInput("the image must not be null")
    val format = imageFormat(artifactFile)
    // JPEG has no alpha channel: PIL refuses RGBA, ImageIO writes nothing; drop it, as converting to RGB does.
    val opaque =
      if (format == "jpeg" && img.getColorModel.hasAlpha) {
        val rgb = new BufferedImage(img.getWidth, img.getHeight, BufferedImage.TYPE_INT_RGB)
        val g = rgb.createGraphics()
        try g.drawImage(img, 0, 0, java.awt.Color.WHITE, null)
        finally g.dispose()
        rgb
      } else img
    val out = new ByteArrayOutputStream()
    if (!javax.imageio.ImageIO.write(opaque, format, out))
      throw BridgeException.badInput(s"the image for '$artifactFile' cannot be written as $format (image type ${img.getType})")
    out.toByteArray
  }

  private def imageFormat(artifactFile: String): String = extension(artifactFile) match {
    case ".png"           => "png"
    case ".jpg" | ".jpeg" => "jpeg"
    case other =>
      throw BridgeException.badInput(s"image artifact '$artifactFile' has the extension '$other': logImage writes .png, .jpg or .jpeg")
  }

  /** A table: column names and rows of cells. */
  final case class Table(columns: Seq[String], rows: Seq[Seq[JsonNode]])

  /** `log_table` refuses these characters in the file name (`load_table` searches the tag with LIKE). */
  def checkTableFile(artifactFile: String): Unit = {
    if (artifactFile == null || artifactFile.isEmpty) throw BridgeException.badInput("table artifact file must not be empty")
    "\"',:[]{}".find(c => artifactFile.indexOf(c) >= 0).foreach { c =>
      throw BridgeException.badInput(s"table artifact file '$artifactFile' holds the character '$c', which log_table forbids")
    }
    if (extension(artifactFile) != ".json")
      throw BridgeException.badInput(
        s"table artifact file '$artifactFile' must end in .json (pandas' split layout, which mlflow.load_table reads)"
      )
  }

  def table(df: Dataset[Row]): Table = {
    if (df == null) throw BridgeException.badInput("the table's DataFrame must not be null")
    Table(df.columns.toSeq, df.collect().toSeq.map(r => r.toSeq.map(v => node(SparkFlavor.jsonValue(v)))))
  }

  def table(columns: java.util.List[String], rows: java.util.List[java.util.List[Object]]): Table = {
    if (columns == null || rows == null) throw BridgeException.badInput("the table's columns and rows must not be null")
    val cols = columns.asScala.toSeq
    if (cols.distinct.size != cols.size) throw BridgeException.badInput(s"the table's columns are not unique: ${cols.mkString(", ")}")
    Table(
      cols,
      rows.asScala.toSeq.zipWithIndex.map { case (r, i) =>
        if (r == null || r.size != cols.size)
          throw BridgeException.badInput(s"table row $i has ${Option(r).fold(0)(_.size)} cells for ${cols.size} columns")
        r.asScala.toSeq.map(v => node(SparkFlavor.jsonValue(v)))
      }
    )
  }

  /** pandas' `read_json(orient="split")` input; errors name `where`. */
  def readTable(text: String, where: String): Table = {
    val n =
      try Json.mapper.readTree(text)
      catch { case e: Exception => throw BridgeException.badInput(s"$where is not JSON: ${e.getMessage.linesIterator.next()}") }
    if (n == null || !n.path("columns").isArray || !n.path("data").isArray)
      throw BridgeException.badInput(s"$where is not a table in pandas' split layout (columns, data)")
    Table(n.path("columns").elements().asScala.map(_.asText()).toSeq, n.path("data").elements().asScala.map(_.elements().asScala.toSeq).toSeq)
  }

  /** `pd.concat([old, new], ignore_index=True)`: the columns of both, in order of appearance; cells a table lacks are null. */
  def append(old: Table, add: Table): Table = {
    val columns = old.columns ++ add.columns.filterNot(old.columns.contains)
    def align(t: Table) = {
      val at = t.columns.zipWithIndex.toMap
      t.rows.map(r => columns.map(c => at.get(c).map(r).getOrElse(NullNode.instance: JsonNode)))
    }
    Table(columns, align(old) ++ align(add))
  }

  /**
   * `df.to_json(orient="split", index=False)`. As in pandas, a numeric column holding a float
   * or a null is float64, so its whole numbers are written as floats (1.0).
   */
  def render(t: Table): Array[Byte] = {
    val floatColumns = t.columns.indices.filter { i =>
      val cells = t.rows.map(_(i))
      cells.forall(c => c.isNull || c.isNumber) && cells.exists(_.isNumber) && cells.exists(c => c.isNull || c.isFloatingPointNumber)
    }.toSet
    def cell(c: JsonNode, i: Int): JsonNode = if (floatColumns(i) && c.isIntegralNumber) DoubleNode.valueOf(c.asDouble()) else c
    val data = t.rows.map(r => Json.mapper.createArrayNode().addAll(r.zipWithIndex.map { case (c, i) => cell(c, i) }.asJava))
    PyJson.pandas(Json.node(ListMap("columns" -> t.columns, "data" -> data))).getBytes(UTF_8)
  }

  /** The tag's new value with `{"path": file, "type": "table"}` added (None when it is there already). */
  def loggedTables(current: Option[String], artifactFile: String): Option[String] = {
    val entry = Json.node(ListMap("path" -> artifactFile, "type" -> "table"))
    val list = current.map(Json.mapper.readTree).filter(_.isArray).map(_.elements().asScala.toList).getOrElse(Nil)
    if (list.contains(entry)) None else Some(PyJson.dumps(Json.node(list :+ entry)))
  }
}
