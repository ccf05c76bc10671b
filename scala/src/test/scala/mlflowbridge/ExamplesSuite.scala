package mlflowbridge

import scala.jdk.CollectionConverters._

import org.scalatest.funsuite.AnyFunSuite

/** The Scala examples of README.md (tests/examples/ScalaRoundTrip.scala) and docs/api.md (ApiTour.scala) run, and did what they say. */
class ExamplesSuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow

  test("ScalaRoundTrip: experiment, run scope, model, alias, load and score, with the entry object only") {
    val out = new java.io.ByteArrayOutputStream()
    Console.withOut(out)(examples.ScalaRoundTrip.main(Array.empty))
    val line = out.toString.linesIterator.find(_.startsWith("run_id=")).getOrElse(fail(s"no result line in: $out"))
    val fields = line.split(" ").map(_.split("=", 2)).map(a => a(0) -> a(1)).toMap
    val run = mlflow.runs.get(fields("run_id"))
    assert(run.getInfo.getStatus.toString == "FINISHED" && run.getInfo.getRunName == "train")
    assert(run.getData.getParamsList.asScala.map(p => p.getKey -> p.getValue) == Seq("maxIter" -> "100"))
    assert(run.getData.getMetricsList.asScala.map(m => m.getKey -> m.getValue) == Seq("rows" -> 50.0))
    val champion = mlflow.registry.getModelVersionByAlias("round-trip-scala", "champion")
    assert(champion.getVersion == fields("version") && champion.getRunId == fields("run_id"))
    // y = 3a - b exactly, so the fit predicts the first rows (a = 1, 2, 3; b = a) within 1e-6.
    val predictions = fields("predictions").split(",").map(_.toDouble).toSeq
    assert(predictions.length == 3 && predictions.zip(Seq(2.0, 4.0, 6.0)).forall { case (p, want) => math.abs(p - want) < 1e-6 }, predictions)
  }

  test("ApiTour: files, datasets, model info, logged models and traces, as docs/api.md shows them") {
    val spark = TestSpark.spark
    val train = TestSpark.linearData
    val experimentId = mlflow.experiments.getOrCreate(TestServer.uniqueName("api-tour"))
    val png = TestSpark.tempDir("api-tour").resolve("residuals.png")
    javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", png.toFile)
    val info = mlflow.runs.withRun(experimentId, "model")(_.logModel(TestSpark.linearModel, "model", train.limit(2), train.schema))
    val example = examples.ApiTour.filesAndDatasets(mlflow, spark, experimentId, TestSpark.linearModel, train, png.toString, info.modelUri)
    assert(example.count() == 2 && example.columns.toSeq == Seq("a", "b", "y"))
    val evaluateId = mlflow.client.searchRuns(java.util.List.of(experimentId), "attributes.run_name = 'evaluate'").asScala.head.getRunId
    val evaluate = mlflow.runs.get(evaluateId)
    val listing = mlflow.rest.send("GET", s"${mlflow.trackingUri}/api/2.0/mlflow/artifacts/list?run_id=$evaluateId", None)
    val files = listing.json.path("files").elements().asScala.map(_.path("path").asText()).toSet
    assert(files == Set("config", "eval", "plots"), files)
    assert(evaluate.getInputs.getDatasetInputsList.asScala.map(_.getDataset.getName).toSeq == Seq("train"))

    val weights = TestSpark.tempDir("api-tour-weights")
    java.nio.file.Files.writeString(weights.resolve("w.bin"), "0.25")
    val found = mlflow.runs.withRun(experimentId, "scorer") { run =>
      examples.ApiTour.loggedModels(mlflow, experimentId, run, java.util.Map.of("alpha", "0.1"), java.util.Map.of("team", "a"), weights.toString)
    }
    assert(found.asScala.map(m => (m.name, m.status)).toSeq == Seq("scorer" -> "LOGGED_MODEL_READY"))

    var loaded = 0
    mlflow.runs.withRun(experimentId, "traced")(run => examples.ApiTour.tracing(mlflow, run, () => { loaded += 1; TestSpark.linearModel }))
    assert(loaded == 1)
  }

  test("ApiTour: an ONNX model scored on the JVM by row and by DataFrame, as docs/scoring.md shows it") {
    // A linear ONNX graph (y = 1 + 2a + 3b) made and logged on the JVM stands in for Python's.
    val train = TestSpark.linearData
    val lr = TestSpark.linearModel.stages.last.asInstanceOf[org.apache.spark.ml.regression.LinearRegressionModel]
    val features = train.select("a", "b")
    val experimentId = mlflow.experiments.getOrCreate(TestServer.uniqueName("api-tour-onnx"))
    val info = mlflow.runs.withRun(experimentId, "onnx")(run =>
      mlflow.models.logOnnx(run.runId, onnx.OnnxGraph.linear(lr), "model", features.limit(2), features.schema)
    )
    val row = java.util.Map.of[String, Object]("a", Double.box(1.0), "b", Double.box(2.0))
    val scored = examples.ApiTour.onnx(mlflow, info.modelUri, row, features)
    val got = scored.select("prediction").collect().map(_.get(0).asInstanceOf[Number].doubleValue()).toSeq
    assert(got.zip(TestSpark.predictions(TestSpark.linearModel)).forall { case (o, s) => math.abs(o - s) < 1e-9 }, got)
  }
}
