package mlflowbridge
package store

import java.nio.file.Path

import scala.jdk.CollectionConverters._

import org.mlflow.tracking.MlflowClient

/**
 * The artifacts of run `runId`, whose root `root` is a store the JVM does not read itself
 * (gs://, wasbs://, ...): the stock client, which forks Python for each call (it needs
 * MLFLOW_PYTHON_EXECUTABLE). URIs are `root` joined with a run-relative path.
 */
private[mlflowbridge] final class StockClientArtifacts(client: MlflowClient, runId: String, root: String) extends ArtifactTransport {

  /** The run-relative path of `uri`, null for the root (the stock client's word for it). */
  private def relative(uri: String): String = uri.stripPrefix(root.stripSuffix("/")).stripPrefix("/") match {
    case "" => null
    case p  => p
  }

  def list(uri: String): Seq[ArtifactEntry] = {
    val rel = relative(uri)
    val infos = if (rel == null) client.listArtifacts(runId) else client.listArtifacts(runId, rel)
    // The stock client lists run-relative paths; a transport lists names relative to the directory.
    val prefix = Option(rel).fold("")(_ + "/")
    infos.asScala.map(i => ArtifactEntry(i.getPath.stripPrefix(prefix), i.getIsDir, i.getFileSize)).toList
  }

  def download(uri: String, target: Path): Boolean = {
    val rel = relative(uri)
    val got = if (rel == null) client.downloadArtifacts(runId) else client.downloadArtifacts(runId, rel)
    Transfers.copyTree(got.toPath, target)
    true
  }

  def upload(local: Path, uri: String): Unit =
    if (java.nio.file.Files.isDirectory(local)) client.logArtifacts(runId, local.toFile, relative(uri))
    else client.logArtifact(runId, local.toFile, relative(uri))
}
