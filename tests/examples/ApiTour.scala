package examples

import mlflowbridge.{ActiveRun, DatasetSource, LoggedModel, Mlflow}
import org.apache.spark.ml.PipelineModel
import org.apache.spark.sql.{DataFrame, SparkSession}

/**
 * The Scala blocks of docs/api.md and docs/scoring.md: each is the region between `docs:start`
 * and `docs:end` below, shown as it is (tests/test_docs.py). ExamplesSuite runs each of them.
 */
object ApiTour {

  /** Files, tables and datasets that Python reads as its own; a model's MLmodel and input example. */
  def filesAndDatasets(
      mlflow: Mlflow,
      spark: SparkSession,
      experimentId: String,
      model: PipelineModel,
      train: DataFrame,
      residualsPng: String,
      modelUri: String
  ): DataFrame = {
    // docs:start files
    mlflow.runs.withRun(experimentId, "evaluate") { run =>
      run.logDict(java.util.Map.of[String, AnyRef]("maxIter", Int.box(100), "features", java.util.List.of("a", "b")), "config/params.json")
      run.logTable(model.transform(train).select("a", "prediction"), "eval/predictions.json") // mlflow.load_table(...)
      run.logImage(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(residualsPng)), "plots/residuals.png")
      run.logInput(train, DatasetSource.path("s3://bucket/train"), "train", "training") // mlflow.get_run(id).inputs
    }
    val info = mlflow.models.info(modelUri) // flavors, signature, run id, uuid, time created
    val example = info.inputExampleFrame(spark) // the saved input example, typed by the signature
    // docs:end files
    example
  }

  /** MLflow 3 logged models. */
  def loggedModels(
      mlflow: Mlflow,
      experimentId: String,
      run: ActiveRun,
      params: java.util.Map[String, String],
      tags: java.util.Map[String, String],
      weightsDir: String
  ): java.util.List[LoggedModel] = {
    // docs:start logged-models
    val m = mlflow.loggedModels.create(experimentId, "scorer", run.runId, "spark", params, tags) // PENDING
    mlflow.loggedModels.logMetric(m.modelId, run.runId, "rmse", 0.25, 0L) // a run metric linked to the model
    mlflow.loggedModels.logArtifacts(m.modelId, weightsDir, null) // mlflow-artifacts: or s3:// roots
    mlflow.loggedModels.finalizeModel(m.modelId, "READY")
    mlflow.loggedModels.search(java.util.List.of(experimentId), "metrics.rmse < 1")
    // docs:end logged-models
  }

  /** OpenTelemetry spans that become MLflow traces. */
  def tracing(mlflow: Mlflow, run: ActiveRun, loadModel: () => PipelineModel): Unit = {
    // docs:start tracing
    val tracer = mlflow.tracing.tracer(run) // or tracer(experimentId)
    tracer.traced("predict") { span => // ends the span; ERROR + the exception, rethrown
      span.setAttribute("rows", 3L)
      tracer.traced("load") { _ => loadModel() } // a child: OpenTelemetry's current span
    }
    tracer.tracer.spanBuilder("raw").startSpan().end() // or the OpenTelemetry API itself (tracer.openTelemetry)
    mlflow.tracing.flush() // Mlflow.close flushes too
    // docs:end tracing
  }

  /** An ONNX model (logged by Python, or on the JVM as ExamplesSuite does) scored on the JVM. */
  def onnx(mlflow: Mlflow, onnxUri: String, row: java.util.Map[String, Object], df: DataFrame): DataFrame = {
    // docs:start onnx
    val model = mlflow.models.loadOnnx(onnxUri)
    model.predict(row) // row: a java.util.Map of column -> value; gives output name -> value
    model.transform(df) // df + output_label, output_probability: ONNX Runtime inside the executors
    // docs:end onnx
  }
}
