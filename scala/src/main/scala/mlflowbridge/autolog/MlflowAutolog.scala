package mlflowbridge.autolog

import mlflowbridge.{ActiveRun, Mlflow}

import java.util.concurrent.{ExecutorService, Executors, TimeUnit}

import scala.collection.mutable

import org.apache.spark.SparkConf
import org.apache.spark.internal.Logging
import org.apache.spark.ml.{FitEnd, FitStart, Pipeline, Transformer}
import org.apache.spark.ml.mlflowbridge.{AutologScope, AutologAccess}
import org.apache.spark.scheduler.{SparkListener, SparkListenerApplicationEnd, SparkListenerEvent}
import org.apache.spark.sql.Dataset

/**
 * Zero-code autologging: `spark-submit --conf spark.extraListeners=mlflowbridge.autolog.MlflowAutolog`
 * logs each outermost Pipeline fit of an unchanged program as Python's `mlflow.pyspark.ml.autolog()`
 * logs it, into the experiment `spark.mlflow.experimentName` (default: the application's name) on
 * the server MLFLOW_TRACKING_URI names (credentials from MLFLOW_TRACKING_*).
 *
 * It never gets in the job's way: the listener thread only records events; runs, params and model
 * uploads go through one thread of its own, in order. A server that is down or refuses the
 * experiment costs one warning line and turns autologging off for the application; at the
 * application's end what was queued is sent (waiting at most `spark.mlflow.autolog.flushTimeoutSeconds`,
 * default 300) and a fit that never ended (it threw) ends its run FAILED.
 *
 * CrossValidator's fold fits (Pipelines fitted on a k-fold split) become child runs of one run
 * for the search, which the refit on the whole data completes; fits inside [[Autolog.fit]] are
 * left to that call, which sees the tuning structure these events lack.
 */
class MlflowAutolog(conf: SparkConf) extends SparkListener with Logging {

  private val experimentName = conf.get(MlflowAutolog.ExperimentConf, conf.get("spark.app.name", "Default"))
  private val flushSeconds = conf.getLong("spark.mlflow.autolog.flushTimeoutSeconds", 300L)
  private val allowlistFile = conf.getOption(ModelAllowlist.ConfKey)

  private val uploads: ExecutorService = Executors.newSingleThreadExecutor { (r: Runnable) =>
    val t = new Thread(r, "mlflow-autolog")
    t.setDaemon(true)
    t
  }

  /** A fit being logged; `run` is set on the upload thread (None when its start failed). */
  private final class Fit(val pipeline: Pipeline, val dataset: Dataset[_], val group: Option[Group]) { @volatile var run: Option[ActiveRun] = None }

  /** A CrossValidator seen through its fold fits: one run, keyed by the tuned Pipeline's uid (its copies keep it). */
  private final class Group(val uid: String) { @volatile var run: Option[ActiveRun] = None }

  // Listener-thread state (the bus calls a listener from one thread).
  private val open = mutable.LinkedHashMap.empty[Pipeline, Fit] // by identity: Pipeline has no equals
  private val groups = mutable.LinkedHashMap.empty[String, Group]
  private var explicitScopes = 0

  // Upload-thread state.
  @volatile private var disabled = false
  private var target: Option[(TrainingLog, String)] = None

  override def onOtherEvent(event: SparkListenerEvent): Unit = event match {
    case AutologScope(started)       => explicitScopes = math.max(0, explicitScopes + (if (started) 1 else -1))
    case e: FitStart[_] if !disabled => e.estimator match { case p: Pipeline => fitStarted(p, e.dataset); case _ => }
    case e: FitEnd[_] if !disabled   => e.estimator match { case p: Pipeline => fitEnded(p, e.model); case _ => }
    case _                           =>
  }

  private def fitStarted(p: Pipeline, dataset: Dataset[_]): Unit = {
    if (explicitScopes > 0 || open.keys.exists(o => PyNames.traverse(o).drop(1).exists(_ eq p))) return // inside a call or an outer Pipeline
    val fold = scala.util.Try(AutologAccess.isKFoldSplit(dataset)).getOrElse(false)
    if (fold) {
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
    } else {
      val group = groups.remove(p.uid) // the refit on the whole data completes the search's run
      val fit = new Fit(p, dataset, group)
      open.put(p, fit)
      upload("start a run")((log, exp) =>
        fit.run = group match {
          case Some(g) => g.run.map(r => { log.describe(r, p, dataset); r })
          case None    => Some(log.start(exp, p, dataset, null))
        }
      )
    }
  }

  private def fitEnded(p: Pipeline, model: Transformer): Unit = open.remove(p).foreach { fit =>
    val isFold = fit.group.exists(g => groups.get(g.uid).exists(_ eq g))
    upload("log the fitted model")((log, _) => fit.run.foreach(r => log.finish(r, p, model, fit.dataset, logModel = !isFold)))
  }

  override def onApplicationEnd(end: SparkListenerApplicationEnd): Unit = {
    open.values.foreach(fit => upload("end a failed fit's run")((_, _) => fit.run.foreach(_.end("FAILED"))))
    groups.values.foreach(g => upload("end a search's run")((_, _) => g.run.foreach(_.end("FAILED"))))
    open.clear(); groups.clear()
    uploads.shutdown()
    if (!uploads.awaitTermination(flushSeconds, TimeUnit.SECONDS))
      logWarning(
        s"MLflow autologging: gave up sending to the tracking server after ${flushSeconds}s at the application's end; some runs are incomplete"
      )
  }

  /** Runs `body` on the upload thread with the log and the experiment id; the first failure to reach the server turns autologging off. */
  private def upload(what: String)(body: (TrainingLog, String) => Unit): Unit =
    if (!uploads.isShutdown) uploads.execute { () =>
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
    }

  private def connect(): (TrainingLog, String) = {
    val mlflow = Mlflow.fromEnv()
    val experimentId =
      try mlflow.experiments.getOrCreate(experimentName)
      catch {
        case e: Exception =>
          throw new IllegalArgumentException(s"experiment '$experimentName' (${MlflowAutolog.ExperimentConf}): ${TrainingLog.oneLine(e)}", e)
      }
    (new TrainingLog(mlflow, ModelAllowlist.fromConf(allowlistFile, logWarning(_)), m => logWarning(s"MLflow autologging: $m")), experimentId)
  }
}

object MlflowAutolog {
  val ExperimentConf = "spark.mlflow.experimentName"
}
