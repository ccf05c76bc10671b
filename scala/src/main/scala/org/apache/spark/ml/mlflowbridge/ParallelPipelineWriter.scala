package org.apache.spark.ml
package mlflowbridge

import java.util.concurrent.Executors

import scala.concurrent.{Await, ExecutionContext, Future}
import scala.concurrent.duration.Duration

import org.apache.hadoop.fs.Path
import org.apache.spark.ml.util.{DefaultParamsWriter, MLWritable}
import org.apache.spark.sql.SparkSession
import org.json4s.JsonDSL._
import org.json4s.jackson.JsonMethods.{compact, parse, render}

/**
 * `PipelineModel.write.save` with the stages written concurrently. Each file is still written by
 * Spark's own writers (the same `DefaultParamsWriter.saveMetadata` call and per-stage `MLWriter`s
 * as `Pipeline.SharedReadWrite.saveImpl`), so the layout and bytes match a sequential save; only
 * the small per-stage Spark jobs overlap, which is most of the time a save takes. Lives in
 * Spark's package to reach `private[ml]` `SharedReadWrite`.
 */
object ParallelPipelineWriter {
  def save(model: PipelineModel, path: String, spark: SparkSession, threads: Int = 4): Unit = {
    val stages = model.stages.map(s => s: PipelineStage)
    Pipeline.SharedReadWrite.validateStages(stages)
    val stageUids = stages.map(_.uid).toSeq
    val paramMap = List("stageUids" -> parse(compact(render(stageUids))))
    DefaultParamsWriter.saveMetadata(model, path, spark, None, Some(paramMap))
    val stagesDir = new Path(path, "stages").toString
    val pool = Executors.newFixedThreadPool(math.max(1, math.min(threads, stages.length)))
    implicit val ec: ExecutionContext = ExecutionContext.fromExecutorService(pool)
    try {
      val writes = stages.zipWithIndex.toSeq.map { case (stage, idx) =>
        Future {
          val stagePath = Pipeline.SharedReadWrite.getStagePath(stage.uid, idx, stages.length, stagesDir)
          stage.asInstanceOf[MLWritable].write.session(spark).save(stagePath)
        }
      }
      Await.result(Future.sequence(writes), Duration.Inf)
    } finally pool.shutdown()
  }
}
