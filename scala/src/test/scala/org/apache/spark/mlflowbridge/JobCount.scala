package org.apache.spark
package mlflowbridge

import java.util.concurrent.atomic.AtomicInteger

import org.apache.spark.scheduler.{SparkListener, SparkListenerJobStart}

/** How many Spark jobs a block started: a listener, and the listener bus drained (Spark-private) before counting. */
object JobCount {
  def of[T](sc: SparkContext)(block: => T): (T, Int) = {
    val jobs = new AtomicInteger()
    val listener = new SparkListener { override def onJobStart(e: SparkListenerJobStart): Unit = jobs.incrementAndGet() }
    sc.listenerBus.waitUntilEmpty()
    sc.addSparkListener(listener)
    try {
      val result = block
      sc.listenerBus.waitUntilEmpty()
      (result, jobs.get())
    } finally sc.removeSparkListener(listener)
  }
}
