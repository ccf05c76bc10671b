package mlflowbridge

import mlflowbridge.rest._
import mlflowbridge.model._

import java.nio.file.{Files, Path}

import scala.jdk.CollectionConverters._

import org.apache.spark.ml.PipelineModel
import org.scalatest.funsuite.AnyFunSuite

/** models.log writes what mlflow.spark.log_model writes; load reads it back from every URI form. */
class ModelsSuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow
  private val client = mlflow.client
  private lazy val spark = TestSpark.spark
  private lazy val expId = mlflow.experiments.getOrCreate(TestServer.uniqueName("spark-models"))
  private lazy val runId = client.createRun(expId).getRunId
  private lazy val expected = TestSpark.predictions(TestSpark.linearModel)
  private lazy val logged =
    mlflow.models.log(runId, TestSpark.linearModel, "model", TestSpark.linearData.select("a", "b").limit(2), TestSpark.linearData.schema)
  private lazy val modelUri = logged.modelUri
  private lazy val downloaded: Path = {
    require(modelUri.nonEmpty) // logged first, so each test can also run alone (-z)
    mlflow.artifacts.downloadRun(runId, "model", TestSpark.tempDir("logged"))
  }

  private def assertSame(m: PipelineModel): Unit = {
    val got = TestSpark.predictions(m)
    assert(
      expected.nonEmpty && got.length == expected.length && got.zip(expected).forall { case (x, y) => math.abs(x - y) < 1e-9 },
      s"$got != $expected"
    )
  }

  test("models.log returns runs:/<run>/<path> and uploads the spark flavor's files") {
    assert(modelUri == s"runs:/$runId/model")
    assert(logged.runId == runId && logged.artifactPath == "model" && logged.flavors.asScala == Seq("python_function", "spark"))
    assert(Json.mapper.readTree(logged.signatureInputs).get(0).get("name").asText() == "a" && logged.modelUuid.length == 32)
    assert(mlflow.models.info(modelUri).copy(modelUri = modelUri) == logged)
    val names = Files.list(downloaded).iterator().asScala.map(_.getFileName.toString).toSet
    assert(
      names == Set("MLmodel", "sparkml", "conda.yaml", "python_env.yaml", "requirements.txt", "input_example.json", "serving_input_example.json")
    )
    assert(Files.list(downloaded.resolve("sparkml/metadata")).iterator().asScala.exists(_.getFileName.toString.startsWith("part-")))
    assert(TestSpark.read(downloaded.resolve("requirements.txt")) == s"mlflow==${Pins.mlflowPython}\npyspark==${org.apache.spark.SPARK_VERSION}")
    assert(TestSpark.read(downloaded.resolve("python_env.yaml")).startsWith(s"python: ${Pins.pythonVersion}\nbuild_dependencies:"))
  }

  test("MLmodel has the keys and values mlflow.spark.save_model writes") {
    val mm = MlModelFile.read(downloaded, "logged")
    val d = mm.doc
    assert(d("artifact_path") == "model" && d("run_id") == runId && d("mlflow_version") == Pins.mlflowPython)
    assert(d("model_uuid").toString.matches("[0-9a-f]{32}"))
    assert(d("utc_time_created").toString.matches("""\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}"""))
    assert(d("model_size_bytes").toString.toLong > 1000)
    assert(d.contains("model_id") && d("model_id") == null && d.contains("prompts"))
    val spark = mm.flavors("spark").asInstanceOf[Map[String, Any]]
    assert(
      spark == Map(
        "code" -> null,
        "model_class" -> "pyspark.ml.pipeline.PipelineModel",
        "model_data" -> "sparkml",
        "pyspark_version" -> org.apache.spark.SPARK_VERSION
      )
    )
    val pyfunc = mm.flavors("python_function").asInstanceOf[Map[String, Any]]
    assert(pyfunc("loader_module") == "mlflow.spark" && pyfunc("data") == "sparkml" && pyfunc("python_version") == Pins.pythonVersion)
    assert(pyfunc("env") == Map("conda" -> "conda.yaml", "virtualenv" -> "python_env.yaml"))
    val sig = d("signature").asInstanceOf[Map[String, Any]]
    // Only the columns the pipeline reads: the label y is not an input.
    def json(text: Any) = Json.mapper.readTree(text.toString)
    assert(json(sig("inputs")) == json("""[{"type": "double", "name": "a", "required": true}, {"type": "double", "name": "b", "required": true}]"""))
    assert(json(sig("outputs")) == json("""[{"type": "double", "name": "prediction", "required": true}]"""))
    assert(
      d("saved_input_example_info") == Map(
        "artifact_path" -> "input_example.json",
        "pandas_orient" -> "split",
        "serving_input_path" -> "serving_input_example.json",
        "type" -> "dataframe"
      )
    )
    val example = json(TestSpark.read(downloaded.resolve("input_example.json")))
    assert(example == json("""{"columns": ["a", "b"], "data": [[1.0, 2.0], [2.0, 1.0]]}"""))
    assert(json(TestSpark.read(downloaded.resolve("serving_input_example.json"))) == json(s"""{"dataframe_split": $example}"""))
  }

  test("models.log records mlflow.log-model.history on the run, as Python does") {
    val tags = client.getRun(runId).getData.getTagsList.asScala.map(t => t.getKey -> t.getValue).toMap
    val history = Json.mapper.readTree(tags("mlflow.log-model.history"))
    assert(history.size() == 1)
    assert(history.get(0).path("artifact_path").asText() == "model")
    assert(history.get(0).path("flavors").has("spark"))
  }

  test("load: runs:/, mlflow-artifacts:/, a local directory and a file: URI give the same predictions") {
    assertSame(mlflow.models.load(modelUri, spark))
    assertSame(mlflow.models.load(ArtifactStore.join(mlflow.artifacts.runArtifactUri(runId), "model"), spark))
    assertSame(mlflow.models.load(downloaded.toString, spark))
    assertSame(mlflow.models.load(downloaded.toUri.toString, spark))
  }

  test("load: models:/<name>/<version> and models:/<name>@<alias>") {
    val name = TestServer.uniqueName("reg-load")
    val mv = mlflow.registry.register(modelUri, name, "champion")
    assert(mv.getVersion == "1" && mv.getRunId == runId && mv.getAliasesList.asScala == Seq("champion"))
    assertSame(mlflow.models.load(s"models:/$name/${mv.getVersion}", spark))
    assertSame(mlflow.models.load(s"models:/$name@champion", spark))
    assertSame(mlflow.models.load(s"models:/$name/latest", spark))
  }

  test("a loaded model keeps its MLmodel signature for checkInput") {
    val m = mlflow.models.load(modelUri, spark)
    assert(Models.signatureOf(m).map(_.map(_.name)) == Some(Seq("a", "b")))
    val expected = """[{"type": "double", "name": "a", "required": true}, {"type": "double", "name": "b", "required": true}]"""
    assert(Json.mapper.readTree(Models.signatureInputsJson(m)) == Json.mapper.readTree(expected))
    assert(Models.signatureInputsJson(TestSpark.linearModel) == null)
  }

  test("legacy layout (amesar/mlflow-examples): spark-model/sparkml as plain run artifacts, no MLmodel") {
    val legacyRun = client.createRun(expId).getRunId
    val dir = TestSpark.tempDir("legacy")
    TestSpark.linearModel.write.save(dir.resolve("sparkml").toString)
    mlflow.artifacts.logArtifacts(legacyRun, dir, "spark-model")
    assertSame(mlflow.models.load(s"runs:/$legacyRun/spark-model/sparkml", spark))
    assertSame(mlflow.models.load(s"runs:/$legacyRun/spark-model", spark))
    assertSame(mlflow.models.load(dir.toString, spark))
  }

  test("a bare model (not a pipeline) loads as a one-stage pipeline") {
    val dir = TestSpark.tempDir("bare")
    val lr = TestSpark.linearModel.stages(1)
    lr.asInstanceOf[org.apache.spark.ml.util.MLWritable].write.save(dir.resolve("sparkml").toString)
    val m = mlflow.models.load(dir.toString, spark)
    assert(m.stages.length == 1 && m.stages(0).uid == lr.uid)
  }

  test("MLflow 3 logged model layout: models:/<model_id>, runs:/<run>/<name> and a version whose source is models:/m-...") {
    val rest = mlflow.rest
    val run = client.createRun(expId).getRunId
    val created = rest
      .expect("create logged model")(rest.post("logged-models", Json.obj("experiment_id" -> expId, "name" -> "jvm_model", "source_run_id" -> run)))
      .path("model")
      .path("info")
    val modelId = created.path("model_id").asText()
    val artifactUri = created.path("artifact_uri").asText()
    assert(artifactUri.contains(s"models/$modelId/artifacts"), artifactUri)
    mlflow.artifacts.upload(downloaded, artifactUri)
    rest.expect("finalize")(rest.patch(s"logged-models/$modelId", Json.obj("model_id" -> modelId, "status" -> "LOGGED_MODEL_READY")))

    assertSame(mlflow.models.load(s"models:/$modelId", spark))
    assertSame(mlflow.models.load(s"runs:/$run/jvm_model", spark))
    val name = TestServer.uniqueName("reg-m")
    mlflow.registry.createRegisteredModel(name, false)
    val mv = mlflow.registry.createModelVersion(name, s"models:/$modelId", null)
    assertSame(mlflow.models.load(s"models:/$name/${mv.getVersion}", spark))
  }

  test("download copies a model directory for callers that load it elsewhere") {
    val dst = TestSpark.tempDir("download")
    val got = java.nio.file.Paths.get(mlflow.models.download(modelUri, dst.toString))
    assert(Files.isRegularFile(got.resolve("MLmodel")) && got.startsWith(dst))
  }
}
