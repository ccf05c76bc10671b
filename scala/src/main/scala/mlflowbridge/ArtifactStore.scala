package mlflowbridge

import mlflowbridge.store._

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path, Paths}

import scala.jdk.CollectionConverters._

/** One artifact listed by the server; `path` is relative to the listed directory's root. */
final case class ArtifactEntry(path: String, isDir: Boolean, fileSize: Long)

/**
 * Run and model artifacts from the JVM without forking Python: the stock client shells out to
 * `python -m mlflow.store.artifact.cli` for every call (6-9 s each), while a server that proxies
 * artifacts (`mlflow-artifacts:/`, MLflow's default) takes plain HTTP PUT/GET
 * ([[store.ProxiedArtifacts]]), `s3://` roots are read and written with the AWS SDK
 * ([[store.S3Store]], configured as Python's boto3), and local `file:` roots are copied. Other
 * schemes (gs://, wasbs://, ...) go through the stock client ([[store.StockClientArtifacts]]),
 * which needs MLFLOW_PYTHON_EXECUTABLE. This class keeps the run-level API and picks the transport.
 */
final class ArtifactStore private[mlflowbridge] (mlflow: Mlflow) {
  private def rest = mlflow.rest
  private lazy val proxied = new ProxiedArtifacts(rest)

  // A run's artifact root never changes: kept per run, as Python's client keeps its artifact
  // repositories (the last 1,024 runs), so that logging a small file costs one request, not two.
  private val roots = com.google.common.cache.CacheBuilder.newBuilder().maximumSize(1024).build[String, String]()

  /** The run's artifact root, e.g. `mlflow-artifacts:/1/<run>/artifacts`. */
  def runArtifactUri(runId: String): String =
    Option(roots.getIfPresent(runId)).getOrElse {
      val root = rest.expect(s"run '$runId'")(rest.get("runs/get", "run_id" -> runId)).path("run").path("info").path("artifact_uri").asText()
      roots.put(runId, root)
      root
    }

  /** The transport for `uri`'s store, None for a local path or a store the JVM does not read itself. */
  private[mlflowbridge] def transport(uri: String): Option[ArtifactTransport] =
    if (ArtifactUris.isProxied(uri)) Some(proxied) else if (ArtifactUris.isS3(uri)) Some(mlflow.s3) else None

  /** The transport for a run's artifacts under `root`: the stock client when the JVM does not read the store. */
  private def runTransport(runId: String, root: String): ArtifactTransport =
    transport(root).getOrElse(new StockClientArtifacts(mlflow.client, runId, root))

  private def notServed(uri: String): BridgeException =
    BridgeException
      .badInput(
        s"artifact location $uri is not served by the tracking server; the JVM bridge reads mlflow-artifacts:/, s3:// and local locations, other stores only through a run or a model version"
      )
      .withUri(uri)

  /**
   * Python's `log_artifact(s)`: a file lands at `<artifactPath>/<name>`, a directory's contents
   * under `<artifactPath>/` (null or "" = the run's root).
   */
  def logArtifacts(runId: String, local: Path, artifactPath: String): Unit = {
    ArtifactUris.checkArtifactPath(artifactPath, "artifact path")
    if (!Files.exists(local)) throw BridgeException.notFound(s"local artifact $local does not exist").withPath(local.toString)
    val root = runArtifactUri(runId)
    runTransport(runId, root).upload(local, ArtifactUris.join(root, artifactPath))
  }

  /** Uploads a file (to `<destUri>/<name>`) or a directory tree (its contents to `<destUri>/`); `mlflow-artifacts:` or `s3:`. */
  def upload(local: Path, destUri: String): Unit = transport(destUri).getOrElse(throw notServed(destUri)).upload(local, destUri)

  /** Direct children of a directory (`mlflow-artifacts:/...`, `s3://...`); empty when the path is a file or missing. */
  def listUri(artifactUri: String): java.util.List[ArtifactEntry] =
    transport(artifactUri).getOrElse(throw notServed(artifactUri)).list(artifactUri).asJava

  /** A run's artifacts under `path` (null = the root; run-relative paths, as the stock client's listArtifacts). */
  def list(runId: String, path: String): java.util.List[ArtifactEntry] = {
    ArtifactUris.checkArtifactPath(path, "artifact path")
    val root = runArtifactUri(runId)
    val prefix = Option(path).map(_.stripSuffix("/")).filter(_.nonEmpty)
    runTransport(runId, root)
      .list(ArtifactUris.join(root, path))
      .map(e => e.copy(path = prefix.fold(e.path)(p => s"$p/${e.path}")))
      .asJava
  }

  /** True when something is at `uri` (a file, or a directory with files); mlflow-artifacts:, s3: or local. */
  private[mlflowbridge] def exists(uri: String): Boolean =
    if (ArtifactUris.isLocal(uri)) Files.exists(ArtifactUris.localPath(uri)) else transport(uri).exists(_.exists(uri))

  /**
   * Downloads a file or a directory (recursively) into `dst` (created if needed) and returns the
   * local copy: `dst/<name>`. Accepts `mlflow-artifacts:`, `s3:` and local `file:` URIs.
   */
  def downloadUri(artifactUri: String, dst: Path): Path = {
    Files.createDirectories(dst)
    def missing = BridgeException.notFound(s"artifact $artifactUri does not exist").withUri(artifactUri)
    if (ArtifactUris.isLocal(artifactUri)) {
      val src = ArtifactUris.localPath(artifactUri)
      if (!Files.exists(src)) throw missing
      val target = dst.resolve(src.getFileName.toString)
      Transfers.copyTree(src, target)
      target
    } else {
      val t = transport(artifactUri).getOrElse(throw notServed(artifactUri))
      val name = ArtifactUris.lastSegment(artifactUri)
      val target = dst.resolve(if (name.isEmpty) "artifacts" else name)
      if (!t.download(artifactUri, target)) throw missing
      target
    }
  }

  /** A run's artifact `path` (file or directory; null = everything) into `dst`; returns the local copy. */
  def download(runId: String, path: String, dst: Path): Path = {
    ArtifactUris.checkArtifactPath(path, "artifact path")
    val root = runArtifactUri(runId)
    val uri = ArtifactUris.join(root, path)
    if (ArtifactUris.isNative(root) || ArtifactUris.isLocal(root))
      try downloadUri(uri, dst)
      catch {
        // Only our own "nothing there" (no server error code): a missing bucket keeps its own words.
        case e: BridgeException if e.kind == BridgeException.Kind.NOT_FOUND && e.uri == uri && e.errorCode == null =>
          val p = Option(path).getOrElse("")
          throw BridgeException.notFound(s"run '$runId' has no artifact '$p' ($uri)").withUri(uri).withPath(p)
      }
    else {
      // Other stores (gs://, ...): the stock client (forks Python), then copied next to the rest.
      Files.createDirectories(dst)
      val name = ArtifactUris.lastSegment(uri)
      val target = dst.resolve(if (path == null || path.isEmpty || name.isEmpty) "artifacts" else name)
      new StockClientArtifacts(mlflow.client, runId, root).download(uri, target)
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
    ArtifactUris.checkArtifactPath(artifactFile, "table artifact file")
    val tmp = Files.createTempDirectory(Models.workRoot, "table-")
    try {
      val existing =
        try Some(download(runId, artifactFile, tmp))
        catch { case e: BridgeException if e.kind == BridgeException.Kind.NOT_FOUND && e.path == artifactFile => None }
      val all = existing.fold(table) { f =>
        ArtifactFiles.append(ArtifactFiles.readTable(new String(Files.readAllBytes(f), UTF_8), s"the table $artifactFile of run '$runId'"), table)
      }
      logBytes(runId, ArtifactFiles.render(all), artifactFile)
    } finally Transfers.deleteTree(tmp)
    val run = mlflow.runs.get(runId)
    ArtifactFiles
      .loggedTables(run.getData.getTagsList.asScala.find(_.getKey == ArtifactFiles.LoggedArtifactsTag).map(_.getValue), artifactFile)
      .foreach(v => new ActiveRun(mlflow, runId, run.getInfo.getExperimentId, null).setTag(ArtifactFiles.LoggedArtifactsTag, v))
  }

  /** Python's `_log_artifact_helper`: the bytes as a file named as the artifact file's last segment, logged to its directory. */
  private def logBytes(runId: String, bytes: Array[Byte], artifactFile: String): Unit = {
    if (artifactFile == null || artifactFile.isEmpty || artifactFile.endsWith("/"))
      throw BridgeException.badInput(s"artifact file '$artifactFile' must name a file (e.g. 'dir/file.json')").withPath(artifactFile)
    ArtifactUris.checkArtifactPath(artifactFile, "artifact file")
    val slash = artifactFile.lastIndexOf('/')
    val tmp = Files.createTempDirectory(Models.workRoot, "artifact-")
    try {
      val f = tmp.resolve(artifactFile.substring(slash + 1))
      Files.write(f, bytes)
      logArtifacts(runId, f, if (slash < 0) null else artifactFile.substring(0, slash))
    } finally Transfers.deleteTree(tmp)
  }

  // String overloads for py4j/JPype callers (no java.nio.Path needed).
  def logArtifacts(runId: String, localPath: String, artifactPath: String): Unit = logArtifacts(runId, Paths.get(localPath), artifactPath)
  def downloadUri(artifactUri: String, dst: String): String = downloadUri(artifactUri, Paths.get(dst)).toString
  def download(runId: String, path: String, dst: String): String = download(runId, path, Paths.get(dst)).toString
}
