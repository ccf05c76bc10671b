package mlflowbridge
package store

import mlflowbridge.rest.Json

import java.net.URI
import java.nio.file.{Path, Paths}

import com.google.common.net.PercentEscaper

/**
 * The rules of artifact URIs and paths: which store a URI names, how paths join and encode, and
 * which paths (given by a user or listed by a server) are refused.
 */
private[mlflowbridge] object ArtifactUris {
  val Scheme = "mlflow-artifacts:"

  def isProxied(uri: String): Boolean = uri != null && uri.startsWith(Scheme)
  def isS3(uri: String): Boolean = uri != null && uri.startsWith("s3://")

  /** Stores the JVM reads and writes itself (no stock client, no Python). */
  def isNative(uri: String): Boolean = isProxied(uri) || isS3(uri)
  def isLocal(uri: String): Boolean = uri != null && (uri.startsWith("file:") || uri.startsWith("/"))

  /** The path after `mlflow-artifacts:/` (or `mlflow-artifacts://host:port/`), without slashes at the ends. */
  def proxiedPath(uri: String): String = {
    val rest = uri.stripPrefix(Scheme)
    val path = if (rest.startsWith("//")) rest.drop(2).dropWhile(_ != '/') else rest
    path.stripPrefix("/").stripSuffix("/")
  }

  /** `host:port` of `mlflow-artifacts://host:port/...`, else "". */
  def authority(uri: String): String = {
    val rest = uri.stripPrefix(Scheme)
    if (rest.startsWith("//")) rest.drop(2).takeWhile(_ != '/') else ""
  }

  def localPath(uri: String): Path =
    if (uri.startsWith("file:")) Paths.get(URI.create(uri.replace(" ", "%20"))) else Paths.get(uri)

  /** `base` + "/" + `rel` (rel may be null or empty). */
  def join(base: String, rel: String): String =
    if (rel == null || rel.stripPrefix("/").isEmpty) base.stripSuffix("/") else s"${base.stripSuffix("/")}/${rel.stripPrefix("/").stripSuffix("/")}"

  def lastSegment(uri: String): String = uri.stripSuffix("/").split("/").lastOption.map(_.stripPrefix(Scheme)).getOrElse("")

  // RFC 3986's unreserved characters stay, everything else is %XX of its UTF-8 bytes: the bytes
  // Python's urllib.parse.quote sends (URLEncoder would turn spaces into '+').
  private val escaper = new PercentEscaper("-._~", false)

  /** Percent-encoding of one URL path segment ('/' is encoded too). */
  def encodeSegment(s: String): String = escaper.escape(s)

  private def quoted(s: String): String = Json.mapper.writeValueAsString(s)

  /**
   * A user-given artifact path (relative to a run's root; null or "" = the root), refused as
   * MLflow's Python client refuses it: absolute (`/x`, `C:`), `..` or `.` segments, empty
   * segments (`a//b`), backslashes, NUL and other control characters. One trailing `/` is allowed.
   */
  def checkArtifactPath(path: String, what: String): Unit = if (path != null && path.nonEmpty) {
    def refuse(why: String): Nothing =
      throw BridgeException.badInput(s"$what ${quoted(path)} is not a safe relative path: $why").withPath(path)
    if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) refuse("it is absolute")
    if (path.exists(_ == '\\')) refuse("it holds a backslash")
    if (path.exists(c => c < ' ' || c == '\u007f')) refuse("it holds a control character")
    val segments = path.stripSuffix("/").split("/", -1)
    if (segments.exists(seg => seg == ".." || seg == ".")) refuse("it has a '.' or '..' segment")
    if (segments.exists(_.isEmpty)) refuse("it has an empty segment")
  }

  /**
   * `dir/name` for a name a server gave (one listing entry), refused when it could land outside
   * `dir`: empty, `.` or `..`, a separator (`/`, `\\`), NUL or another control character, or a
   * path that does not stay under `dir` once normalized.
   */
  def childOf(dir: Path, name: String, listedBy: String): Path = {
    def refuse(why: String) =
      throw BridgeException.badInput(s"refusing artifact name ${quoted(name)} listed by $listedBy: $why").withPath(name).withUri(listedBy)
    if (name == null || name.isEmpty) refuse("it is empty")
    if (name == "." || name == "..") refuse("it names a directory above or at the destination")
    if (name.exists(c => c == '/' || c == '\\')) refuse("a listing entry must be one path segment, without '/' or '\\'")
    if (name.exists(c => c < ' ' || c == '\u007f')) refuse("it holds a control character")
    val base = dir.toAbsolutePath.normalize()
    val child = base.resolve(name).normalize()
    if (!child.startsWith(base) || child == base) refuse(s"it would be written outside $base")
    child
  }
}
