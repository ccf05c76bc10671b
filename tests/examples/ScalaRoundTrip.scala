package examples

import mlflowbridge.Mlflow
import org.apache.spark.ml.Pipeline
import org.apache.spark.ml.feature.VectorAssembler
import org.apache.spark.ml.regression.LinearRegression
import org.apache.spark.sql.SparkSession

/** The round trip from Scala with the entry object alone. Needs MLFLOW_TRACKING_URI. */
object ScalaRoundTrip {
  def main(args: Array[String]): Unit = {
    val spark = SparkSession.builder().master("local[2]").getOrCreate()
    val train = spark.range(1, 51).selectExpr("CAST(id AS DOUBLE) AS a", "CAST(id % 7 AS DOUBLE) AS b", "3.0 * id - id % 7 AS y")
    val assembler = new VectorAssembler().setInputCols(Array("a", "b")).setOutputCol("features")
    val model = new Pipeline().setStages(Array(assembler, new LinearRegression().setLabelCol("y"))).fit(train)

    val mlflow = Mlflow.fromEnv() // MLFLOW_TRACKING_URI and the MLFLOW_TRACKING_* credentials
    val experimentId = mlflow.experiments.getOrCreate("round-trip-scala")
    val info = mlflow.runs.withRun(experimentId, "train") { run => // FINISHED, or FAILED and rethrown
      run.logParam("maxIter", "100")
      run.logMetric("rows", train.count().toDouble)
      run.logModel(model, "model", train.limit(3), train.schema)
    }
    val version = mlflow.registry.register(info.modelUri, "round-trip-scala", "champion")
    val loaded = mlflow.models.loadWithSignature("models:/round-trip-scala@champion", spark) // the model and its signature
    val predictions = mlflow.models.score(loaded, train.drop("y").limit(3)).collect().map(_.getAs[Double]("prediction"))
    println(s"run_id=${info.runId} version=${version.getVersion} predictions=${predictions.mkString(",")}")
    mlflow.close()
  }
}
