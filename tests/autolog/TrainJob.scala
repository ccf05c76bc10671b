package com.acme.train

// A team's training program with no MLflow code: run under
// `spark-submit --conf spark.extraListeners=mlflowbridge.autolog.MlflowAutolog`, its Pipeline fits are logged.

import org.apache.spark.ml.Pipeline
import org.apache.spark.ml.classification.LogisticRegression
import org.apache.spark.ml.evaluation.RegressionEvaluator
import org.apache.spark.ml.feature.{PCA, StandardScaler, StringIndexer, VectorAssembler}
import org.apache.spark.ml.regression.LinearRegression
import org.apache.spark.ml.tuning.{CrossValidator, ParamGridBuilder}
import org.apache.spark.sql.SparkSession

object TrainJob {

  def regression: Pipeline = new Pipeline().setStages(
    Array(new VectorAssembler().setInputCols(Array("x1", "x2", "x3")).setOutputCol("features"), new LinearRegression().setMaxIter(20))
  )

  def classifier: Pipeline = new Pipeline().setStages(
    Array(
      new StringIndexer().setInputCol("species").setOutputCol("label"),
      new VectorAssembler().setInputCols(Array("x1", "x2")).setOutputCol("raw"),
      new StandardScaler().setInputCol("raw").setOutputCol("features"),
      new LogisticRegression().setMaxIter(20)
    )
  )

  def main(args: Array[String]): Unit = {
    val Array(mode, regressionData, classifierData) = args
    val spark = SparkSession.builder().getOrCreate()
    val reg = spark.read.parquet(regressionData)
    val cls = spark.read.parquet(classifierData)
    mode match {
      case "train" =>
        regression.fit(reg)
        classifier.fit(cls)
        // A Pipeline inside a Pipeline: one run. PCAModel is not on MLflow's model allowlist: no model.
        new Pipeline()
          .setStages(Array(new Pipeline().setStages(Array(new VectorAssembler().setInputCols(Array("x1", "x2", "x3")).setOutputCol("v"))), new PCA().setInputCol("v").setOutputCol("pc").setK(2)))
          .fit(reg)
        // The last fit, right before spark.stop(): its model is logged all the same.
        val lr = new LinearRegression().setMaxIter(10)
        val tuned = new Pipeline().setStages(Array(new VectorAssembler().setInputCols(Array("x1", "x2", "x3")).setOutputCol("features"), lr))
        new CrossValidator()
          .setEstimator(tuned)
          .setEvaluator(new RegressionEvaluator())
          .setEstimatorParamMaps(new ParamGridBuilder().addGrid(lr.regParam, Array(0.0, 0.5)).build())
          .setNumFolds(2)
          .setSeed(7L)
          .fit(reg)
      case "one" =>
        regression.fit(reg)
      case "fail" =>
        new Pipeline().setStages(Array(new StringIndexer().setInputCol("no_such_column").setOutputCol("i"))).fit(cls)
    }
    spark.stop()
  }
}
