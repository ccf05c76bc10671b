package mlflowbridge
package serve

import mlflowbridge.model.{InputCheck, ModelUri}

import java.io.{ByteArrayOutputStream, InputStream}
import java.net.InetSocketAddress
import java.nio.charset.StandardCharsets
import java.util.concurrent.{CountDownLatch, ExecutorService, Executors, ThreadFactory, TimeUnit}
import java.util.concurrent.atomic.{AtomicInteger, AtomicReference}

import scala.util.control.NonFatal

import com.sun.net.httpserver.{HttpExchange, HttpServer}
import org.apache.spark.sql.SparkSession

/**
 * MLflow's scoring protocol for one spark model, as `mlflow models serve` answers it: `GET /ping`
 * and `/health` (200), `GET /version` (the mlflow version the bridge is pinned to), `POST
 * /invocations` (JSON or CSV in, `{"predictions": [...]}` out). Errors are MLflow's JSON
 * `{"error_code", "message"}`, never a stack trace.
 *
 * The JDK's own `com.sun.net.httpserver`: no dependency to add, enough for this small protocol,
 * and backed by an executor so requests are scored concurrently.
 *
 * The model is held in one slot that a request reads once, as it starts: an [[AliasFollower]]
 * swaps a new version in whole, and requests in flight finish on the one they took.
 */
final class ScoringServer private (server: HttpServer, pool: ExecutorService, state: ScoringServer.State, follower: Option[AliasFollower])
    extends AutoCloseable {
  private val stopped = new CountDownLatch(1)

  /** The port it listens on (the one picked when 0 was asked). */
  def port: Int = server.getAddress.getPort
  def host: String = server.getAddress.getHostString

  /** The registry version answering now (what [[ScoringServer.VersionHeader]] says), or null for a model not from the registry. */
  def modelVersion: String = state.slot.get().version.orNull

  /**
   * Answers new requests with 503, lets those in flight finish (up to 3 s), then stops. (Not
   * `HttpServer.stop(delay)` alone: on JDK 17 it can wait the whole delay with nothing in flight.)
   */
  override def close(): Unit = if (state.closing.compareAndSet(false, true)) {
    try {
      follower.foreach(_.close())
      val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ScoringServer.DrainSeconds)
      while (state.inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(10)
      server.stop(0)
      pool.shutdown()
      pool.awaitTermination(1, TimeUnit.SECONDS)
    } finally stopped.countDown()
  }

  /** Blocks until [[close]] has finished. */
  def awaitTermination(): Unit = stopped.await()
}

object ScoringServer {
  val DefaultMaxBodyBytes: Long = 50L * 1024 * 1024
  private val DrainSeconds = 3
  private val NoDelay = "sun.net.httpserver.nodelay"

  /** What the handler and [[ScoringServer.close]] share: requests being scored, and whether it is stopping. */
  private final class State(val maxBodyBytes: Long, first: ServedVersion) {
    val inFlight = new AtomicInteger()
    val closing = new java.util.concurrent.atomic.AtomicBoolean(false)
    val slot = new AtomicReference(first)
  }

  /**
   * Loads `modelUri` and serves it on `host:port` (0: any free port) with `spark`. A body over
   * `maxBodyBytes` is refused with 413. With `followPollSeconds`, `modelUri` must be
   * `models:/<name>@<alias>`, and the registry is read that often: when the alias moves, the
   * version it names is loaded and swapped in ([[AliasFollower]]).
   */
  def start(
      mlflow: Mlflow,
      modelUri: String,
      spark: SparkSession,
      host: String,
      port: Int,
      maxBodyBytes: Long,
      followPollSeconds: Option[Double]
  ): ScoringServer = {
    ModelUri.checkWithoutServer(modelUri, !mlflow.isLocal)
    // TCP_NODELAY: the JDK's server writes the headers and the body apart, and without it Nagle's
    // algorithm holds the body until the client's delayed ACK (~40 ms) on a kept-alive connection.
    // Read once, when the JDK's server config first loads: set before the first server is made.
    if (System.getProperty(NoDelay) == null) System.setProperty(NoDelay, "true")
    val followed = followPollSeconds.map { seconds => AliasFollower.checkPollSeconds(seconds); AliasFollower.aliasOf(modelUri) }
    // Bound before the (slow) load, so a port in use fails at once; answers only once loaded.
    val server =
      try HttpServer.create(new InetSocketAddress(host, port), 128)
      catch {
        case e: java.net.BindException =>
          throw BridgeException.badInput(s"cannot listen on $host:$port: ${e.getMessage} (is another server on that port?)")
      }
    val first =
      try ServedVersion.load(mlflow, modelUri, spark)
      catch { case NonFatal(e) => server.stop(0); throw e }
    val pool = Executors.newFixedThreadPool(math.max(4, Runtime.getRuntime.availableProcessors * 2), daemonThreads())
    server.setExecutor(pool)
    val state = new State(maxBodyBytes, first)
    val follower = followed.map { case (name, alias) =>
      new AliasFollower(mlflow, spark, name, alias, followPollSeconds.get, state.slot)
    }
    server.createContext("/", (ex: HttpExchange) => handle(ex, state))
    server.start()
    follower.foreach(_.start())
    new ScoringServer(server, pool, state, follower)
  }

  private def daemonThreads(): ThreadFactory = {
    val n = new AtomicInteger()
    (r: Runnable) => {
      val t = new Thread(r, s"mlflowbridge-serve-${n.incrementAndGet()}")
      t.setDaemon(true)
      t
    }
  }

  private val JsonType = "application/json"
  val PathHeader = "X-Mlflowbridge-Scored-By"

  /** On every /invocations answer (errors too) of a model from the registry: the version that answered. */
  val VersionHeader = "X-Mlflowbridge-Model-Version"

  private def handle(ex: HttpExchange, state: State): Unit = {
    state.inFlight.incrementAndGet()
    try {
      val current = state.slot.get() // once per request: a swap meanwhile does not reach it
      val served = current.served
      if (ex.getRequestURI.getPath == "/invocations") current.version.foreach(ex.getResponseHeaders.set(VersionHeader, _))
      val (status, body, contentType) =
        try {
          if (state.closing.get()) throw new RequestError(503, "TEMPORARILY_UNAVAILABLE", "the scoring server is stopping")
          route(ex, served, current.params, state.maxBodyBytes)
        } catch {
          case e: RequestError => (e.status, error(e.code, e.getMessage), JsonType)
          case e: BridgeException if Set(BridgeException.Kind.BAD_INPUT, BridgeException.Kind.NOT_FOUND)(e.kind) =>
            (400, error("BAD_REQUEST", e.getMessage), JsonType)
          case e: BridgeException => (500, error("INTERNAL_ERROR", e.getMessage.linesIterator.nextOption().getOrElse(e.kind.toString)), JsonType)
          case NonFatal(e)        =>
            // A failure that is not the input's: one line, never a JVM stack trace.
            (500, error("INTERNAL_ERROR", s"Encountered an unexpected error while evaluating the model: ${InputCheck.firstLine(e)}"), JsonType)
        }
      ex.getResponseHeaders.set("Content-Type", contentType)
      ex.sendResponseHeaders(status, if (body.isEmpty) -1 else body.length.toLong)
      if (body.nonEmpty) ex.getResponseBody.write(body)
    } catch {
      case NonFatal(_) => () // the client went away
    } finally {
      ex.close()
      state.inFlight.decrementAndGet()
    }
  }

  private def route(ex: HttpExchange, served: Served, params: RequestParams, maxBodyBytes: Long): (Int, Array[Byte], String) = {
    val method = ex.getRequestMethod
    ex.getRequestURI.getPath match {
      case "/ping" | "/health" if method == "GET" => (200, "\n".getBytes(StandardCharsets.UTF_8), JsonType)
      case "/version" if method == "GET"          => (200, Pins.mlflowPython.getBytes(StandardCharsets.UTF_8), JsonType)
      case "/invocations" if method == "POST" =>
        val body = readBody(ex, maxBodyBytes)
        // A Parquet body decodes to at most as many cells as a JSON body under the limit could hold ("0," each).
        val table = RequestTable.parse(ex.getRequestHeaders.getFirst("Content-Type"), body, maxBodyBytes / 2)
        params.check(table.params)
        val answer = served.predict(table)
        ex.getResponseHeaders.set(PathHeader, answer.path.name) // which path scored it: operations and tests can tell
        (200, answer.body, JsonType)
      case "/ping" | "/health" | "/version" | "/invocations" =>
        throw new RequestError(405, "METHOD_NOT_ALLOWED", s"$method is not allowed on ${ex.getRequestURI.getPath}")
      case other => throw new RequestError(404, "ENDPOINT_NOT_FOUND", s"no endpoint $other: use /ping, /health, /version or /invocations")
    }
  }

  /** The request body, refused with 413 past the limit: by its Content-Length before reading, or once it grows past it. */
  private def readBody(ex: HttpExchange, maxBodyBytes: Long): Array[Byte] = {
    def tooLarge(n: String) =
      new RequestError(413, "REQUEST_LIMIT_EXCEEDED", s"request body of $n is over the server's limit of $maxBodyBytes bytes")
    val declared = Option(ex.getRequestHeaders.getFirst("Content-Length")).flatMap(s => scala.util.Try(s.trim.toLong).toOption)
    declared.filter(_ > maxBodyBytes).foreach(n => throw tooLarge(s"$n bytes"))
    val in: InputStream = ex.getRequestBody
    val out = new ByteArrayOutputStream(declared.fold(8192)(n => n.toInt.max(0)))
    val buf = new Array[Byte](65536)
    var n = in.read(buf)
    while (n >= 0) {
      out.write(buf, 0, n)
      if (out.size() > maxBodyBytes) throw tooLarge(s"more than $maxBodyBytes bytes")
      n = in.read(buf)
    }
    out.toByteArray
  }

  private def error(code: String, message: String): Array[Byte] =
    rest.Json.write(scala.collection.immutable.ListMap("error_code" -> code, "message" -> message)).getBytes(StandardCharsets.UTF_8)
}
