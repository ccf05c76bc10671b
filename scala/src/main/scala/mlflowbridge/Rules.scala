package mlflowbridge

import java.nio.charset.StandardCharsets.US_ASCII
import java.nio.file.Paths

import scala.collection.immutable.ListMap
import scala.io.Source

/**
 * The rules Python applies too, before a JVM starts (bridge/rules.properties, copied into the jar
 * by build.sbt; bridge/rules.py reads the same file): table formats by extension, the tracking-URI
 * scheme, the standalone-master check, and the words each says when it refuses.
 */
private[mlflowbridge] object Rules {

  /** The file's key/value pairs in its order (comments and blank lines skipped), parsed as bridge/rules.py parses it. */
  lazy val table: ListMap[String, String] = {
    val in = getClass.getResourceAsStream("/mlflowbridge/rules.properties")
    if (in == null) throw new IllegalStateException("mlflowbridge/rules.properties is missing from the classpath; rebuild with `make jars`")
    val lines =
      try Source.fromInputStream(in, US_ASCII.name).getLines().toList
      finally in.close()
    ListMap(lines.map(_.trim).filter(l => l.nonEmpty && !l.startsWith("#") && l.contains("=")).map { l =>
      val i = l.indexOf('=')
      l.substring(0, i).trim -> l.substring(i + 1).trim
    }: _*)
  }

  private def get(key: String): String = table.getOrElse(key, throw new IllegalStateException(s"rules.properties has no '$key'"))

  def message(key: String, values: (String, Any)*): String =
    values.foldLeft(get(key)) { case (text, (name, value)) => text.replace(s"{$name}", String.valueOf(value)) }

  /** Extension -> format (csv, parquet, json), in the file's order. */
  lazy val formats: ListMap[String, String] =
    table.filter(_._1.startsWith("format.")).flatMap { case (k, exts) => exts.split("\\s+").toSeq.map(_ -> k.stripPrefix("format.")) }

  private def either(items: Seq[String]): String = if (items.size == 1) items.head else items.init.mkString(", ") + " or " + items.last

  /** The file name's last extension, lower case ("" without one), as Python's `Path.suffix`. */
  def extension(path: String): String = {
    val name = Option(Paths.get(path).getFileName).fold("")(_.toString)
    val dot = name.lastIndexOf('.')
    if (dot <= 0 || dot == name.length - 1) "" else name.substring(dot).toLowerCase(java.util.Locale.ROOT)
  }

  /** csv, parquet or json by the file name's extension; a one-line error naming the accepted ones. */
  def formatOf(path: String): String =
    formats.getOrElse(
      extension(path),
      throw BridgeException.badInput(
        message("message.unknown-format", "path" -> path, "ext" -> extension(path), "accepted" -> either(formats.keys.toSeq))
      )
    )

  /** An explicitly named format (csv, parquet, json), lower-cased. */
  def namedFormat(format: String): String = {
    val f = format.toLowerCase(java.util.Locale.ROOT)
    if (formats.values.exists(_ == f)) f
    else
      throw BridgeException.badInput(message("message.unknown-output-format", "format" -> format, "formats" -> either(formats.values.toSeq.distinct)))
  }

  def isTrackingServer(uri: String): Boolean = uri != null && get("tracking.schemes").split("\\s+").exists(uri.startsWith)

  def checkTrackingUri(uri: String): Unit =
    if (!isTrackingServer(uri)) throw BridgeException.badInput(message("message.tracking-uri", "uri" -> Option(uri).getOrElse("")))

  /** A standalone master (spark://host:port[,host:port...]) answers on one of its ports; other masters are Spark's to check. */
  def checkMaster(master: String): Unit = {
    val prefix = get("master.standalone")
    if (master.startsWith(prefix)) {
      val timeoutMs = (get("master.timeout.seconds").toDouble * 1000).toInt
      val problems = master.stripPrefix(prefix).split(",").toSeq.map { hostport =>
        val i = hostport.lastIndexOf(':')
        val port = if (i > 0) Some(hostport.substring(i + 1)).filter(p => p.nonEmpty && p.forall(_.isDigit)) else None
        if (port.isEmpty) throw BridgeException.badInput(message("message.master-malformed", "master" -> master))
        val socket = new java.net.Socket()
        try { socket.connect(new java.net.InetSocketAddress(hostport.substring(0, i), port.get.toInt), timeoutMs); None }
        catch { case e: java.io.IOException => Some(s"$hostport (${Option(e.getMessage).getOrElse(e.getClass.getSimpleName)})") }
        finally socket.close()
      }
      if (problems.forall(_.isDefined))
        throw BridgeException.badInput(message("message.master-unreachable", "master" -> master, "problems" -> problems.flatten.mkString(", ")))
    }
  }
}
