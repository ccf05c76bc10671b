package mlflowbridge

import mlflowbridge.rest._
import mlflowbridge.model._
import mlflowbridge.store._

import java.io.InputStream
import java.net.URI
import java.net.http.{HttpRequest, HttpResponse}
import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path, Paths, StandardCopyOption}
import java.util.concurrent.{Callable, ExecutionException, Executors}

import scala.jdk.CollectionConverters._

import org.apache.commons.io.FileUtils

/** One artifact listed by the server; `path` is relative to the listed directory's root. */
final case class ArtifactEntry(path: String, isDir: Boolean, fileSize: Long)

/**
 * Run and model artifacts from the JVM without forking Python: the stock client shells out to
 * `python -m mlflow.store.artifact.cli` for every call (6-9 s each), while a server that proxies
 * artifacts (`mlflow-artifacts:/`, MLflow's default) takes plain HTTP PUT/GET, `s3://` roots are
 * read and written with the AWS SDK ([[store.S3Store]], configured as Python's boto3), and local
 * `file:` roots are copied. Other schemes (gs://, wasbs://, ...) go through the stock client,
 * which needs MLFLOW_PYTHON_EXECUTABLE.
 */
final class ArtifactStore private[mlflowbridge] (mlflow: Mlflow) {
  private def rest: MlflowRest = mlflow.rest
  private def client = mlflow.client

  /** The run's artifact root, e.g. `mlflow-artifacts:/1/<run>/artifacts`. */
  def runArtifactUri(runId: String): String =
    rest.expect(s"run '$runId'")(rest.get("runs/get", "run_id" -> runId)).path("run").path("info").path("artifact_uri").asText()

  /**
   * Python's `log_artifact(s)`: a file lands at `<artifactPath>/<name>`, a directory's contents
   * under `<artifactPath>/` (null or "" = the run's root).
   */
  def logArtifacts(runId: String, local: Path, artifactPath: String): Unit = {
    ArtifactStore.checkArtifactPath(artifactPath, "artifact path")
    if (!Files.exists(local)) throw BridgeException.notFound(s"local artifact $local does not exist")
    val root = runArtifactUri(runId)
    if (ArtifactStore.isNative(root)) upload(local, ArtifactStore.join(root, artifactPath))
    else if (Files.isDirectory(local)) client.logArtifacts(runId, local.toFile, blankToNull(artifactPath))
    else client.logArtifact(runId, local.toFile, blankToNull(artifactPath))
  }

  /** Uploads a file (to `<destUri>/<name>`) or a directory tree (its contents to `<destUri>/`); `mlflow-artifacts:` or `s3:`. */
  def upload(local: Path, destUri: String): Unit = {
    val files =
      if (Files.isDirectory(local)) {
        val walk = Files.walk(local)
        try walk.iterator().asScala.filter(Files.isRegularFile(_)).map(f => f -> local.relativize(f)).toList
        finally walk.close()
      } else List(local -> local.getFileName)
    // A model's MLmodel goes up after every file it names: an upload cut off part-way never
    // looks like a loadable model.
    val (mlmodel, others) = files.partition { case (_, rel) => rel.toString == MlModelFile.FileName }
    for (batch <- Seq(others, mlmodel))
      ArtifactStore.parallel(batch) { case (f, rel) =>
        val relPath = rel.iterator().asScala.map(_.toString).mkString("/")
        val uri = ArtifactStore.join(destUri, relPath)
        if (S3Store.isS3(uri)) mlflow.s3.put(f, uri) else putFile(f, uri)
      }
  }

  /** Direct children of a directory (`mlflow-artifacts:/...`, `s3://...`); empty when the path is a file or missing. */
  def list(artifactUri: String): java.util.List[ArtifactEntry] = entries(artifactUri).asJava

  /** A run's artifacts under `path` (null = the root; run-relative paths, as the stock client's listArtifacts). */
  def listRun(runId: String, path: String): java.util.List[ArtifactEntry] = runEntries(runId, path).asJava

  private[mlflowbridge] def entries(artifactUri: String): Seq[ArtifactEntry] =
    if (S3Store.isS3(artifactUri)) mlflow.s3.list(artifactUri) else proxiedEntries(artifactUri)

  /** True when something is at `uri` (a file, or a directory with files); mlflow-artifacts:, s3: or local. */
  private[mlflowbridge] def exists(uri: String): Boolean =
    if (ArtifactStore.isLocal(uri)) Files.exists(ArtifactStore.localPath(uri))
    else if (S3Store.isS3(uri)) mlflow.s3.exists(uri)
    else entries(uri).nonEmpty

  private def proxiedEntries(artifactUri: String): Seq[ArtifactEntry] = {
    val path = remotePath(artifactUri)
    val url = s"${base(artifactUri)}/api/2.0/mlflow-artifacts/artifacts" + (if (path.isEmpty) "" else s"?path=${ArtifactStore.pct(path)}")
    val r = rest.send("GET", url, None)
    val json = rest.expect(s"list artifacts $artifactUri")(r)
    json
      .path("files")
      .elements()
      .asScala
      .map { f =>
        ArtifactEntry(f.path("path").asText(), f.path("is_dir").asBoolean(false), f.path("file_size").asLong(0L))
      }
      .toList
  }

  private[mlflowbridge] def runEntries(runId: String, path: String): Seq[ArtifactEntry] = {
    ArtifactStore.checkArtifactPath(path, "artifact path")
    val root = runArtifactUri(runId)
    if (ArtifactStore.isProxied(root) || S3Store.isS3(root)) {
      val prefix = Option(path).map(_.stripSuffix("/")).filter(_.nonEmpty)
      entries(ArtifactStore.join(root, path)).map(e => e.copy(path = prefix.fold(e.path)(p => s"$p/${e.path}")))
    } else {
      val infos = if (path == null || path.isEmpty) client.listArtifacts(runId) else client.listArtifacts(runId, path)
      infos.asScala.map(i => ArtifactEntry(i.getPath, i.getIsDir, i.getFileSize)).toList
    }
  }

  /**
   * Downloads a file or a directory (recursively) into `dst` (created if needed) and returns the
   * local copy: `dst/<name>`. Accepts `mlflow-artifacts:`, `s3:` and local `file:` URIs.
   */
  def download(artifactUri: String, dst: Path): Path = {
    Files.createDirectories(dst)
    val name = ArtifactStore.lastSegment(artifactUri)
    if (ArtifactStore.isProxied(artifactUri)) {
      val target = dst.resolve(if (name.isEmpty) "artifacts" else name)
      if (!fetchTree(artifactUri, target)) throw BridgeException.notFound(s"artifact $artifactUri does not exist")
      target
    } else if (S3Store.isS3(artifactUri)) {
      val target = dst.resolve(if (name.isEmpty) "artifacts" else name)
      if (!mlflow.s3.download(artifactUri, target)) throw BridgeException.notFound(s"artifact $artifactUri does not exist")
      target
    } else if (ArtifactStore.isLocal(artifactUri)) {
      val src = ArtifactStore.localPath(artifactUri)
      if (!Files.exists(src)) throw BridgeException.notFound(s"artifact $artifactUri does not exist")
      val target = dst.resolve(src.getFileName.toString)
      ArtifactStore.copyTree(src, target)
      target
    } else
      throw BridgeException.badInput(
        s"artifact location $artifactUri is not served by the tracking server; the JVM bridge reads mlflow-artifacts:/, s3:// and local locations, other stores only through a run or a model version"
      )
  }

  /** A run's artifact `path` (file or directory; null = everything) into `dst`; returns the local copy. */
  def downloadRun(runId: String, path: String, dst: Path): Path = {
    ArtifactStore.checkArtifactPath(path, "artifact path")
    val root = runArtifactUri(runId)
    if (ArtifactStore.isNative(root) || ArtifactStore.isLocal(root)) {
      val uri = ArtifactStore.join(root, path)
      try download(uri, dst)
      catch {
        case e: BridgeException if e.kind == "NOT_FOUND" && e.getMessage == s"artifact $uri does not exist" =>
          throw BridgeException.notFound(s"run '$runId' has no artifact '${Option(path).getOrElse("")}' ($uri)")
      }
    } else {
      // Other stores (gs://, ...): the stock client (forks Python), then copied next to the rest.
      val got = (if (path == null || path.isEmpty) client.downloadArtifacts(runId) else client.downloadArtifacts(runId, path)).toPath
      val target = dst.resolve(got.getFileName.toString)
      ArtifactStore.copyTree(got, target)
      target
    }
  }

  /** Python's `log_text`: `text` as UTF-8 at the run-relative `artifactFile` (e.g. "notes/summary.txt"). */
  def logText(runId: String, text: String, artifactFile: String): Unit = {
    if (text == null) throw BridgeException.badInput("the text to log must not be null")
    logBytes(runId, text.getBytes(UTF_8), artifactFile)
  }

  /**
   * Python's `log_dict`, which `mlflow.artifacts.load_dict` reads: JSON (indent 2) for `.json` or
   * no extension, YAML (keys sorted) for `.yml`/`.yaml`; other extensions are refused. Values:
   * maps, lists, strings, numbers, booleans, null; anything else as its string (Python's `default=str`).
   */
  def logDict(runId: String, dictionary: java.util.Map[String, _], artifactFile: String): Unit =
    logBytes(runId, ArtifactFiles.dict(dictionary, artifactFile), artifactFile)

  /**
   * Python's `log_image` / `log_figure` with an artifact file: PNG or JPEG bytes (a chart rendered
   * to PNG is a figure), under a name whose extension is the same format (.png, .jpg, .jpeg).
   */
  def logImage(runId: String, image: Array[Byte], artifactFile: String): Unit =
    logBytes(runId, ArtifactFiles.image(image, artifactFile), artifactFile)

  /** As above, encoded as the extension says (.png, or .jpg/.jpeg without the alpha channel). */
  def logImage(runId: String, image: java.awt.image.BufferedImage, artifactFile: String): Unit =
    logBytes(runId, ArtifactFiles.image(image, artifactFile), artifactFile)

  /**
   * Python's `log_table`: the rows (collected to the driver) as pandas' split JSON at
   * `artifactFile` (.json), appended to the table already there (columns of both, missing cells
   * null), and the file named in the run's `mlflow.loggedArtifacts` tag, so that
   * `mlflow.load_table` and the UI's table view find it.
   */
  def logTable(runId: String, data: org.apache.spark.sql.Dataset[org.apache.spark.sql.Row], artifactFile: String): Unit = {
    ArtifactFiles.checkTableFile(artifactFile)
    logTable(runId, ArtifactFiles.table(data), artifactFile)
  }

  /** As above, from column names and rows of cells (numbers, strings, booleans, null, lists, maps). */
  def logTable(runId: String, columns: java.util.List[String], rows: java.util.List[java.util.List[Object]], artifactFile: String): Unit = {
    ArtifactFiles.checkTableFile(artifactFile)
    logTable(runId, ArtifactFiles.table(columns, rows), artifactFile)
  }

  private def logTable(runId: String, table: ArtifactFiles.Table, artifactFile: String): Unit = {
    ArtifactStore.checkArtifactPath(artifactFile, "table artifact file")
    val tmp = Files.createTempDirectory(Models.workRoot, "table-")
    try {
      val existing =
        try Some(downloadRun(runId, artifactFile, tmp))
        catch { case e: BridgeException if e.kind == "NOT_FOUND" && e.getMessage.contains(s"has no artifact '$artifactFile'") => None }
      val all = existing.fold(table) { f =>
        ArtifactFiles.append(ArtifactFiles.readTable(new String(Files.readAllBytes(f), UTF_8), s"the table $artifactFile of run '$runId'"), table)
      }
      logBytes(runId, ArtifactFiles.render(all), artifactFile)
    } finally ArtifactStore.deleteTree(tmp)
    val run = mlflow.runs.get(runId)
    ArtifactFiles
      .loggedTables(run.getData.getTagsList.asScala.find(_.getKey == ArtifactFiles.LoggedArtifactsTag).map(_.getValue), artifactFile)
      .foreach(v => new ActiveRun(mlflow, runId, run.getInfo.getExperimentId, null).setTag(ArtifactFiles.LoggedArtifactsTag, v))
  }

  /** Python's `_log_artifact_helper`: the bytes as a file named as the artifact file's last segment, logged to its directory. */
  private def logBytes(runId: String, bytes: Array[Byte], artifactFile: String): Unit = {
    if (artifactFile == null || artifactFile.isEmpty || artifactFile.endsWith("/"))
      throw BridgeException.badInput(s"artifact file '$artifactFile' must name a file (e.g. 'dir/file.json')")
    ArtifactStore.checkArtifactPath(artifactFile, "artifact file")
    val slash = artifactFile.lastIndexOf('/')
    val tmp = Files.createTempDirectory(Models.workRoot, "artifact-")
    try {
      val f = tmp.resolve(artifactFile.substring(slash + 1))
      Files.write(f, bytes)
      logArtifacts(runId, f, if (slash < 0) null else artifactFile.substring(0, slash))
    } finally ArtifactStore.deleteTree(tmp)
  }

  // String overloads for py4j/JPype callers (no java.nio.Path needed).
  def logArtifacts(runId: String, localPath: String, artifactPath: String): Unit = logArtifacts(runId, Paths.get(localPath), artifactPath)
  def download(artifactUri: String, dst: String): String = download(artifactUri, Paths.get(dst)).toString
  def downloadRun(runId: String, path: String, dst: String): String = downloadRun(runId, path, Paths.get(dst)).toString

  /** True when something was there: a file, or a directory (possibly empty). Files come in parallel. */
  private def fetchTree(uri: String, target: Path): Boolean = {
    val children = entries(uri)
    if (children.isEmpty) getFile(uri, target)
    else {
      val files = List.newBuilder[(String, Path)]
      def walk(dirUri: String, dir: Path, listed: Seq[ArtifactEntry]): Unit = {
        Files.createDirectories(dir)
        listed.foreach { e =>
          val local = ArtifactStore.childOf(dir, e.path, dirUri) // the server names it: never trusted
          val u = ArtifactStore.join(dirUri, e.path)
          if (e.isDir) walk(u, local, this.entries(u)) else files += (u -> local)
        }
      }
      walk(uri, target, children)
      ArtifactStore.parallel(files.result()) { case (u, t) =>
        if (!getFile(u, t)) throw BridgeException.notFound(s"artifact $u vanished during the download")
      }
      true
    }
  }

  /** One file into `target`; a transfer cut off mid-way is tried again (with the REST retries' backoff). */
  private def getFile(uri: String, target: Path): Boolean = ArtifactStore.retryingCutOff(uri, target, rest.retries)(getFileOnce(uri, target))

  private def getFileOnce(uri: String, target: Path): Boolean = {
    val req = rest.request(fileUrl(uri), "application/octet-stream").GET().build()
    val resp = rest.sendRaw(req, HttpResponse.BodyHandlers.ofInputStream())
    val body: InputStream = resp.body()
    try {
      resp.statusCode() match {
        case 200 =>
          ArtifactStore.writeAtomically(body, target)
          true
        case 404       => false
        case 401 | 403 => rest.expect(s"download $uri")(RestResponse(resp.statusCode(), new String(body.readAllBytes(), UTF_8))); false
        case 400 => // "Artifact path refers to a directory": an empty directory
          val text = new String(body.readAllBytes(), UTF_8)
          if (text.contains("directory")) { Files.createDirectories(target); true }
          else throw new BridgeException("REST_ERROR", s"download $uri failed (HTTP 400): $text")
        case s => throw new BridgeException("REST_ERROR", s"download $uri failed (HTTP $s): ${new String(body.readAllBytes(), UTF_8)}")
      }
    } finally body.close()
  }

  private def putFile(local: Path, uri: String): Unit = {
    val req = rest.request(fileUrl(uri), "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofFile(local)).build()
    val resp = rest.sendRaw(req, HttpResponse.BodyHandlers.ofString(UTF_8))
    if (resp.statusCode() == 400 && resp.body().contains("Invalid path"))
      throw BridgeException.badInput(s"the tracking server refuses the artifact path $uri (MLflow rejects '#', '..' and absolute paths)")
    if (resp.statusCode() == 401 || resp.statusCode() == 403) rest.expect(s"upload of $local to $uri")(RestResponse(resp.statusCode(), resp.body()))
    if (resp.statusCode() / 100 != 2)
      throw new BridgeException("REST_ERROR", s"upload of $local to $uri failed (HTTP ${resp.statusCode()}): ${resp.body()}")
  }

  private def fileUrl(uri: String): String =
    s"${base(uri)}/api/2.0/mlflow-artifacts/artifacts/" + remotePath(uri).split("/").filter(_.nonEmpty).map(ArtifactStore.pct).mkString("/")

  /** `mlflow-artifacts://host:port/...` names its own server (as in Python); otherwise the tracking server. */
  private def base(uri: String): String = {
    val authority = ArtifactStore.authority(uri)
    if (authority.isEmpty) rest.host else s"${URI.create(rest.host).getScheme}://$authority"
  }

  private def remotePath(uri: String): String = ArtifactStore.proxiedPath(uri)
  private def blankToNull(s: String): String = if (s == null || s.isEmpty) null else s
}

private[mlflowbridge] object ArtifactStore {

  /** A transfer the network cut off part-way (the server went away or closed the connection). */
  private[mlflowbridge] final class CutOff(cause: java.io.IOException) extends RuntimeException(cause)
  val Scheme = "mlflow-artifacts:"

  /** Concurrent transfers: a saved pipeline is dozens of small files (metadata, parquet, .crc). */
  val Threads = 4

  /** Runs `f` over `items` on up to [[Threads]] threads; the first failure is rethrown as is. */
  def parallel[T](items: Seq[T])(f: T => Unit): Unit =
    if (items.size <= 1) items.foreach(f)
    else {
      val pool = Executors.newFixedThreadPool(
        math.min(Threads, items.size),
        (r: Runnable) => {
          val t = new Thread(r, "mlflow-bridge-artifacts"); t.setDaemon(true); t
        }
      )
      try {
        val futures = items.map(i => pool.submit(new Callable[Unit] { def call(): Unit = f(i) }))
        futures.foreach(fu =>
          try fu.get()
          catch { case e: ExecutionException => throw e.getCause }
        )
      } finally pool.shutdownNow()
    }

  /**
   * `dir/name` for a name a server gave (one listing entry), refused when it could land outside
   * `dir`: empty, `.` or `..`, a separator (`/`, `\\`), NUL or another control character, or a
   * path that does not stay under `dir` once normalized.
   */
  def childOf(dir: Path, name: String, listedBy: String): Path = {
    def refuse(why: String) =
      throw BridgeException.badInput(s"refusing artifact name ${Json.mapper.writeValueAsString(name)} listed by $listedBy: $why")
    if (name == null || name.isEmpty) refuse("it is empty")
    if (name == "." || name == "..") refuse("it names a directory above or at the destination")
    if (name.exists(c => c == '/' || c == '\\')) refuse("a listing entry must be one path segment, without '/' or '\\'")
    if (name.exists(c => c < ' ' || c == '\u007f')) refuse("it holds a control character")
    val base = dir.toAbsolutePath.normalize()
    val child = base.resolve(name).normalize()
    if (!child.startsWith(base) || child == base) refuse(s"it would be written outside $base")
    child
  }

  /**
   * A user-given artifact path (relative to a run's root; null or "" = the root), refused as
   * MLflow's Python client refuses it: absolute (`/x`, `C:`), `..` or `.` segments, empty
   * segments (`a//b`), backslashes, NUL and other control characters. One trailing `/` is allowed.
   */
  def checkArtifactPath(path: String, what: String): Unit = if (path != null && path.nonEmpty) {
    def refuse(why: String): Nothing =
      throw BridgeException.badInput(s"$what ${Json.mapper.writeValueAsString(path)} is not a safe relative path: $why")
    if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) refuse("it is absolute")
    if (path.exists(_ == '\\')) refuse("it holds a backslash")
    if (path.exists(c => c < ' ' || c == '\u007f')) refuse("it holds a control character")
    val segments = path.stripSuffix("/").split("/", -1)
    if (segments.exists(seg => seg == ".." || seg == ".")) refuse("it has a '.' or '..' segment")
    if (segments.exists(_.isEmpty)) refuse("it has an empty segment")
  }

  /**
   * Runs `once` (one attempt at downloading `uri` into `target`) again while the transfer is cut
   * off mid-way, waiting as `retries` says; then gives up naming `uri`.
   */
  def retryingCutOff(uri: String, target: Path, retries: Retries)(once: => Boolean): Boolean = {
    @annotation.tailrec
    def attempt(retried: Int): Boolean = {
      val outcome =
        try Right(once)
        catch { case e: CutOff => Left(e) }
      outcome match {
        case Right(found) => found
        case Left(_) if retried < retries.maxRetries =>
          Thread.sleep((retries.delaySeconds(retried + 1) * 1000).toLong)
          attempt(retried + 1)
        case Left(e) =>
          throw BridgeException.unreachable(
            s"download of $uri was cut off${MlflowRest.after(retried)}: ${e.getCause.getMessage}; nothing was written to $target",
            e.getCause
          )
      }
    }
    attempt(0)
  }

  /**
   * `in` into `target` under a temporary name, then renamed: a download cut off mid-way leaves no
   * partial file. `expected` (the answer's Content-Length, or -1) catches a stream that ends early
   * without an error, as HttpURLConnection's may.
   */
  def writeAtomically(in: InputStream, target: Path, expected: Long = -1L): Unit = {
    Option(target.getParent).foreach(Files.createDirectories(_))
    val part = target.resolveSibling(s".${target.getFileName}.part-${java.util.UUID.randomUUID().toString.take(8)}")
    try {
      val n = Files.copy(in, part)
      if (expected >= 0 && n != expected) throw new CutOff(new java.io.IOException(s"the connection ended after $n of $expected bytes"))
      Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE)
    } catch {
      case e: java.io.IOException => throw new CutOff(e)
    } finally Files.deleteIfExists(part)
  }

  def isProxied(uri: String): Boolean = uri != null && uri.startsWith(Scheme)

  /** Stores the JVM reads and writes itself (no stock client, no Python). */
  def isNative(uri: String): Boolean = isProxied(uri) || S3Store.isS3(uri)
  def isLocal(uri: String): Boolean = uri != null && (uri.startsWith("file:") || uri.startsWith("/"))

  /** The path after `mlflow-artifacts:/` (or `mlflow-artifacts://host:port/`), without slashes at the ends. */
  def proxiedPath(uri: String): String = {
    val rest = uri.stripPrefix(Scheme)
    val path = if (rest.startsWith("//")) rest.drop(2).dropWhile(_ != '/') else rest
    path.stripPrefix("/").stripSuffix("/")
  }

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

  /** RFC 3986 percent-encoding of one path segment (URLEncoder would turn spaces into '+'). */
  def pct(s: String): String = s
    .getBytes(UTF_8)
    .map { b =>
      val c = (b & 0xff).toChar
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) c.toString
      else "%%%02X".format(b & 0xff)
    }
    .mkString

  /** commons-io's copy, after refusing a symbolic link that points outside `src` (it could point anywhere). */
  def copyTree(src: Path, dst: Path): Unit =
    if (Files.isDirectory(src)) {
      val walk = Files.walk(src)
      try
        walk.iterator().asScala.filter(Files.isSymbolicLink(_)).foreach { p =>
          if (!p.toRealPath().startsWith(src.toRealPath()))
            throw BridgeException.badInput(s"refusing to copy $p: it is a symbolic link to ${p.toRealPath()}, outside $src")
        }
      finally walk.close()
      FileUtils.copyDirectory(src.toFile, dst.toFile)
    } else FileUtils.copyFile(src.toFile, dst.toFile)

  def deleteTree(p: Path): Unit = FileUtils.deleteQuietly(p.toFile)
}
