package mlflowbridge
package rest

import java.io.InputStream
import java.net.{ConnectException, HttpRetryException, HttpURLConnection, Proxy, URI, URLEncoder}
import java.net.http.{HttpClient, HttpConnectTimeoutException, HttpRequest, HttpResponse}
import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}
import java.security.cert.X509Certificate
import java.time.Duration
import javax.net.ssl.{HttpsURLConnection, SSLContext, TrustManager, X509TrustManager}

import scala.jdk.CollectionConverters._

import com.fasterxml.jackson.databind.JsonNode
import org.apache.commons.lang3.exception.ExceptionUtils
import org.mlflow.tracking.creds.MlflowHostCreds

/** One HTTP answer from the tracking server. */
private[mlflowbridge] final case class RestResponse(status: Int, body: String) {
  def ok: Boolean = status / 100 == 2
  lazy val json: JsonNode =
    if (body.isEmpty) Json.mapper.createObjectNode()
    else
      try Json.mapper.readTree(body)
      catch {
        case _: com.fasterxml.jackson.core.JacksonException =>
          val what = if (body.trim.toLowerCase.startsWith("<")) "HTML" else "text"
          throw BridgeException.badInput(
            s"the server answered HTTP $status with $what, not MLflow's JSON (${body.trim.take(60).replaceAll("\\s+", " ")}...): is MLFLOW_TRACKING_URI the tracking server's address, not a proxy's or a web page's?"
          )
      }

  /** MLflow's error_code (RESOURCE_DOES_NOT_EXIST, RESOURCE_ALREADY_EXISTS, ...), or "". */
  def errorCode: String = if (ok) "" else scala.util.Try(json.path("error_code").asText("")).getOrElse("")
  def message: String = scala.util.Try(json.path("message").asText(body)).getOrElse(body)
}

/** An answer to [[MlflowRest.file]]: its status, and its body to read (once) before `close`. */
private[mlflowbridge] final class FileAnswer(val status: Int, conn: HttpURLConnection) extends AutoCloseable {

  private var preloaded: Option[Array[Byte]] = None

  /** The body (an error's text for 4xx/5xx); empty when there is none. */
  lazy val body: InputStream = preloaded.fold(stream())(new java.io.ByteArrayInputStream(_))

  private def stream(): InputStream =
    (try if (status / 100 == 2) conn.getInputStream else conn.getErrorStream
    catch { case _: java.io.IOException => null }) match {
      case null                         => InputStream.nullInputStream()
      case in                           => in
    }

  /** Reads the whole body now (before `body` is first used), so the connection goes back to the cache. */
  private[rest] def preload(): Unit = {
    val in = stream()
    try preloaded = Some(in.readAllBytes())
    finally in.close()
  }

  /** The Content-Length the server promised, or -1. */
  def contentLength: Long = conn.getContentLengthLong

  def text: String = new String(body.readAllBytes(), UTF_8)

  /** Closes the body: a connection whose body was read to its end goes back to the keep-alive cache. */
  def close(): Unit = body.close()
}

/**
 * A small REST client for the MLflow tracking server, used for what the stock Java client
 * lacks or does badly: no blind retries of 4xx answers, DELETE, registry writes, aliases,
 * proxied artifacts. Credentials are the stock client's `MlflowHostCreds`.
 */
private[mlflowbridge] final class MlflowRest(val creds: MlflowHostCreds, val retries: Retries, val serverCertPath: String) {
  val host: String = creds.getHost.stripSuffix("/")
  // As Python's client: MLFLOW_TRACKING_INSECURE_TLS turns verification off, else
  // MLFLOW_TRACKING_SERVER_CERT_PATH is the CA bundle to trust, else the JVM's own trust store.
  private val tls: Option[SSLContext] =
    if (creds.shouldIgnoreTlsVerification) Some(MlflowRest.trustAll)
    else if (serverCertPath != null && serverCertPath.nonEmpty) Some(MlflowRest.trusting(serverCertPath))
    else None

  private val http: HttpClient = {
    MlflowRest.shortKeepAlive
    val b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1)
    tls.foreach(b.sslContext)
    b.build()
  }

  def get(path: String, query: (String, String)*): RestResponse = send("GET", api(path, query), None)
  def post(path: String, body: JsonNode): RestResponse = postJson(path, body.toString)
  def postJson(path: String, json: String): RestResponse = send("POST", api(path, Nil), Some(json))
  def patch(path: String, body: JsonNode): RestResponse = send("PATCH", api(path, Nil), Some(body.toString))
  def delete(path: String, body: JsonNode): RestResponse = send("DELETE", api(path, Nil), Some(body.toString))

  /** Like get/post, but a non-2xx answer becomes a BridgeException that names `what`. */
  def expect(what: String)(r: RestResponse): JsonNode =
    if (r.ok) r.json
    else throw failure(what, r)

  /** A non-2xx answer as a BridgeException that names `what` and carries the status and MLflow's error_code. */
  def failure(what: String, r: RestResponse): BridgeException = {
    val e =
      if (r.status == 401)
        BridgeException.accessDenied(
          s"$what: the tracking server $host refused the credentials (HTTP 401); set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN"
        )
      else if (r.status == 403)
        BridgeException.accessDenied(
          s"$what: ${Option(creds.getUsername).fold("this client")(u => s"user '$u'")} may not do this (HTTP 403): ${r.message}"
        )
      else if (r.errorCode == "RESOURCE_DOES_NOT_EXIST" || r.status == 404) BridgeException.notFound(s"$what: ${r.message}")
      else BridgeException.restError(s"$what failed (HTTP ${r.status} ${r.errorCode}): ${r.message}")
    e.withHttp(r.status, r.errorCode)
  }

  /** Raw request against any path under the host (e.g. /api/2.0/mlflow-artifacts/...), retried as [[Retries]] says. */
  def send(method: String, url: String, body: Option[String], contentType: String = "application/json"): RestResponse = {
    val publisher = body.map(s => HttpRequest.BodyPublishers.ofString(s, UTF_8)).getOrElse(HttpRequest.BodyPublishers.noBody())
    val r = request(url, contentType).method(method, publisher).build()
    val resp = sendRaw(r, HttpResponse.BodyHandlers.ofString(UTF_8))
    RestResponse(resp.statusCode(), resp.body())
  }

  def request(url: String, contentType: String): HttpRequest.Builder = {
    val b = HttpRequest
      .newBuilder(URI.create(url))
      .timeout(Duration.ofMinutes(5))
      .header("Content-Type", contentType)
      .header("User-Agent", s"mlflow-bridge/${BuildInfo.version}")
    authorization.foreach(b.header("Authorization", _))
    b
  }

  /** The Authorization header's value, from MLFLOW_TRACKING_USERNAME/PASSWORD or _TOKEN (as Python's client). */
  def authorization: Option[String] =
    if (creds.getUsername != null && creds.getPassword != null)
      Some("Basic " + java.util.Base64.getEncoder.encodeToString(s"${creds.getUsername}:${creds.getPassword}".getBytes(UTF_8)))
    else Option(creds.getToken).map(t => s"Bearer $t")

  /**
   * Sends `r`, retrying what is safe to retry, as Python's client does (MLFLOW_HTTP_REQUEST_*):
   * a connection that never reached the server, and 429, always; a cut-off answer and 408/5xx
   * only for requests that may be repeated ([[MlflowRest.idempotent]]). 4xx are never retried.
   */
  def sendRaw[T](r: HttpRequest, handler: HttpResponse.BodyHandler[T]): HttpResponse[T] =
    retrying(r.method(), r.uri())(http.send(r, handler))(
      _.statusCode(),
      _.body() match { case c: java.io.Closeable => c.close(); case _ => () }
    )

  /**
   * One artifact file's bytes over a blocking HttpURLConnection on the caller's thread: PUT
   * `upload` to `url`, or GET `url` when None; retried as [[sendRaw]]. The JDK's HttpClient hands
   * every 16 KB buffer between its threads, which took 4-5x the CPU of Python's client per 100 MB
   * (docs/benchmarks.md, P1). Connections are kept alive (HttpURLConnection probes a kept one
   * before reusing it); the caller reads the answer's body and closes it.
   */
  def file(url: String, upload: Option[Path]): FileAnswer = {
    val method = if (upload.isDefined) "PUT" else "GET"
    retrying(method, URI.create(url))(fileOnce(method, url, upload))(_.status, _.close())
  }

  private def fileOnce(method: String, url: String, upload: Option[Path]): FileAnswer = {
    val c = URI.create(url).toURL.openConnection(Proxy.NO_PROXY).asInstanceOf[HttpURLConnection]
    c match {
      case s: HttpsURLConnection =>
        tls.foreach(ctx => s.setSSLSocketFactory(ctx.getSocketFactory))
        if (creds.shouldIgnoreTlsVerification) s.setHostnameVerifier((_, _) => true)
      case _ => ()
    }
    c.setConnectTimeout(10000)
    c.setReadTimeout(5 * 60 * 1000)
    c.setInstanceFollowRedirects(false)
    c.setUseCaches(false)
    c.setRequestMethod(method)
    c.setRequestProperty("Content-Type", "application/octet-stream")
    c.setRequestProperty("User-Agent", s"mlflow-bridge/${BuildInfo.version}")
    authorization.foreach(c.setRequestProperty("Authorization", _))
    try {
      upload.foreach { f =>
        c.setDoOutput(true)
        c.setFixedLengthStreamingMode(Files.size(f))
        val out = c.getOutputStream
        try Files.copy(f, out)
        finally out.close()
      }
      val answer = new FileAnswer(c.getResponseCode, c)
      // An upload's answer is short: read inside the retries, so a connection reset while reading
      // it is retried (a PUT may be repeated) instead of escaping the caller as a raw IOException.
      if (upload.isDefined) answer.preload()
      answer
    } catch {
      // A 401 to a streamed body: HttpURLConnection cannot send it again, and says so with its status.
      case e: HttpRetryException  => c.disconnect(); new FileAnswer(e.responseCode(), c)
      case e: java.io.IOException => c.disconnect(); throw e
    }
  }

  /** Sends with `once`, again while [[Retries]] allow; `status` and `discard` read and drop an answer. */
  private def retrying[T](method: String, uri: URI)(once: => T)(status: T => Int, discard: T => Unit): T = {
    val repeatable = MlflowRest.idempotent(method, uri.getPath)
    @scala.annotation.tailrec
    def attempt(retried: Int): T = {
      val outcome =
        try Right(once)
        catch { case e: java.io.IOException => Left(e) }
      val retry = outcome match {
        case Left(e) if MlflowRest.tlsFailure(e)                              => false // a certificate does not get better
        case Left(_: ConnectException) | Left(_: HttpConnectTimeoutException) => true // never reached the server
        case Left(_)                                                          => repeatable
        case Right(resp) => status(resp) == 429 || (repeatable && Retries.TransientStatus(status(resp)))
      }
      if (retry && retried < retries.maxRetries) {
        outcome.foreach(discard)
        Thread.sleep((retries.delaySeconds(retried + 1) * 1000).toLong)
        attempt(retried + 1)
      } else
        outcome match {
          case Right(resp) => resp
          case Left(e) if MlflowRest.tlsFailure(e) =>
            throw BridgeException.unreachable(
              s"tracking server $host: TLS failed (${MlflowRest.rootMessage(e)}); to trust its certificate set MLFLOW_TRACKING_SERVER_CERT_PATH to the CA certificate (PEM), or set MLFLOW_TRACKING_INSECURE_TLS=true to skip verification",
              e
            )
          case Left(e: ConnectException) =>
            throw BridgeException.unreachable(
              s"tracking server $host is unreachable (${e.getClass.getSimpleName}${MlflowRest.after(retried)}); start it or fix MLFLOW_TRACKING_URI",
              e
            )
          case Left(e) =>
            throw BridgeException.unreachable(s"tracking server $host did not answer $method $uri${MlflowRest.after(retried)}: $e", e)
        }
    }
    attempt(0)
  }

  private def api(path: String, query: Seq[(String, String)]): String = {
    val q = if (query.isEmpty) "" else query.map { case (k, v) => s"${enc(k)}=${enc(v)}" }.mkString("?", "&", "")
    s"$host/api/2.0/mlflow/$path$q"
  }
  private def enc(s: String) = URLEncoder.encode(s, UTF_8)
}

private[mlflowbridge] object MlflowRest {

  /**
   * Servers drop idle connections after a few seconds (uvicorn 5, gunicorn 2), and the JDK client
   * keeps them 1,200 s by default: a create sent on a dropped one gets no answer and may not be
   * repeated. Keep them 1 s instead, unless the application chose (read once per JVM).
   */
  lazy val shortKeepAlive: Unit =
    if (System.getProperty("jdk.httpclient.keepalive.timeout") == null) System.setProperty("jdk.httpclient.keepalive.timeout", "1")

  // POSTs that create something: repeating one after a cut-off answer could create it twice.
  private val Creating = Seq("/runs/create", "/model-versions/create", "/registered-models/create", "/experiments/create", "/logged-models")

  /** May this request be sent again when its answer was lost? */
  def idempotent(method: String, path: String): Boolean = method != "POST" || !Creating.exists(c => path.endsWith(c))

  def after(retried: Int): String = if (retried == 0) "" else s", after $retried retries"

  /** The JDK's client reports a failed handshake as a ConnectException caused by an SSLException. */
  def tlsFailure(e: Throwable): Boolean = ExceptionUtils.indexOfType(e, classOf[javax.net.ssl.SSLException]) >= 0

  def rootMessage(e: Throwable): String = ExceptionUtils.getRootCause(e).getMessage

  /** An SSLContext that trusts the certificates in the PEM file at `path` (Python's `verify=path`). */
  def trusting(path: String): SSLContext = {
    val file = java.nio.file.Paths.get(path)
    if (!java.nio.file.Files.isRegularFile(file))
      throw BridgeException.badInput(s"MLFLOW_TRACKING_SERVER_CERT_PATH is $path, which is not a file")
    val certs =
      try {
        val in = java.nio.file.Files.newInputStream(file)
        try java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in).asScala.toSeq
        finally in.close()
      } catch {
        case e: java.security.cert.CertificateException =>
          throw BridgeException.badInput(s"MLFLOW_TRACKING_SERVER_CERT_PATH $path holds no readable PEM certificate: ${e.getMessage}")
      }
    if (certs.isEmpty) throw BridgeException.badInput(s"MLFLOW_TRACKING_SERVER_CERT_PATH $path holds no certificate")
    val store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType)
    store.load(null, null)
    certs.zipWithIndex.foreach { case (c, i) => store.setCertificateEntry(s"server-cert-$i", c) }
    val tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm)
    tmf.init(store)
    val ctx = SSLContext.getInstance("TLS")
    ctx.init(null, tmf.getTrustManagers, null)
    ctx
  }

  private[mlflowbridge] val trustAllManager: X509TrustManager = new X509TrustManager {
    def checkClientTrusted(c: Array[X509Certificate], a: String): Unit = ()
    def checkServerTrusted(c: Array[X509Certificate], a: String): Unit = ()
    def getAcceptedIssuers: Array[X509Certificate] = Array.empty
  }

  private[mlflowbridge] lazy val trustAll: SSLContext = {
    val ctx = SSLContext.getInstance("TLS")
    ctx.init(null, Array[TrustManager](trustAllManager), new java.security.SecureRandom())
    ctx
  }
}
