package mlflowbridge
package rest

/**
 * How Python's client retries (mlflow.utils.request_utils): MLFLOW_HTTP_REQUEST_MAX_RETRIES
 * (default 7), MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR (2) and MLFLOW_HTTP_REQUEST_BACKOFF_JITTER (1.0):
 * no wait before the first retry, then factor * 2^(n-1) seconds, at most 120, plus up to `jitter`.
 */
private[mlflowbridge] final case class Retries(maxRetries: Int, backoffFactor: Double, jitter: Double) {
  def delaySeconds(retry: Int): Double =
    (if (retry <= 1) 0.0 else math.min(120.0, backoffFactor * math.pow(2, retry - 1))) +
      java.util.concurrent.ThreadLocalRandom.current().nextDouble() * jitter
}

private[mlflowbridge] object Retries {
  val TransientStatus: Set[Int] = Set(408, 429, 500, 502, 503, 504)

  def fromEnv(env: java.util.Map[String, String]): Retries = {
    def number(name: String, default: Double): Double = Option(env.get(name)).map(_.trim).filter(_.nonEmpty) match {
      case None => default
      case Some(v) =>
        v.toDoubleOption.filter(_ >= 0).getOrElse(throw BridgeException.badInput(s"$name must be a number >= 0, not '$v'"))
    }
    Retries(
      number("MLFLOW_HTTP_REQUEST_MAX_RETRIES", 7).toInt,
      number("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", 2),
      number("MLFLOW_HTTP_REQUEST_BACKOFF_JITTER", 1.0)
    )
  }
}
