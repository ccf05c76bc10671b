package mlflowbridge
package store

import mlflowbridge.rest._

import java.net.URI
import java.nio.file.{Files, Path}

import scala.jdk.CollectionConverters._

/**
 * `mlflow-artifacts:` URIs, which a tracking server that proxies artifacts (MLflow's default)
 * serves with plain HTTP GET and PUT under `/api/2.0/mlflow-artifacts/artifacts`.
 */
private[mlflowbridge] final class ProxiedArtifacts(rest: MlflowRest) extends ArtifactTransport {

  def list(uri: String): Seq[ArtifactEntry] = {
    val path = ArtifactUris.proxiedPath(uri)
    val url = s"${base(uri)}/api/2.0/mlflow-artifacts/artifacts" + (if (path.isEmpty) "" else s"?path=${ArtifactUris.encodeSegment(path)}")
    val json = rest.expect(s"list artifacts $uri")(rest.send("GET", url, None))
    json
      .path("files")
      .elements()
      .asScala
      .map(f => ArtifactEntry(f.path("path").asText(), f.path("is_dir").asBoolean(false), f.path("file_size").asLong(0L)))
      .toList
  }

  /** True when something was there: a file, or a directory (possibly empty). Files come in parallel. */
  def download(uri: String, target: Path): Boolean = {
    val children = list(uri)
    if (children.isEmpty) getFile(uri, target)
    else {
      val files = List.newBuilder[(String, Path)]
      def walk(dirUri: String, dir: Path, listed: Seq[ArtifactEntry]): Unit = {
        Files.createDirectories(dir)
        listed.foreach { e =>
          val local = ArtifactUris.childOf(dir, e.path, dirUri) // the server names it: never trusted
          val u = ArtifactUris.join(dirUri, e.path)
          if (e.isDir) walk(u, local, list(u)) else files += (u -> local)
        }
      }
      walk(uri, target, children)
      Transfers.parallel(files.result()) { case (u, t) =>
        if (!getFile(u, t)) throw BridgeException.notFound(s"artifact $u vanished during the download").withUri(u)
      }
      true
    }
  }

  def upload(local: Path, uri: String): Unit = Transfers.uploadTree(local, uri)(putFile)

  /** One file into `target`; a transfer cut off mid-way is tried again (with the REST retries' backoff). */
  private def getFile(uri: String, target: Path): Boolean = Transfers.retryingCutOff(uri, target, rest.retries)(getFileOnce(uri, target))

  private def getFileOnce(uri: String, target: Path): Boolean = {
    val answer = rest.file(fileUrl(uri), None)
    def text = RestResponse(answer.status, answer.text)
    try {
      answer.status match {
        case 200 =>
          Transfers.writeAtomically(answer.body, target, answer.contentLength)
          true
        case 404 => false
        case 400 => // "Artifact path refers to a directory": an empty directory
          val r = text
          if (r.body.contains("directory")) { Files.createDirectories(target); true }
          else throw failed(s"download $uri", r, uri)
        case _ => throw failed(s"download $uri", text, uri)
      }
    } finally answer.close()
  }

  private def putFile(local: Path, uri: String): Unit = {
    val answer = rest.file(fileUrl(uri), Some(local))
    val r =
      try RestResponse(answer.status, answer.text)
      finally answer.close()
    if (r.status == 400 && r.body.contains("Invalid path"))
      throw BridgeException
        .badInput(s"the tracking server refuses the artifact path $uri (MLflow rejects '#', '..' and absolute paths)")
        .withUri(uri)
        .withHttp(r.status, r.errorCode)
    if (!r.ok) throw failed(s"upload of $local to $uri", r, uri)
  }

  /** 401 and 403 as the REST client words them; anything else a REST_ERROR with the server's text. */
  private def failed(what: String, r: RestResponse, uri: String): BridgeException =
    (if (r.status == 401 || r.status == 403) rest.failure(what, r)
     else BridgeException.restError(s"$what failed (HTTP ${r.status}): ${r.body}").withHttp(r.status, r.errorCode)).withUri(uri)

  private def fileUrl(uri: String): String =
    s"${base(uri)}/api/2.0/mlflow-artifacts/artifacts/" + ArtifactUris
      .proxiedPath(uri)
      .split("/")
      .filter(_.nonEmpty)
      .map(ArtifactUris.encodeSegment)
      .mkString("/")

  /** `mlflow-artifacts://host:port/...` names its own server (as in Python); otherwise the tracking server. */
  private def base(uri: String): String = {
    val authority = ArtifactUris.authority(uri)
    if (authority.isEmpty) rest.host else s"${URI.create(rest.host).getScheme}://$authority"
  }
}
