package mlflowbridge

import mlflowbridge.rest._
import mlflowbridge.store.S3Store

import scala.jdk.CollectionConverters._

import org.mlflow.tracking.MlflowClient
import org.mlflow.tracking.creds.{BasicMlflowHostCreds, MlflowHostCredsProvider}

/**
 * The entry point: one tracking server, reached through one stock `MlflowClient` and one REST
 * caller, with what the stock client lacks as members (after Python's `MlflowClient`):
 * {{{
 *   val mlflow = Mlflow.fromEnv()
 *   val exp = mlflow.experiments.getOrCreate("wine")
 *   val uri = mlflow.runs.withRun(exp, "train") { run => run.logParam("depth", "5"); run.logModel(model, "model").modelUri }
 *   mlflow.registry.register(uri, "wine", "champion")
 *   val loaded = mlflow.models.load("models:/wine@champion", spark)
 * }}}
 * Every member is callable from Java, py4j and JPype (no Scala defaults or implicits at the
 * boundary; `java.util` collections). Errors are [[BridgeException]]s naming what was wrong.
 */
final class Mlflow private (
    stockClient: MlflowClient,
    restCaller: MlflowRest,
    /** The MLFLOW_* and AWS_* settings it was made with (the run's user tag comes from them too). */
    private[mlflowbridge] val settings: Map[String, String],
    ownsClient: Boolean
) extends AutoCloseable {

  val experiments: Experiments = new Experiments(this)
  val runs: Runs = new Runs(this)
  val artifacts: ArtifactStore = new ArtifactStore(this)
  val models: Models = new Models(this)
  val registry: Registry = new Registry(this)
  val loggedModels: LoggedModels = new LoggedModels(this)
  val tracing: Tracing = new Tracing(this)
  val autolog: mlflowbridge.autolog.Autolog = new mlflowbridge.autolog.Autolog(this)

  /** The stock client, for what it already does well (runs, metrics, searches). */
  def client: MlflowClient = if (stockClient != null) stockClient else throw noServer("the stock client")

  private[mlflowbridge] def rest: MlflowRest = if (restCaller != null) restCaller else throw noServer("this call")

  /** True for [[Mlflow.local]]: no tracking server, models from local folders only. */
  def isLocal: Boolean = restCaller == null

  /** The tracking server's URI (http(s)://host:port); null for [[Mlflow.local]]. */
  def trackingUri: String = if (isLocal) null else rest.host

  /** A setting from the variables this object was made with, else from this process's environment. */
  private[mlflowbridge] def setting(name: String): Option[String] = settings.get(name).orElse(sys.env.get(name)).filter(_.nonEmpty)

  /** s3:// artifact roots; its client is made on first use. */
  private[mlflowbridge] val s3: S3Store =
    new S3Store(setting, Option(restCaller).fold(Retries.fromEnv(settings.asJava))(_.retries))

  /** Sends the spans not sent yet; closes the S3 client, and the stock client when this object made it (not one passed to [[Mlflow.of]]). */
  override def close(): Unit =
    try tracing.close()
    finally
      try s3.close()
      finally if (ownsClient && stockClient != null) stockClient.close()

  private def noServer(what: String) =
    BridgeException.badInput(
      s"$what needs a tracking server, and this Mlflow has none (Mlflow.local()): set MLFLOW_TRACKING_URI and use Mlflow.fromEnv()"
    )
}

object Mlflow {

  /**
   * Configured as Python's client is: MLFLOW_TRACKING_URI plus MLFLOW_TRACKING_TOKEN, or
   * MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD, MLFLOW_TRACKING_INSECURE_TLS and
   * MLFLOW_TRACKING_SERVER_CERT_PATH (which the stock client ignores), and the retry settings
   * MLFLOW_HTTP_REQUEST_MAX_RETRIES, _BACKOFF_FACTOR, _BACKOFF_JITTER.
   */
  def fromEnv(): Mlflow = fromEnv(System.getenv())

  /** As [[fromEnv()]], from the given variables (for launchers that build a child's environment). */
  def fromEnv(env: java.util.Map[String, String]): Mlflow = {
    val uri = Option(env.get("MLFLOW_TRACKING_URI")).getOrElse(
      throw BridgeException.badInput("MLFLOW_TRACKING_URI is not set; point it at an MLflow tracking server (http://host:port)")
    )
    forUri(uri, env)
  }

  /** The server at `trackingUri` (http:// or https://), credentials from this process's environment. */
  def forUri(trackingUri: String): Mlflow = forUri(trackingUri, System.getenv())

  /**
   * The server at `trackingUri`, credentials from `env` (the MLFLOW_TRACKING_* names; for s3://
   * artifact roots MLFLOW_S3_ENDPOINT_URL, MLFLOW_S3_IGNORE_TLS and AWS_*, else this process's environment).
   */
  def forUri(trackingUri: String, env: java.util.Map[String, String]): Mlflow = {
    Rules.checkTrackingUri(trackingUri)
    val e = env.asScala
    val creds = new BasicMlflowHostCreds(
      trackingUri.stripSuffix("/"),
      e.get("MLFLOW_TRACKING_USERNAME").orNull,
      e.get("MLFLOW_TRACKING_PASSWORD").orNull,
      e.get("MLFLOW_TRACKING_TOKEN").orNull,
      e.get("MLFLOW_TRACKING_INSECURE_TLS").exists(v => v.equalsIgnoreCase("true") || v == "1")
    )
    val rest = new MlflowRest(creds, Retries.fromEnv(env), e.get("MLFLOW_TRACKING_SERVER_CERT_PATH").orNull)
    new Mlflow(new MlflowClient(creds), rest, e.toMap, ownsClient = true)
  }

  /**
   * No tracking server: `models` loads, scores and downloads models in local folders and `file:`
   * URIs (what scoring a local model needs, without starting or reaching a server); every other
   * member says it needs a tracking server.
   */
  def local(): Mlflow = new Mlflow(null, null, sys.env, ownsClient = false)

  /** Around a stock client the caller already has (and keeps: [[Mlflow.close]] leaves it open). */
  def of(client: MlflowClient): Mlflow = {
    if (client == null) throw BridgeException.badInput("client must not be null")
    // MlflowClient keeps its credentials provider private and offers no getter; read it once.
    val f = classOf[MlflowClient].getDeclaredField("hostCredsProvider")
    f.setAccessible(true)
    val creds = f.get(client).asInstanceOf[MlflowHostCredsProvider].getHostCreds
    val env = System.getenv()
    new Mlflow(client, new MlflowRest(creds, Retries.fromEnv(env), env.get("MLFLOW_TRACKING_SERVER_CERT_PATH")), sys.env, ownsClient = false)
  }
}
