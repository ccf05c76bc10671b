package mlflowbridge
package serve

import mlflowbridge.model.InputCheck

import java.util.concurrent.{Executors, TimeUnit}
import java.util.concurrent.atomic.AtomicReference

import scala.util.control.NonFatal

import org.apache.spark.sql.SparkSession
import org.slf4j.LoggerFactory

/**
 * Keeps a server on the version `models:/<name>@<alias>` points at: every `pollSeconds`, on a
 * thread of its own (never a request's), reads the alias; when it names another version, loads
 * that version whole and warms it ([[ServedVersion.warm]]), then swaps it into `slot` at once.
 * A request takes the slot's model once, as it starts, so requests in flight finish on the old
 * one. A version that fails to load or warm leaves the old one serving, is logged in one line
 * (once per version and reason), and is tried again at the next poll.
 */
private[serve] final class AliasFollower(
    mlflow: Mlflow,
    spark: SparkSession,
    name: String,
    alias: String,
    pollSeconds: Double,
    slot: AtomicReference[ServedVersion]
) extends AutoCloseable {
  private val log = LoggerFactory.getLogger(classOf[AliasFollower])
  private val timer = Executors.newSingleThreadScheduledExecutor { (r: Runnable) =>
    val t = new Thread(r, "mlflowbridge-serve-follow")
    t.setDaemon(true)
    t
  }
  @volatile private var lastFailure: Option[String] = None

  def start(): Unit = {
    val every = math.max(1L, (pollSeconds * 1000).round)
    timer.scheduleWithFixedDelay(() => poll(), every, every, TimeUnit.MILLISECONDS)
  }

  /** One look at the alias; never throws (a throw would cancel the schedule). */
  private[serve] def poll(): Unit = {
    val current = slot.get()
    val serving = current.version.getOrElse("?")
    var moved: Option[String] = None
    try {
      val version = mlflow.registry.getModelVersionByAlias(name, alias).getVersion
      if (current.version.contains(version)) lastFailure = None
      else {
        moved = Some(version)
        val next = ServedVersion.load(mlflow, s"models:/$name/$version", spark)
        next.warm()
        slot.set(next)
        lastFailure = None
        log.info(s"now serving version $version of '$name' (alias '$alias' moved from version $serving)")
      }
    } catch {
      case NonFatal(e) =>
        val what = moved.fold(s"reading alias '$alias' of '$name' failed")(v => s"version $v of '$name' (alias '$alias') failed to load")
        val line = s"$what: ${InputCheck.firstLine(e)}; still serving version $serving, trying again every ${interval}s"
        if (!lastFailure.contains(line)) log.warn(line)
        lastFailure = Some(line)
    }
  }

  private def interval: String = AliasFollower.seconds(pollSeconds)

  /** Stops polling; a load in progress is interrupted and never swapped in. */
  override def close(): Unit = {
    timer.shutdownNow()
    timer.awaitTermination(5, TimeUnit.SECONDS)
  }
}

private[mlflowbridge] object AliasFollower {

  /** The (name, alias) of a `models:/<name>@<alias>` URI; any other URI is refused: it never moves. */
  def aliasOf(uri: String): (String, String) = {
    val u = Option(uri).map(_.trim).getOrElse("")
    u.stripPrefix("models:").stripPrefix("/").split("@", -1) match {
      case Array(name, alias) if u.startsWith("models:") && name.nonEmpty && alias.nonEmpty && !(name + alias).contains("/") => (name, alias)
      case _ =>
        throw BridgeException.badInput(
          s"only a models:/<name>@<alias> URI can be followed, and $u is none (a version, a run or a folder never moves)"
        )
    }
  }

  /** 30.0 as "30", 0.5 as "0.5". */
  def seconds(d: Double): String = java.math.BigDecimal.valueOf(d).stripTrailingZeros.toPlainString

  def checkPollSeconds(seconds: Double): Unit =
    if (!(seconds > 0) || seconds.isInfinite)
      throw BridgeException.badInput(s"the alias's poll interval must be a number of seconds above 0, got $seconds")
}
