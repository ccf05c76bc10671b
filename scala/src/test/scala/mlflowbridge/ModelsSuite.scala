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
    mlflow.artifacts.download(runId, "model", TestSpark.tempDir("logged"))
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
    assert(mm.artifactPath.contains("model") && mm.runId.contains(runId) && mm.mlflowVersion.contains(Pins.mlflowPython))
    assert(mm.modelUuid.exists(_.matches("[0-9a-f]{32}")))
    assert(mm.utcTimeCreated.exists(_.matches("""\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}""")))
    assert(mm.modelSizeBytes.exists(_ > 1000))
    assert(mm.extra.get("model_id").exists(_.isNull) && mm.extra.contains("prompts"))
    val spark = mm.flavors("spark").conf
    assert(
      spark == Json.node(
        Map(
          "code" -> null,
          "model_class" -> "pyspark.ml.pipeline.PipelineModel",
          "model_data" -> "sparkml",
          "pyspark_version" -> org.apache.spark.SPARK_VERSION
        )
      )
    )
    val pyfunc = mm.flavors("python_function")
    assert(
      pyfunc.string("loader_module").contains("mlflow.spark") && pyfunc.string("data").contains("sparkml") &&
        pyfunc.string("python_version").contains(Pins.pythonVersion)
    )
    assert(pyfunc.strings("env") == Map("conda" -> "conda.yaml", "virtualenv" -> "python_env.yaml"))
    val sig = mm.signature.get
    // Only the columns the pipeline reads: the label y is not an input.
    def json(text: Option[String]) = Json.mapper.readTree(text.get)
    assert(
      json(sig.inputsJson) == json(Some("""[{"type": "double", "name": "a", "required": true}, {"type": "double", "name": "b", "required": true}]"""))
    )
    assert(json(sig.outputsJson) == json(Some("""[{"type": "double", "name": "prediction", "required": true}]""")))
    assert(
      mm.inputExample.contains(
        InputExampleInfo(Some("input_example.json"), Some("dataframe"), Some("split"), Some("serving_input_example.json"))
      )
    )
    val example = json(Some(TestSpark.read(downloaded.resolve("input_example.json"))))
    assert(example == json(Some("""{"columns": ["a", "b"], "data": [[1.0, 2.0], [2.0, 1.0]]}""")))
    assert(json(Some(TestSpark.read(downloaded.resolve("serving_input_example.json")))) == json(Some(s"""{"dataframe_split": $example}""")))
  }

  test("an MLmodel read and written again keeps every key, the ones it does not type too") {
    val text = TestSpark.read(downloaded.resolve("MLmodel"))
    val extra = text + "some_future_key:\n  nested: 1\n"
    val again = MlModelFile.render(MlModelFile.parse(extra, "round trip"))
    assert(again == MlModelFile.render(MlModelFile.parse(again, "round trip")))
    assert(again.contains("some_future_key:\n  nested: 1\n"))
    assert(MlModelFile.render(MlModelFile.read(downloaded, "logged")) == text)
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
    assertSame(mlflow.models.load(mlflowbridge.store.ArtifactUris.join(mlflow.artifacts.runArtifactUri(runId), "model"), spark))
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

  test("a model loaded with its signature keeps the MLmodel signature for score") {
    val m = mlflow.models.loadWithSignature(modelUri, spark)
    assert(m.signature.map(_.map(_.name)) == Some(Seq("a", "b")))
    val expected = """[{"type": "double", "name": "a", "required": true}, {"type": "double", "name": "b", "required": true}]"""
    assert(Json.mapper.readTree(m.signatureInputsJson) == Json.mapper.readTree(expected))
    val legacy = TestSpark.tempDir("unsigned")
    TestSpark.linearModel.write.save(legacy.resolve("sparkml").toString)
    assert(mlflow.models.loadWithSignature(legacy.toString, spark).signatureInputsJson == null)
    // The signature, not only the stages, checks the input: a string where it says double.
    val e = intercept[BridgeException](mlflow.models.score(m, spark.sql("SELECT 'x' AS a, 2.0 AS b")))
    assert(e.kind == BridgeException.Kind.BAD_INPUT && e.column == "a", e.getMessage)
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
