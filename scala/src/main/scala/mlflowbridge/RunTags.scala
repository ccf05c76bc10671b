package mlflowbridge

import scala.jdk.CollectionConverters._

import org.mlflow.tracking.utils.MlflowTagConstants

/** The system tags Python's `mlflow.start_run` sets, by its rules (user, source, git). */
private[mlflowbridge] object RunTags {

  val UserTag: String = MlflowTagConstants.USER
  val SourceNameTag: String = MlflowTagConstants.SOURCE_NAME
  val SourceTypeTag: String = MlflowTagConstants.SOURCE_TYPE
  val RunNameTag: String = MlflowTagConstants.RUN_NAME
  // The Java client's MlflowTagConstants has no git tags; these are Python's mlflow_tags names.
  val GitCommitTag = "mlflow.source.git.commit"
  val GitBranchTag = "mlflow.source.git.branch"
  val GitRepoUrlTag = "mlflow.source.git.repoURL"

  /**
   * The tags Python's `start_run` would set here. The source is `sourceName` when given, else the
   * JVM's main entry point (the first word of `sun.java.command`). Git is asked in the source's
   * directory when the source is a path that exists; a JVM entry point that is not a path (a main
   * class) falls back to the working directory; a given source that is not a path gets no git tags
   * (Python's rule for `<console>`).
   */
  def systemTags(runName: String, sourceName: String, env: Map[String, String]): Map[String, String] = {
    val explicit = Option(sourceName).filter(_.nonEmpty)
    val source = explicit.orElse(entryPoint(sys.props.get("sun.java.command"))).getOrElse("<console>")
    val user = env.get("MLFLOW_TRACKING_USERNAME").filter(_.nonEmpty).getOrElse(sys.props.getOrElse("user.name", "unknown"))
    val base = Map(UserTag -> user, SourceNameTag -> source, SourceTypeTag -> "LOCAL")
    val name = Option(runName).filter(_.nonEmpty).map(RunNameTag -> _)
    base ++ gitDirectory(source, explicit.isDefined).fold(Map.empty[String, String])(gitTags) ++ name
  }

  /**
   * The JVM's entry point from `sun.java.command`: the main class (`java -cp ... com.acme.Train`),
   * the jar (`java -jar app.jar`), or the source file of `java Train.java` (whose command starts
   * with the source launcher's class), or the `--class` of `spark-submit`. None when the JVM was not started by `java` (JPype, JNI).
   */
  def entryPoint(command: Option[String]): Option[String] = {
    val words = command.map(_.trim.split("\\s+").toSeq.filter(_.nonEmpty)).getOrElse(Nil)
    words match {
      case launcher +: file +: _ if launcher.endsWith(SourceLauncher) => Some(file)
      // spark-submit runs `SparkSubmit ... --class com.acme.Train app.jar`: the program is the --class.
      case SparkSubmit +: rest if rest.indexOf("--class") >= 0 && rest.indexOf("--class") + 1 < rest.size =>
        Some(rest(rest.indexOf("--class") + 1))
      case first +: _ => Some(first)
      case _          => None
    }
  }

  private val SourceLauncher = "com.sun.tools.javac.launcher.Main"
  private val SparkSubmit = "org.apache.spark.deploy.SparkSubmit"

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
}
