package mlflowbridge
package model

import mlflowbridge.rest._
import mlflowbridge.store.ArtifactUris

import java.nio.file.{Files, Path}

import scala.jdk.CollectionConverters._

/**
 * Resolves the model URIs Python's `mlflow.<flavor>.load_model` accepts to files on this machine:
 * `runs:/<run>/<path>`, `models:/<name>/<version|latest|stage>[/<sub>]`, `models:/<name>@<alias>`,
 * `models:/<model_id>` (MLflow 3 logged models), `mlflow-artifacts:/...`, `s3://...`, `file:` URIs
 * and local paths. Registry entries are followed through `get-download-uri` (a version's source may itself
 * be runs:/, models:/m-..., or a storage location). A `runs:/<run>/<name>` that is not among the
 * run's artifacts is looked up as the run's MLflow 3 logged model called `<name>`, as Python does.
 * `mlflow` is the server the URIs are resolved against ([[Mlflow.local]] for local folders only).
 */
private[mlflowbridge] final class ModelUri(mlflow: Mlflow) {
  import ModelUri._

  /** The model's files as a local directory (downloaded under `workDir` unless already local). */
  def fetch(uri: String, workDir: Path): Path = {
    val loc = locate(uri)
    try
      loc match {
        case At(u) if ArtifactUris.isLocal(u) => ArtifactUris.localPath(u)
        case At(u)                            => mlflow.artifacts.downloadUri(u, workDir)
        case ViaRun(run, path)                => mlflow.artifacts.download(run, path, workDir)
        case ViaVersion(name, version)        => mlflow.client.downloadModelVersion(name, version).toPath
      }
    catch namingTheUri(uri)
  }

  /**
   * Single files of the model at `uri` (paths relative to its directory), each fetched on its own:
   * what reading MLmodel needs without downloading the model's data. None when the file is not
   * there. (A registry version the JVM cannot read natively is downloaded whole, once, by the stock client.)
   */
  def files(uri: String, workDir: Path): String => Option[Path] = {
    val loc = locate(uri)
    lazy val wholeVersion = fetch(uri, workDir)
    rel => {
      ArtifactUris.checkArtifactPath(rel, s"file of model $uri")
      def absent[T](get: => T): Option[T] =
        try Some(get)
        catch { case e: BridgeException if e.kind == BridgeException.Kind.NOT_FOUND => None }
      val dst = Files.createTempDirectory(workDir, "file-")
      loc match {
        case At(u) if ArtifactUris.isLocal(u) => Some(ArtifactUris.localPath(u).resolve(rel)).filter(Files.isRegularFile(_))
        case At(u)                            => absent(mlflow.artifacts.downloadUri(ArtifactUris.join(u, rel), dst))
        case ViaRun(run, path)                => absent(mlflow.artifacts.download(run, ArtifactUris.join(path, rel).stripPrefix("/"), dst))
        case _: ViaVersion                    => Some(wholeVersion.resolve(rel)).filter(Files.isRegularFile(_))
      }
    }
  }

  /** Resolves `uri` without downloading; errors name the URI. */
  def locate(uri: String): Location = {
    if (uri == null || uri.trim.isEmpty) throw BridgeException.badInput("model URI must not be empty")
    try locate(uri.trim, 0)
    catch namingTheUri(uri)
  }

  /**
   * A registry URI (`models:/<name>/<version|latest|stage>[/<sub>]`, `models:/<name>@<alias>[/<sub>]`)
   * pinned to the version it names now: that version's own URI and its number, so that what is
   * loaded is the version reported. None for any other URI (a logged model, a run, a folder).
   */
  def pinVersion(uri: String): Option[(String, String)] = {
    val u = Option(uri).map(_.trim).getOrElse("")
    if (!u.startsWith("models:")) return None
    val parts = u.stripPrefix("models:").stripPrefix("/").split("/").toSeq
    if (parts.isEmpty || parts.head.trim.isEmpty || (parts.length == 1 && !parts.head.contains("@"))) return None
    val named = if (parts.head.contains("@")) 1 else 2
    val (name, version) =
      try need(u).registry.versionOf(parts.take(named), u)
      catch namingTheUri(u)
    Some(((Seq(s"models:/$name", version) ++ parts.drop(named)).mkString("/"), version))
  }

  /** A NOT_FOUND raised for something else (a run, an artifact, a version) says which model URI needed it. */
  private def namingTheUri(uri: String): PartialFunction[Throwable, Nothing] = {
    case e: BridgeException if e.kind == BridgeException.Kind.NOT_FOUND && (e.uri == null || e.uri.trim != uri.trim) =>
      throw BridgeException.notFound(s"model URI $uri does not exist: ${e.getMessage}").withUri(uri).withPath(e.path)
  }

  private def locate(uri: String, hops: Int): Location = {
    if (hops > MaxHops) throw BridgeException.badInput(s"model URI $uri: more than $MaxHops redirections (a registry cycle?)")
    if (uri.startsWith("runs:")) run(uri)
    else if (uri.startsWith("models:")) registry(uri, hops)
    else if (ArtifactUris.isNative(uri)) {
      if (!need(uri).artifacts.exists(uri)) throw BridgeException.notFound(s"model URI $uri does not exist (no files there)").withUri(uri)
      At(uri)
    } else if (ArtifactUris.isLocal(uri) || !uri.contains(":")) {
      val p = ArtifactUris.localPath(uri)
      if (!Files.exists(p)) throw BridgeException.notFound(s"model URI $uri does not exist (no such local directory)").withUri(uri)
      At(p.toAbsolutePath.toString)
    } else
      throw BridgeException.badInput(
        s"model URI $uri has an unsupported scheme; use runs:/, models:/, mlflow-artifacts:/, s3://, file: or a local path"
      )
  }

  private def run(uri: String): Location = {
    need(uri)
    val parts = uri.stripPrefix("runs:").stripPrefix("/").split("/", 2)
    val runId = parts(0)
    val path = if (parts.length > 1) parts(1).stripSuffix("/") else ""
    if (runId.isEmpty) throw BridgeException.badInput(s"model URI $uri is not a proper runs:/ URI: use runs:/<run_id>/<path>")
    ArtifactUris.checkArtifactPath(path, s"model URI $uri: path")
    val store = mlflow.artifacts
    val root =
      try store.runArtifactUri(runId)
      catch {
        case e: BridgeException if e.kind == BridgeException.Kind.NOT_FOUND =>
          throw BridgeException.notFound(s"model URI $uri does not exist: run '$runId' not found").withUri(uri)
      }
    if (ArtifactUris.isNative(root) || ArtifactUris.isLocal(root)) {
      val candidate = ArtifactUris.join(root, path)
      if (store.exists(candidate)) At(candidate)
      else
        loggedModelOfRun(runId, path)
          .map(u => locate(u, 1))
          .getOrElse(
            throw BridgeException.notFound(s"model URI $uri does not exist: run '$runId' has no artifact '$path'").withUri(uri).withPath(path)
          )
    } else ViaRun(runId, path)
  }

  private def registry(uri: String, hops: Int): Location = {
    need(uri)
    val parts = uri.stripPrefix("models:").stripPrefix("/").split("/").toSeq
    val bad = BridgeException.badInput(
      s"model URI $uri is not a proper models:/ URI: use models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/latest or models:/<model_id>"
    )
    if (parts.isEmpty || parts.head.trim.isEmpty) throw bad
    if (parts.length == 1 && !parts.head.contains("@")) return loggedModel(uri, parts.head, hops)
    val named = if (parts.head.contains("@")) 1 else 2
    val (name, version) = mlflow.registry.versionOf(parts.take(named), uri)
    val sub = parts.drop(named)
    val target = mlflow.registry.downloadUri(name, version)
    val followable = Seq("runs:", "models:", ArtifactUris.Scheme, "s3://", "file:", "/").exists(target.startsWith)
    if (!followable) {
      if (sub.nonEmpty) throw BridgeException.badInput(s"model URI $uri: a sub-path of a model stored at $target is not supported")
      return ViaVersion(name, version)
    }
    locate(target, hops + 1) match {
      case At(u)         => At(ArtifactUris.join(u, sub.mkString("/")))
      case ViaRun(r, p)  => ViaRun(r, ArtifactUris.join(p, sub.mkString("/")).stripPrefix("/"))
      case v: ViaVersion => v
    }
  }

  /** `models:/m-...`: an MLflow 3 logged model, whose `artifact_uri` holds its files. */
  private def loggedModel(uri: String, modelId: String, hops: Int): Location = {
    val rest = need(uri).rest
    val r = rest.get(s"logged-models/${ArtifactUris.encodeSegment(modelId)}")
    if (!r.ok && (r.errorCode == "RESOURCE_DOES_NOT_EXIST" || r.status == 404))
      throw BridgeException.notFound(s"model URI $uri does not exist: no logged model '$modelId'").withUri(uri)
    val artifactUri = rest.expect(s"logged model '$modelId'")(r).path("model").path("info").path("artifact_uri").asText("")
    if (artifactUri.isEmpty) throw BridgeException.notFound(s"model URI $uri: logged model '$modelId' has no artifact location").withUri(uri)
    locate(artifactUri, hops + 1)
  }

  /** MLflow 3: `runs:/<run>/<name>[/sub]` may name a logged model of that run rather than run artifacts. */
  private def loggedModelOfRun(runId: String, path: String): Option[String] = {
    if (path.isEmpty) return None
    val Array(name, rest @ _*) = path.split("/", 2)
    val mlrest = mlflow.rest
    val expId = mlrest.expect(s"run '$runId'")(mlrest.get("runs/get", "run_id" -> runId)).path("run").path("info").path("experiment_id").asText()
    val body = Json.obj("filter" -> s"name = '${name.replace("'", "\\'")}'", "max_results" -> 100)
    body.putArray("experiment_ids").add(expId)
    val r = mlrest.post("logged-models/search", body)
    if (!r.ok) None // servers before MLflow 3 have no logged models
    else
      r.json
        .path("models")
        .elements()
        .asScala
        .map(_.path("info"))
        .find(i => i.path("source_run_id").asText() == runId)
        .map(i => ArtifactUris.join(i.path("artifact_uri").asText(), rest.headOption.getOrElse("")))
  }

  private def need(uri: String): Mlflow =
    if (!mlflow.isLocal) mlflow
    else throw BridgeException.badInput(s"model URI $uri needs a tracking server: set MLFLOW_TRACKING_URI or use Mlflow.forUri").withUri(uri)
}

private[mlflowbridge] object ModelUri {
  private val MaxHops = 8

  /**
   * What can be told of `uri` without a server or Spark, so that a malformed URI or a missing
   * local folder fails at once: the runs:/ and models:/ shapes, a safe path, a known scheme,
   * a local directory that exists, and a tracking server where the URI needs one.
   */
  def checkWithoutServer(uri: String, hasServer: Boolean): Unit = {
    if (uri == null || uri.trim.isEmpty) throw BridgeException.badInput("model URI must not be empty")
    val u = uri.trim
    val remote = u.startsWith("runs:") || u.startsWith("models:") || ArtifactUris.isNative(u)
    if (u.startsWith("runs:")) {
      val parts = u.stripPrefix("runs:").stripPrefix("/").split("/", 2)
      if (parts(0).isEmpty) throw BridgeException.badInput(s"model URI $u is not a proper runs:/ URI: use runs:/<run_id>/<path>")
      if (parts.length > 1) ArtifactUris.checkArtifactPath(parts(1).stripSuffix("/"), s"model URI $u: path")
    } else if (u.startsWith("models:")) {
      val parts = u.stripPrefix("models:").stripPrefix("/").split("/").toSeq
      val head = parts.headOption.getOrElse("")
      val aliased = head.split("@", -1)
      if (head.trim.isEmpty || (aliased.length > 1 && (aliased.length != 2 || aliased.exists(_.isEmpty))) || (parts.length > 1 && parts(1).isEmpty))
        throw BridgeException.badInput(
          s"model URI $u is not a proper models:/ URI: use models:/<name>/<version>, models:/<name>@<alias>, models:/<name>/latest or models:/<model_id>"
        )
    } else if (!remote && (ArtifactUris.isLocal(u) || !u.contains(":"))) {
      val p = ArtifactUris.localPath(u)
      if (!Files.exists(p)) throw BridgeException.notFound(s"model URI $u does not exist (no such local directory)")
    } else if (!remote)
      throw BridgeException.badInput(
        s"model URI $u has an unsupported scheme; use runs:/, models:/, mlflow-artifacts:/, s3://, file: or a local path"
      )
    if (remote && !hasServer)
      throw BridgeException.badInput(s"model URI $u needs a tracking server: set MLFLOW_TRACKING_URI (a local model folder needs none)")
  }

  /** Where a model's files are, before download. */
  sealed trait Location

  /** mlflow-artifacts:/..., s3://..., file:/... or a local path. */
  final case class At(uri: String) extends Location

  /** A run whose artifact store the JVM cannot read natively (gs, ...): the stock client downloads it. */
  final case class ViaRun(runId: String, path: String) extends Location

  /** A registry version stored where the JVM cannot read natively: the stock client downloads it. */
  final case class ViaVersion(name: String, version: String) extends Location
}
