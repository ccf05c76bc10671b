package org.apache.spark.scheduler
package mlflowbridge

import scala.util.control.NonFatal

import org.apache.spark.{SparkConf, SparkContext}

/**
 * Hands listener-bus events to a handler in the thread that posts them, before `post` returns.
 * Spark delivers listener events later, on a queue thread; JVM autologging needs a fitted
 * Pipeline while the fitting thread still waits, because `SparkContext.stop()` refuses Spark jobs
 * (a model's save) from its first line on, before any listener hears of the application's end.
 * Lives in Spark's package to extend its private queue class; the bus's queue list is private,
 * so it is reached by reflection (Spark is pinned; a change fails [[install]], never a job).
 */
object InlineEvents {

  /**
   * Adds `handler` to the listener bus of the SparkContext being constructed (a
   * `spark.extraListeners` listener is constructed then), else of the active one. `handler`
   * runs in every posting thread (the DAG scheduler's included): it must return at once for
   * events it does not want. What it throws is logged, never passed to the poster.
   */
  def install(handler: SparkListenerEvent => Unit): Unit = {
    val sc = constructing().orElse(SparkContext.getActive).getOrElse(throw new IllegalStateException("no SparkContext is running"))
    val bus = sc.listenerBus
    val queue = new InlineQueue(bus, sc.conf, handler)
    bus.synchronized {
      val queues = classOf[LiveListenerBus].getDeclaredMethod("queues")
      queues.setAccessible(true)
      queues.invoke(bus).asInstanceOf[java.util.List[AsyncEventQueue]].add(queue)
      // The bus starts the queues it holds when it starts; one added later starts here.
      if (bus.queuedEvents == null) queue.start(sc)
    }
  }

  private def constructing(): Option[SparkContext] = {
    val m = SparkContext.getClass.getDeclaredMethod("contextBeingConstructed")
    m.setAccessible(true)
    m.invoke(SparkContext).asInstanceOf[Option[SparkContext]]
  }
}

/** A queue whose `post` calls the handler; its (idle) dispatch thread only lets the bus start and stop it as any queue. */
private[scheduler] final class InlineQueue(bus: LiveListenerBus, conf: SparkConf, handler: SparkListenerEvent => Unit)
    extends AsyncEventQueue("mlflowAutologInline", conf, bus.metrics, bus) {

  // LiveListenerBus.removeListener drops a queue left without listeners.
  addListener(new SparkListener {})

  override def post(event: SparkListenerEvent): Unit =
    try handler(event)
    catch { case NonFatal(e) => logWarning(s"MLflow autologging: ${e.getClass.getSimpleName}: ${e.getMessage}") }
}
