package mlflowbridge

import java.nio.file.{Files, Path}
import java.security.MessageDigest

import org.mlflow.tracking.MlflowClient

/** The tracking server the suite runs against: `make test-scala` starts one and sets the URI. */
object TestServer {
  lazy val uri: String = sys.env.getOrElse(
    "MLFLOW_TRACKING_URI",
    sys.error("MLFLOW_TRACKING_URI is not set: run the Scala tests with `make test-scala` (it starts a tracking server)")
  )

  lazy val mlflow: Mlflow = Mlflow.forUri(uri)
  def client(): MlflowClient = mlflow.client

  def uniqueName(prefix: String): String = s"$prefix-${java.util.UUID.randomUUID().toString.take(8)}"

  def sha256(p: Path): String =
    MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)).map("%02x".format(_)).mkString
}
