package org.apache.spark.ml
package mlflowbridge

import org.apache.spark.SparkContext
import org.apache.spark.rdd.RDD
import org.apache.spark.scheduler.SparkListenerEvent
import org.apache.spark.sql.Dataset
import org.apache.spark.sql.execution.LogicalRDD

/** The private[spark] calls JVM autologging needs: its own markers on the listener bus, spotting a CrossValidator fold, a model without sub-models. */
object AutologAccess {

  /** Posts `event` to the application's listener bus, in order with the ML events the same thread posts next. */
  def post(sc: SparkContext, event: SparkListenerEvent): Unit = sc.listenerBus.post(event)

  /**
   * Whether `df` is one of CrossValidator's folds: a DataFrame made from an RDD that
   * `MLUtils.kFold` sampled (a PartitionwiseSampledRDD; DataFrame sampling is a plan node instead).
   */
  def isKFoldSplit(df: Dataset[_]): Boolean =
    df.queryExecution.analyzed.collectFirst { case r: LogicalRDD => r.rdd }.exists(sampled)

  /** The model without the sub-models kept only to compute fold metrics (so it saves as the caller's CrossValidator would). */
  def withoutSubModels(m: tuning.CrossValidatorModel): tuning.CrossValidatorModel = {
    val copy = m.copy(param.ParamMap.empty)
    // setSubModels(Option) is private[tuning] in Scala (public in bytecode); Option-less is what CrossValidator itself returns.
    classOf[tuning.CrossValidatorModel].getMethod("setSubModels", classOf[Option[_]]).invoke(copy, None)
    copy
  }

  private def sampled(rdd: RDD[_]): Boolean =
    rdd.isInstanceOf[org.apache.spark.rdd.PartitionwiseSampledRDD[_, _]] || rdd.dependencies.exists(d => sampled(d.rdd))
}

/** Posted around `mlflowbridge.autolog.Autolog.fit` so the autologging listener leaves the fits inside to that call. */
final case class AutologScope(start: Boolean) extends SparkListenerEvent {
  override protected[spark] def logEvent: Boolean = false
}
