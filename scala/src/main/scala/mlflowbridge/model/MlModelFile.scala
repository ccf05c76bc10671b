package mlflowbridge
package model

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}

import scala.jdk.CollectionConverters._

import org.yaml.snakeyaml.{DumperOptions, LoaderOptions, Yaml}
import org.yaml.snakeyaml.constructor.SafeConstructor
import org.yaml.snakeyaml.representer.Representer

/** A parsed MLmodel file. `where` names the model in error messages. */
private[mlflowbridge] final case class MlModel(where: String, doc: Map[String, Any]) {
  def flavors: Map[String, Any] = doc.get("flavors") match {
    case Some(m: Map[_, _]) => m.asInstanceOf[Map[String, Any]]
    case _                  => Map.empty
  }

  /** The spark flavor's `model_data` (the PipelineModel's directory, "sparkml" by default). */
  def sparkModelData: String = flavors.get("spark") match {
    case Some(f: Map[_, _]) => f.asInstanceOf[Map[String, Any]].get("model_data").collect { case s: String if s.nonEmpty => s }.getOrElse("sparkml")
    case Some(null)         => "sparkml"
    case _ =>
      val have = if (flavors.isEmpty) "none" else flavors.keys.toSeq.sorted.mkString(", ")
      throw BridgeException.badInput(s"MLmodel of $where has no 'spark' flavor (flavors: $have); it is not a Spark ML model")
  }

  /** The spark flavor's `jvm_stage_jars`: a custom stage's class -> its jar in the model folder. */
  def stageJars: Map[String, String] = flavors.get("spark") match {
    case Some(f: Map[_, _]) =>
      f.asInstanceOf[Map[String, Any]]
        .get(CustomStages.FlavorKey)
        .collect { case m: Map[_, _] => m.map { case (k, v) => k.toString -> String.valueOf(v) } }
        .getOrElse(Map.empty)
    case _ => Map.empty
  }

  /** Signature input columns when the model has a column-based signature. */
  def inputs: Option[Seq[ColSpec]] = doc.get("signature") match {
    case Some(s: Map[_, _]) =>
      s.asInstanceOf[Map[String, Any]].get("inputs").collect { case j: String => j }.flatMap { j =>
        try Signature.parse(j)
        catch { case e: Exception => throw BridgeException.badInput(s"MLmodel of $where has an unreadable signature: ${e.getMessage}") }
      }
    case _ => None
  }
}

/** Reads and writes MLmodel YAML with SnakeYAML (on Spark's classpath), as Python's yaml.safe_dump does. */
private[mlflowbridge] object MlModelFile {
  val FileName = "MLmodel"

  def read(dir: Path, where: String): MlModel = {
    val f = dir.resolve(FileName)
    if (!Files.isRegularFile(f)) throw BridgeException.notFound(s"$where has no $FileName file")
    parse(new String(Files.readAllBytes(f), UTF_8), where)
  }

  def parse(text: String, where: String): MlModel = {
    val loaded =
      try new Yaml(new SafeConstructor(new LoaderOptions())).load[Any](text)
      catch {
        case e: Exception =>
          throw BridgeException.badInput(s"MLmodel of $where is corrupted (not valid YAML): ${e.getMessage.linesIterator.take(3).mkString(" ")}")
      }
    toScala(loaded) match {
      case m: Map[_, _] if m.asInstanceOf[Map[String, Any]].contains("flavors") => MlModel(where, m.asInstanceOf[Map[String, Any]])
      case m: Map[_, _] =>
        throw BridgeException.badInput(s"MLmodel of $where is corrupted: it has no 'flavors' section (keys: ${m.keys.mkString(", ")})")
      case other =>
        throw BridgeException.badInput(
          s"MLmodel of $where is corrupted: expected a YAML mapping, found ${Option(other).fold("nothing")(_.getClass.getSimpleName)}"
        )
    }
  }

  /** YAML as `yaml.safe_dump(d, default_flow_style=False)` writes it: block style, sorted keys. */
  def render(doc: Map[String, Any]): String = {
    val opts = new DumperOptions()
    opts.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK)
    opts.setIndent(2)
    opts.setWidth(80)
    new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(opts), opts).dump(toJava(doc))
  }

  def write(dir: Path, doc: Map[String, Any]): Unit = Files.write(dir.resolve(FileName), render(doc).getBytes(UTF_8))

  private def toScala(v: Any): Any = v match {
    case m: java.util.Map[_, _] => m.asScala.map { case (k, x) => String.valueOf(k) -> toScala(x) }.toMap
    case l: java.util.List[_]   => l.asScala.map(toScala).toList
    case x                      => x
  }

  private[mlflowbridge] def toJava(v: Any): AnyRef = v match {
    case m: Map[_, _] =>
      val t = new java.util.TreeMap[String, AnyRef]()
      m.foreach { case (k, x) => t.put(String.valueOf(k), toJava(x)) }
      t
    case s: Seq[_] => s.map(toJava).asJava
    case None      => null
    case Some(x)   => toJava(x)
    case x         => x.asInstanceOf[AnyRef]
  }
}
