package mlflowbridge

import org.mlflow.tracking.MlflowClient
import org.mlflow.tracking.creds.BasicMlflowHostCreds

/** What the stock Java client is missing for everyday tracking. */
object MlflowUtils {

  /**
   * Python's `mlflow.set_experiment(name)` for the JVM: the id of the active experiment
   * called `name`, created when missing. Safe when several processes race to create it
   * (the loser reads the winner's id). Goes through [[MlflowRest]] because the stock client
   * retries every 4xx three times before it gives up.
   */
  def getOrCreateExperimentId(client: MlflowClient, name: String): String = {
    if (name == null || name.trim.isEmpty) throw BridgeException.badInput("experiment name must not be empty")
    val rest = MlflowRest.of(client)
    experimentIdByName(rest, name).getOrElse {
      val created = rest.post("experiments/create", Json.obj("name" -> name))
      if (created.ok) created.json.path("experiment_id").asText()
      else if (created.errorCode == "RESOURCE_ALREADY_EXISTS")
        experimentIdByName(rest, name).getOrElse(throw BridgeException.notFound(s"experiment '$name' vanished while being created"))
      else rest.expect(s"create experiment '$name'")(created).path("experiment_id").asText()
    }
  }

  /** The id of the active experiment `name`, None when there is none. A deleted one is an error, as in Python. */
  def experimentIdByName(rest: MlflowRest, name: String): Option[String] = {
    val r = rest.get("experiments/get-by-name", "experiment_name" -> name)
    if (r.errorCode == "RESOURCE_DOES_NOT_EXIST") None
    else {
      val exp = rest.expect(s"get experiment '$name'")(r).path("experiment")
      if (exp.path("lifecycle_stage").asText() == "deleted")
        throw BridgeException.badInput(s"experiment '$name' (id ${exp.path("experiment_id").asText()}) is deleted; restore it or use another name")
      Some(exp.path("experiment_id").asText())
    }
  }

  /**
   * An `MlflowClient` configured like Python's: MLFLOW_TRACKING_URI plus MLFLOW_TRACKING_TOKEN,
   * or MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD, and MLFLOW_TRACKING_INSECURE_TLS,
   * which the stock client ignores for http(s) URIs.
   */
  def clientFromEnv(): MlflowClient = clientFromEnv(sys.env)

  def clientFromEnv(env: Map[String, String]): MlflowClient = {
    val uri = env.getOrElse("MLFLOW_TRACKING_URI", throw BridgeException.badInput("MLFLOW_TRACKING_URI is not set; point it at an MLflow tracking server (http://host:port)"))
    clientFor(uri, env)
  }

  /** A client for `trackingUri` with credentials from this process's environment. */
  def clientFor(trackingUri: String): MlflowClient = clientFor(trackingUri, sys.env)

  def clientFor(trackingUri: String, env: Map[String, String]): MlflowClient = {
    if (!trackingUri.startsWith("http://") && !trackingUri.startsWith("https://")) new MlflowClient(trackingUri)
    else {
      val insecure = env.get("MLFLOW_TRACKING_INSECURE_TLS").exists(v => v.equalsIgnoreCase("true") || v == "1")
      val creds = new BasicMlflowHostCreds(
        trackingUri.stripSuffix("/"),
        env.get("MLFLOW_TRACKING_USERNAME").orNull,
        env.get("MLFLOW_TRACKING_PASSWORD").orNull,
        env.get("MLFLOW_TRACKING_TOKEN").orNull,
        insecure)
      new MlflowClient(creds)
    }
  }
}
