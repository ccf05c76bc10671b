package mlflowbridge

import scala.jdk.CollectionConverters._

import org.mlflow.tracking.MlflowClient
import org.mlflow.tracking.creds.BasicMlflowHostCreds
import org.mlflow.tracking.utils.MlflowTagConstants

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
    val uri = env.getOrElse(
      "MLFLOW_TRACKING_URI",
      throw BridgeException.badInput("MLFLOW_TRACKING_URI is not set; point it at an MLflow tracking server (http://host:port)")
    )
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
        insecure
      )
      new MlflowClient(creds)
    }
  }

  // ------------------------------------------------------------------ runs like Python's start_run

  val UserTag: String = MlflowTagConstants.USER
  val SourceNameTag: String = MlflowTagConstants.SOURCE_NAME
  val SourceTypeTag: String = MlflowTagConstants.SOURCE_TYPE
  val RunNameTag: String = MlflowTagConstants.RUN_NAME
  // The Java client's MlflowTagConstants has no git tags; these are Python's mlflow_tags names.
  val GitCommitTag = "mlflow.source.git.commit"
  val GitBranchTag = "mlflow.source.git.branch"
  val GitRepoUrlTag = "mlflow.source.git.repoURL"

  /**
   * Python's `mlflow.start_run(run_name=...)` for the JVM: creates a run in `experimentId` with the
   * system tags Python sets (mlflow.user, mlflow.source.name/type, mlflow.runName and, when the
   * source is inside a git work tree and not git-ignored, mlflow.source.git.commit/branch/repoURL)
   * and returns its id. `tags` (nullable) are applied last, as in Python; a `mlflow.source.name`
   * among them also decides where git is asked. Without git the git tags are left out silently.
   */
  def createRun(client: MlflowClient, experimentId: String, runName: String, tags: java.util.Map[String, String]): String = {
    if (experimentId == null || experimentId.trim.isEmpty) throw BridgeException.badInput("experiment id must not be empty")
    val callerTags = Option(tags).map(_.asScala.toMap).getOrElse(Map.empty[String, String])
    val all = systemTags(runName, callerTags.get(SourceNameTag).orNull, sys.env) ++ callerTags
    val b = org.mlflow.api.proto.Service.CreateRun
      .newBuilder()
      .setExperimentId(experimentId)
      .setStartTime(System.currentTimeMillis())
      .setUserId(all(UserTag))
    Option(runName).filter(_.nonEmpty).foreach(b.setRunName)
    all.foreach { case (k, v) =>
      b.addTags(org.mlflow.api.proto.Service.RunTag.newBuilder().setKey(k).setValue(String.valueOf(v)).build())
    }
    client.createRun(b.build()).getRunId
  }

  def createRun(client: MlflowClient, experimentId: String, runName: String): String = createRun(client, experimentId, runName, null)

  /**
   * The tags Python's `start_run` would set here. The source is `sourceName` when given, else the
   * JVM's main entry point (the first word of `sun.java.command`). Git is asked in the source's
   * directory when the source is a path that exists; a JVM entry point that is not a path (a main
   * class) falls back to the working directory; a given source that is not a path gets no git tags
   * (Python's rule for `<console>`).
   */
  def systemTags(runName: String, sourceName: String, env: Map[String, String]): Map[String, String] = {
    val explicit = Option(sourceName).filter(_.nonEmpty)
    val source = explicit
      .orElse(sys.props.get("sun.java.command").flatMap(_.trim.split("\\s+").headOption).filter(_.nonEmpty))
      .getOrElse("<console>")
    val user = env.get("MLFLOW_TRACKING_USERNAME").filter(_.nonEmpty).getOrElse(sys.props.getOrElse("user.name", "unknown"))
    val base = Map(UserTag -> user, SourceNameTag -> source, SourceTypeTag -> "LOCAL")
    val name = Option(runName).filter(_.nonEmpty).map(RunNameTag -> _)
    base ++ gitDirectory(source, explicit.isDefined).fold(Map.empty[String, String])(gitTags) ++ name
  }

  private def gitDirectory(source: String, explicit: Boolean): Option[java.io.File] = {
    val f = new java.io.File(source).getAbsoluteFile
    if (f.isFile) Some(f.getParentFile)
    else if (f.isDirectory) Some(f)
    else if (explicit) None
    else Some(new java.io.File(sys.props.getOrElse("user.dir", ".")).getAbsoluteFile)
  }

  /** mlflow.source.git.* for `dir` by Python's rules: none outside a work tree or in a git-ignored directory. */
  def gitTags(dir: java.io.File): Map[String, String] = {
    if (dir == null || !dir.isDirectory) return Map.empty
    git(dir, "rev-parse", "HEAD") match {
      case None                                                              => Map.empty
      case Some(_) if gitStatus(dir, "check-ignore", "-q", dir.getPath) == 0 => Map.empty
      case Some(commit) =>
        val branch = git(dir, "symbolic-ref", "--short", "-q", "HEAD").map(GitBranchTag -> _)
        val url = git(dir, "remote")
          .flatMap(_.split("\\s+").headOption)
          .filter(_.nonEmpty)
          .flatMap(r => git(dir, "remote", "get-url", r))
          .map(u => GitRepoUrlTag -> stripCredentials(u))
        Map(GitCommitTag -> commit) ++ branch ++ url
    }
  }

  /** https://user:pw@host/x -> https://host/x, as mlflow.utils.git_utils does. */
  def stripCredentials(url: String): String =
    scala.util
      .Try(new java.net.URI(url))
      .toOption
      .filter(u => u.getScheme != null && u.getRawAuthority != null && u.getRawAuthority.contains("@"))
      .map(u =>
        s"${u.getScheme}://${u.getRawAuthority.substring(u.getRawAuthority.lastIndexOf('@') + 1)}${Option(u.getRawPath).getOrElse("")}" +
          Option(u.getRawQuery).fold("")("?" + _) + Option(u.getRawFragment).fold("")("#" + _)
      )
      .getOrElse(url)

  private def git(dir: java.io.File, args: String*): Option[String] =
    runGit(dir, args).collect { case (0, out) if out.trim.nonEmpty => out.trim }

  private def gitStatus(dir: java.io.File, args: String*): Int = runGit(dir, args).map(_._1).getOrElse(-1)

  private def runGit(dir: java.io.File, args: Seq[String]): Option[(Int, String)] =
    try {
      val p = new ProcessBuilder(("git" +: args).asJava)
        .directory(dir)
        .redirectErrorStream(false)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start()
      p.getOutputStream.close()
      val out = new String(p.getInputStream.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
      if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) { p.destroyForcibly(); None }
      else Some((p.exitValue(), out))
    } catch { case _: java.io.IOException => None }

  // ------------------------------------------------------------------ run and experiment updates

  private val RunStatuses = Set("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED")

  /**
   * Python's `MlflowClient.update_run(run_id, status, name)`: a new status and/or name (either may
   * be null; both null does nothing, as in Python). POST runs/update.
   */
  def updateRun(client: MlflowClient, runId: String, status: String, runName: String): Unit = {
    if (status == null && runName == null) return
    if (status != null && !RunStatuses(status))
      throw BridgeException.badInput(s"run status '$status' is not one of ${RunStatuses.toSeq.sorted.mkString(", ")}")
    val rest = MlflowRest.of(client)
    val body = Json.obj("run_id" -> runId)
    Option(status).foreach(body.put("status", _))
    Option(runName).foreach(body.put("run_name", _))
    val r = rest.post("runs/update", body)
    if (!r.ok && (r.errorCode == "RESOURCE_DOES_NOT_EXIST" || r.status == 404)) throw BridgeException.notFound(s"run '$runId' does not exist")
    rest.expect(s"update run '$runId'")(r)
  }

  /** Python's `delete_experiment_tag` (POST experiments/delete-experiment-tag); a missing experiment or tag is NOT_FOUND. */
  def deleteExperimentTag(client: MlflowClient, experimentId: String, key: String): Unit = {
    val rest = MlflowRest.of(client)
    rest.expect(s"delete tag '$key' of experiment $experimentId")(
      rest.post("experiments/delete-experiment-tag", Json.obj("experiment_id" -> experimentId, "key" -> key))
    )
  }
}
