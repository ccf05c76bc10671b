package mlflowbridge.autolog

import mlflowbridge.{ActiveRun, Mlflow, Models, SparkDatasets}
import mlflowbridge.model.SparkFlavor
import mlflowbridge.store.Transfers

import java.nio.file.Files
import java.util.concurrent.{ExecutorService, Executors, RejectedExecutionException, TimeUnit}

import scala.collection.mutable
import scala.util.control.NonFatal

import org.apache.spark.SparkConf
import org.apache.spark.internal.Logging
import org.apache.spark.ml.{FitEnd, FitStart, Pipeline, PipelineModel, Transformer}
import org.apache.spark.ml.mlflowbridge.{AutologScope, AutologAccess}
import org.apache.spark.scheduler.{SparkListener, SparkListenerApplicationEnd, SparkListenerEvent}
import org.apache.spark.scheduler.mlflowbridge.InlineEvents
import org.apache.spark.sql.Dataset

/**
 * Zero-code autologging: `spark-submit --conf spark.extraListeners=mlflowbridge.autolog.MlflowAutolog`
 * logs each outermost Pipeline fit of an unchanged program as Python's `mlflow.pyspark.ml.autolog()`
 * logs it, into the experiment `spark.mlflow.experimentName` (default: the application's name) on
 * the server MLFLOW_TRACKING_URI names (credentials from MLFLOW_TRACKING_*).
 *
 * It never gets in the job's way and loses nothing: it hears the ML events in the thread that
 * fits (Spark's listener thread would hear them too late: `spark.stop()` refuses Spark jobs from
 * its first line on), where it only writes what needs Spark jobs, as Python's autolog does in
 * that thread: a logged model's files at the fit's end, the training data's row count at its
 * start. Everything sent to the server goes through one thread of its own, in order. A server
 * that is down or refuses the experiment costs one warning line and turns autologging off for the
 * application; when the application ends (`spark.stop()`, or the JVM's exit) what was queued is
 * sent (waiting at most `spark.mlflow.autolog.flushTimeoutSeconds`, default 300) and a fit that
 * never ended (it threw) ends its run FAILED.
 *
 * CrossValidator's fold fits (Pipelines fitted on a k-fold split) become child runs of one run
 * for the search, which the refit on the whole data completes; fits inside [[Autolog.fit]] are
 * left to that call, which sees the tuning structure these events lack.
 */
class MlflowAutolog(conf: SparkConf) extends SparkListener with Logging {

  private val experimentName = conf.get(MlflowAutolog.ExperimentConf, conf.get("spark.app.name", "Default"))
  private val flushSeconds = conf.getLong("spark.mlflow.autolog.flushTimeoutSeconds", 300L)
  private lazy val allowlist = ModelAllowlist.fromConf(conf.getOption(ModelAllowlist.ConfKey), logWarning(_))

  private val uploads: ExecutorService = Executors.newSingleThreadExecutor { (r: Runnable) =>
    val t = new Thread(r, "mlflow-autolog")
    t.setDaemon(true)
    t
  }

  /** A fit being logged; `run` is set on the upload thread (None when its start failed). */
  private final class Fit(val pipeline: Pipeline, val dataset: Dataset[_], val group: Option[Group]) { @volatile var run: Option[ActiveRun] = None }

  /** A CrossValidator seen through its fold fits: one run, keyed by the tuned Pipeline's uid (its copies keep it). */
  private final class Group(val uid: String) { @volatile var run: Option[ActiveRun] = None }

  // Fitting-thread state, guarded by `this` (a program may fit in several threads).
  private val open = mutable.LinkedHashMap.empty[Pipeline, Fit] // by identity: Pipeline has no equals
  private val groups = mutable.LinkedHashMap.empty[String, Group]
  private var explicitScopes = 0

  // Upload-thread state.
  @volatile private var disabled = false
  private var target: Option[(TrainingLog, String)] = None

  try InlineEvents.install(onEvent)
  catch {
    case NonFatal(e) =>
      disabled = true
      logWarning(s"MLflow autologging is off for this application: cannot hear ML events on this Spark: ${TrainingLog.oneLine(e)}")
  }

  /** Every event of the bus, in its posting thread: returns at once for all but ours. */
  private def onEvent(event: SparkListenerEvent): Unit = event match {
    case AutologScope(started)          => synchronized { explicitScopes = math.max(0, explicitScopes + (if (started) 1 else -1)) }
    case e: FitStart[_] if !disabled    => e.estimator match { case p: Pipeline => fitStarted(p, e.dataset); case _ => }
    case e: FitEnd[_] if !disabled      => e.estimator match { case p: Pipeline => fitEnded(p, e.model); case _ => }
    case _: SparkListenerApplicationEnd => applicationEnded()
    case _                              =>
  }

  private def fitStarted(p: Pipeline, dataset: Dataset[_]): Unit = {
    val fit = synchronized {
      if (explicitScopes > 0 || open.keys.exists(o => PyNames.traverse(o).drop(1).exists(_ eq p))) None // inside a call or an outer Pipeline
      else if (scala.util.Try(AutologAccess.isKFoldSplit(dataset)).getOrElse(false)) {
        val group = groups.getOrElseUpdate(
          p.uid, {
            val g = new Group(p.uid)
            upload("start the run of a CrossValidator")((log, exp) => g.run = Some(log.startSearch(exp)))
            g
          }
        )
        val fit = new Fit(p, dataset, Some(group))
        open.put(p, fit)
        upload("start a fold's child run")((log, exp) => fit.run = group.run.map(parent => log.start(exp, p, null, parent)))
        None
      } else {
        val fit = new Fit(p, dataset, groups.remove(p.uid)) // the refit on the whole data completes the search's run
        open.put(p, fit)
        Some(fit)
      }
    }
    // The row count is a Spark job: here, while Spark runs for sure.
    fit.foreach { fit =>
      val profile = attempt("count the training data")(SparkDatasets.profile(dataset.toDF()))
      upload("start a run")((log, exp) =>
        fit.run = fit.group match {
          case Some(g) => g.run.map(r => { log.describe(r, p, dataset, profile); r })
          case None    => Some(log.start(exp, p, dataset, null, profile))
        }
      )
    }
  }

  private def fitEnded(p: Pipeline, model: Transformer): Unit = synchronized(open.remove(p)).foreach { fit =>
    val isFold = synchronized(fit.group.exists(g => groups.get(g.uid).exists(_ eq g)))
    // The model's files and signature need Spark: here, before `fit` returns, so no later `spark.stop()` can refuse them.
    val root =
      if (isFold || !allowlist.allows(model)) None else attempt("save the fitted model")(Files.createTempDirectory(Models.workRoot, "autolog-"))
    val prepared = root.flatMap { dir =>
      val schema = TrainingLog.signatureSchema(fit.dataset).orNull
      attempt("save the fitted model")(
        SparkFlavor.prepare(model.asInstanceOf[PipelineModel], dir.resolve(SparkFlavor.ModelData), schema, fit.dataset.sparkSession)
      )
    }
    upload("log the fitted model", () => root.foreach(Transfers.deleteTree))((log, _) =>
      // A model whose save failed here is not tried again there (its line is in the log already).
      fit.run.foreach(r => log.finish(r, p, model, fit.dataset, logModel = !isFold && root.forall(_ => prepared.isDefined), prepared = prepared))
    )
  }

  /** Posted by `SparkContext.stop()` in its own thread, before it stops the scheduler and the listener bus. */
  private def applicationEnded(): Unit = {
    synchronized {
      open.values.foreach(fit => upload("end a failed fit's run")((_, _) => fit.run.foreach(_.end("FAILED"))))
      groups.values.foreach(g => upload("end a search's run")((_, _) => g.run.foreach(_.end("FAILED"))))
      open.clear(); groups.clear()
    }
    uploads.shutdown()
    if (!uploads.awaitTermination(flushSeconds, TimeUnit.SECONDS))
      logWarning(
        s"MLflow autologging: gave up sending to the tracking server after ${flushSeconds}s at the application's end; some runs are incomplete"
      )
  }

  /** `body`'s value, or None after one warning line naming `what` (autologging stays on: the server was not at fault). */
  private def attempt[T](what: String)(body: => T): Option[T] =
    try Some(body)
    catch { case NonFatal(e) => logWarning(s"MLflow autologging: could not $what: ${TrainingLog.oneLine(e)}"); None }

  /**
   * Runs `body` on the upload thread with the log and the experiment id, then `cleanup` (also when
   * `body` is skipped); the first failure to reach the server turns autologging off.
   */
  private def upload(what: String, cleanup: () => Unit = () => ())(body: (TrainingLog, String) => Unit): Unit =
    try
      uploads.execute { () =>
        try {
          if (!disabled)
            try {
              val (log, exp) = target.getOrElse { val t = connect(); target = Some(t); t }
              body(log, exp)
            } catch {
              case e: Exception =>
                disabled = true
                logWarning(s"MLflow autologging is off for this application: could not $what on ${sys.env
                    .getOrElse("MLFLOW_TRACKING_URI", "(MLFLOW_TRACKING_URI not set)")}: ${TrainingLog.oneLine(e)}")
            }
        } finally cleanup()
      }
    catch { case _: RejectedExecutionException => cleanup() } // after the application's end

  private def connect(): (TrainingLog, String) = {
    val mlflow = Mlflow.fromEnv()
    val experimentId =
      try mlflow.experiments.getOrCreate(experimentName)
      catch {
        case e: Exception =>
          throw new IllegalArgumentException(s"experiment '$experimentName' (${MlflowAutolog.ExperimentConf}): ${TrainingLog.oneLine(e)}", e)
      }
    (new TrainingLog(mlflow, allowlist, m => logWarning(s"MLflow autologging: $m")), experimentId)
  }
}

object MlflowAutolog {
  val ExperimentConf = "spark.mlflow.experimentName"
}
