package mlflowbridge
package cli

import mlflowbridge.model._
import mlflowbridge.serve.{AliasFollower, ScoringServer}

import scala.jdk.CollectionConverters._

import org.apache.spark.sql.SparkSession
import org.mlflow.tracking.utils.MlflowTagConstants

/**
 * Command line: `train` fits and logs an example pipeline, `score` scores a file with any model
 * URI. Tracking server from MLFLOW_TRACKING_URI (and MLFLOW_TRACKING_* credentials).
 * Exit codes: 0 ok, 2 usage or bridge error (message on stderr), 1 anything else.
 */
object Main {
  val Usage: String =
    """usage:
      |  train --kind regression|classifier --experiment NAME [--input CSV] [--label COL]
      |        [--algorithm logistic|rf] [--register NAME] [--alias ALIAS]
      |  score --model-uri URI --input FILE --output FILE [--format csv|parquet|json]
      |        [--master URL] [--staging-dir DIR]
      |  serve --model-uri URI [--host 127.0.0.1] [--port 5000] [--max-body-mb 50]
      |        [--follow-alias [--poll-seconds 30]]   (URI models:/NAME@ALIAS: swap in the version it moves to)
      |  --verbose (anywhere): Spark's own logging and stage bars too""".stripMargin

  def main(args: Array[String]): Unit = {
    val verbose = args.contains("--verbose")
    if (!verbose && System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null)
      System.setProperty("log4j2.configurationFile", "mlflowbridge/log4j2-cli.properties")
    sys.exit(run(args))
  }

  /** Runs one command; returns the exit code (for tests and callers that must not exit). */
  def run(argv: Array[String]): Int = {
    verbose = argv.contains("--verbose")
    val args = argv.filterNot(_ == "--verbose")
    try {
      args.headOption match {
        case Some("train")                  => train(options(args.tail)); 0
        case Some("score")                  => score(options(args.tail)); 0
        case Some("serve")                  => serve(options(args.tail.filterNot(_ == FollowAlias)), args.contains(FollowAlias)); 0
        case Some("-h" | "--help" | "help") => println(Usage); 0
        case _                              => System.err.println(Usage); 2
      }
    } catch {
      case e: BridgeException => System.err.println(s"error [${e.kind}]: ${e.getMessage}"); 2
    }
  }

  /**
   * The clean-up Java's shutdown hooks would do, for a process about to leave without them (an
   * in-process JVM under JPype, whose teardown at interpreter exit can crash: see docs/reliability.md):
   * stop Spark (its temporary and block-manager folders go) and delete our model downloads.
   */
  def beforeHardExit(): Unit = {
    SparkSession.getDefaultSession.foreach(_.stop())
    SparkSession.getActiveSession.foreach(_.stop())
    Models.deleteWorkRoot()
  }

  @volatile private var verbose = false

  /** [[sparkSession]] on spark-submit's master, else local[2]. */
  def localSpark(appName: String): SparkSession = sparkSession(appName, null)

  /**
   * A session trimmed for one command: no UI, no Hive catalog, few shuffle partitions; stage
   * bars only with `--verbose`. `master` null: spark-submit's `spark.master`, else local[2]
   * (loopback only). On a cluster our jars travel to the executors in `spark.jars`.
   */
  def sparkSession(appName: String, master: String): SparkSession = {
    Option(master).foreach(Rules.checkMaster) // Spark itself would retry a dead standalone master for a minute
    val m = Option(master).orElse(sys.props.get("spark.master")).getOrElse("local[2]")
    val builder = SparkSession
      .builder()
      .appName(appName)
      .master(m)
      .config("spark.ui.enabled", "false")
      .config("spark.ui.showConsoleProgress", verbose.toString)
      .config("spark.sql.catalogImplementation", "in-memory")
      .config("spark.sql.shuffle.partitions", "2")
    if (m.startsWith("local"))
      builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
    else builder.config("spark.jars", (sys.props.get("spark.jars").toSeq.flatMap(_.split(",")) ++ ownJars).filter(_.nonEmpty).distinct.mkString(","))
    val spark = builder.getOrCreate()
    if (!verbose) spark.sparkContext.setLogLevel("WARN")
    spark
  }

  /** Our jar and the stock client's, where this JVM loaded them from. */
  private def ownJars: Seq[String] =
    Seq(classOf[Mlflow], classOf[org.mlflow.tracking.MlflowClient]).flatMap { c =>
      Option(c.getProtectionDomain.getCodeSource).map(_.getLocation.toString).filter(_.endsWith(".jar"))
    }.distinct

  private def train(o: Map[String, String]): Unit = {
    val kind = need(o, "kind")
    val experiment = need(o, "experiment")
    if (o.contains("alias") && !o.contains("register")) throw BridgeException.badInput("--alias needs --register NAME")
    val mlflow = Mlflow.fromEnv()
    try {
      val expId = mlflow.experiments.getOrCreate(experiment)
      withSpark(s"mlflow-bridge-train-$kind") { spark =>
        val run = mlflow.runs.start(expId, s"jvm-$kind", java.util.Map.of(MlflowTagConstants.SOURCE_NAME, "mlflowbridge.cli.Main"))
        val modelUri = run.scope(run => trainInRun(o, kind, mlflow, run, spark))
        println(s"run_id=${run.runId}")
        println(s"experiment_id=$expId")
        println(s"model_uri=$modelUri")
      }
    } finally mlflow.close()
  }

  /** Fits, logs params/metrics/model, registers if asked; returns the URI to load the model by. */
  private def trainInRun(o: Map[String, String], kind: String, mlflow: Mlflow, run: ActiveRun, spark: SparkSession): String = {
    val trained = kind match {
      case "regression" =>
        val data = o.get("input").map(p => Scoring.read(spark, p)).getOrElse(Training.wineData(spark))
        Training.regression(spark, data, o.getOrElse("label", "quality"))
      case "classifier" =>
        val data = o.get("input").map(p => Scoring.read(spark, p)).getOrElse(Training.irisData(spark))
        Training.classifier(spark, data, o.getOrElse("label", "species"), o.getOrElse("algorithm", "logistic"))
      case other => throw BridgeException.badInput(s"unknown --kind '$other': use regression or classifier")
    }
    run.logParams(trained.params.asJava)
    run.logMetrics(trained.metrics.map { case (k, v) => k -> Double.box(v) }.asJava)
    trained.metrics.toSeq.sortBy(_._1).foreach { case (k, v) => println(f"$k=$v%.4f") }
    val runUri = run.logModel(trained.model, "model", trained.example, trained.inputSchema).modelUri
    o.get("register") match {
      case None => runUri
      case Some(name) =>
        val mv = o.get("alias").fold(mlflow.registry.register(runUri, name))(mlflow.registry.register(runUri, name, _))
        println(s"registered=$name/${mv.getVersion}")
        o.get("alias").fold(s"models:/$name/${mv.getVersion}")(alias => s"models:/$name@$alias")
    }
  }

  private def score(o: Map[String, String]): Unit = {
    val uri = need(o, "model-uri")
    val input = need(o, "input")
    val output = need(o, "output")
    // Everything that can be told without Spark or a server fails before either starts.
    val hasServer = sys.env.contains("MLFLOW_TRACKING_URI")
    ModelUri.checkWithoutServer(uri, hasServer)
    Scoring.checkInput(input)
    Scoring.outputFormat(output, o.get("format").orNull)
    // A local model needs no tracking server.
    val mlflow = if (hasServer) Mlflow.fromEnv() else Mlflow.local()
    try
      withSpark("mlflow-bridge-score", o.get("master").orNull, o.get("staging-dir").orNull) { spark =>
        val n = Scoring.scoreFile(spark, mlflow, uri, input, output, o.get("format").orNull)
        println(s"scored $n rows into $output")
      }
    finally mlflow.close()
  }

  /**
   * Serves a model until SIGTERM or Ctrl-C: a shutdown hook (run before Spark's own) stops taking
   * requests, lets those in flight finish and lets the JVM leave.
   */
  private def serve(o: Map[String, String], follow: Boolean): Unit = {
    val uri = need(o, "model-uri")
    val host = o.getOrElse("host", "127.0.0.1")
    val port = intOption(o, "port", 5000)
    val maxBytes = intOption(o, "max-body-mb", 50).toLong * 1024 * 1024
    val pollSeconds = o.get("poll-seconds").map { v =>
      if (!follow) throw BridgeException.badInput("--poll-seconds is how often --follow-alias reads the registry; give --follow-alias too")
      v.toDoubleOption
        .filter(d => d > 0 && !d.isInfinite)
        .getOrElse(throw BridgeException.badInput(s"--poll-seconds must be a number of seconds above 0, got '$v'"))
    }
    val follows = Option.when(follow)(pollSeconds.getOrElse(DefaultPollSeconds))
    if (follow) AliasFollower.aliasOf(uri) // before Spark starts
    val hasServer = sys.env.contains("MLFLOW_TRACKING_URI")
    ModelUri.checkWithoutServer(uri, hasServer)
    val mlflow = if (hasServer) Mlflow.fromEnv() else Mlflow.local()
    val spark = localSpark("mlflow-bridge-serve")
    val server = ScoringServer.start(mlflow, uri, spark, host, port, maxBytes, follows)
    // Hadoop's hook manager runs hooks by priority: ours (100) before Spark stops its context (50).
    org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(() => server.close(), 100)
    val following = follows.fold("")(s => s", following the alias every ${AliasFollower.seconds(s)}s")
    val version = Option(server.modelVersion).fold("")(v => s" (version $v$following)")
    println(s"serving $uri$version on http://${server.host}:${server.port} (Ctrl-C or SIGTERM stops it)")
    System.out.flush()
    server.awaitTermination()
    mlflow.close()
  }

  private val FollowAlias = "--follow-alias"
  val DefaultPollSeconds = 30.0

  private def intOption(o: Map[String, String], key: String, default: Int): Int =
    o.get(key).fold(default)(v => v.toIntOption.filter(_ >= 0).getOrElse(throw BridgeException.badInput(s"--$key must be a whole number, got '$v'")))

  /** Stops the session only if this command started it (callers in a running app keep theirs). */
  private def withSpark[T](name: String, master: String = null, stagingDir: String = null)(f: SparkSession => T): T = {
    val owned = SparkSession.getDefaultSession.isEmpty
    val spark = sparkSession(name, master)
    Option(stagingDir).foreach(spark.conf.set(Staging.Conf, _))
    try f(spark)
    finally if (owned) spark.stop()
  }

  /** `--key value` pairs; an unknown shape is a usage error. */
  private def options(args: Array[String]): Map[String, String] = {
    if (args.length % 2 != 0 || !args.grouped(2).forall(_.head.startsWith("--")))
      throw BridgeException.badInput(s"expected --option value pairs, got: ${args.mkString(" ")}\n$Usage")
    args.grouped(2).map(a => a(0).stripPrefix("--") -> a(1)).toMap
  }

  private def need(o: Map[String, String], key: String): String =
    o.getOrElse(key, throw BridgeException.badInput(s"--$key is required\n$Usage"))
}
