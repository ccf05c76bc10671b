package mlflowbridge

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path}

import org.scalatest.funsuite.AnyFunSuite

/** Every way a model URI can fail says what is wrong and names the URI. */
class ModelUriErrorsSuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow
  private val client = mlflow.client
  private lazy val spark = TestSpark.spark
  private lazy val expId = mlflow.experiments.getOrCreate(TestServer.uniqueName("uri-errors"))
  private lazy val runId = client.createRun(expId).getRunId

  /** Loads through `m` (Mlflow.local(): no tracking server, as the CLI without MLFLOW_TRACKING_URI). */
  private def fails(uri: String, m: Mlflow = mlflow): BridgeException =
    intercept[BridgeException](Models.loadPipeline(m, uri, spark))

  /** A model directory with the given MLmodel text, with or without sparkml/. */
  private def modelDir(mlmodel: String, withSparkml: Boolean = true): Path = {
    val d = TestSpark.tempDir("bad")
    Files.write(d.resolve("MLmodel"), mlmodel.getBytes(UTF_8))
    if (withSparkml) TestSpark.linearModel.write.save(d.resolve("sparkml").toString)
    d
  }

  test("a run that does not exist") {
    val e = fails("runs:/0123456789abcdef0123456789abcdef/model")
    assert(e.kind == BridgeException.Kind.NOT_FOUND)
    assert(e.getMessage == "model URI runs:/0123456789abcdef0123456789abcdef/model does not exist: run '0123456789abcdef0123456789abcdef' not found")
  }

  test("a run without that artifact") {
    val e = fails(s"runs:/$runId/nothing-here")
    assert(e.kind == BridgeException.Kind.NOT_FOUND)
    assert(e.getMessage == s"model URI runs:/$runId/nothing-here does not exist: run '$runId' has no artifact 'nothing-here'")
    assert(e.uri == s"runs:/$runId/nothing-here" && e.path == "nothing-here", (e.uri, e.path))
  }

  test("a registered model that does not exist, a missing version, a missing alias") {
    val ghost = TestServer.uniqueName("ghost")
    assert(fails(s"models:/$ghost/1").getMessage == s"model URI models:/$ghost/1 does not exist: registered model '$ghost' does not exist")
    val name = TestServer.uniqueName("noalias")
    mlflow.registry.createRegisteredModel(name)
    assert(fails(s"models:/$name/3").getMessage == s"model URI models:/$name/3 does not exist: registered model '$name' has no version 3")
    val e = fails(s"models:/$name@champion")
    assert(e.kind == BridgeException.Kind.NOT_FOUND)
    assert(e.getMessage == s"model URI models:/$name@champion does not exist: registered model '$name' has no alias 'champion'")
    assert(e.uri == s"models:/$name@champion" && e.httpStatus == 0, (e.uri, e.httpStatus))
    assert(fails(s"models:/$name/latest").getMessage == s"model URI models:/$name/latest does not exist: registered model '$name' has no versions")
  }

  test("a logged model id that does not exist") {
    assert(
      fails("models:/m-00000000000000000000000000000000").getMessage ==
        "model URI models:/m-00000000000000000000000000000000 does not exist: no logged model 'm-00000000000000000000000000000000'"
    )
  }

  test("an mlflow-artifacts location with nothing there") {
    val e = fails("mlflow-artifacts:/no/such/place")
    assert(e.kind == BridgeException.Kind.NOT_FOUND && e.getMessage == "model URI mlflow-artifacts:/no/such/place does not exist (no files there)")
  }

  test("a local directory that does not exist (no tracking server needed)") {
    val e = fails("/no/such/dir/model", Mlflow.local())
    assert(e.kind == BridgeException.Kind.NOT_FOUND && e.getMessage == "model URI /no/such/dir/model does not exist (no such local directory)")
    assert(e.uri == "/no/such/dir/model")
  }

  test("malformed and unsupported URIs") {
    assert(fails("").getMessage == "model URI must not be empty")
    assert(fails("models:/").kind == BridgeException.Kind.BAD_INPUT)
    assert(fails("gs://bucket/model").getMessage.startsWith("model URI gs://bucket/model has an unsupported scheme"))
    // s3:// is read natively (S3StoreSuite, tests/jvm/test_s3.py), through the Mlflow object that holds the S3 client.
    assert(
      fails(
        "s3://bucket/model",
        Mlflow.local()
      ).getMessage == "model URI s3://bucket/model needs a tracking server: set MLFLOW_TRACKING_URI or use Mlflow.forUri"
    )
    assert(
      fails("runs:/abc", Mlflow.local()).getMessage == "model URI runs:/abc needs a tracking server: set MLFLOW_TRACKING_URI or use Mlflow.forUri"
    )
  }

  test("corrupted MLmodel: not YAML") {
    val d = modelDir("flavors: [unclosed\n  spark: {model_data: sparkml\n")
    val e = fails(d.toString, Mlflow.local())
    assert(e.kind == BridgeException.Kind.BAD_INPUT)
    assert(e.getMessage.startsWith(s"MLmodel of $d is corrupted (not valid YAML):"), e.getMessage)
  }

  test("corrupted MLmodel: YAML but not a model") {
    assert(fails(modelDir("just a string\n").toString, Mlflow.local()).getMessage.contains("is corrupted: expected a YAML mapping, found String"))
    assert(
      fails(modelDir("artifact_path: model\n").toString, Mlflow.local()).getMessage
        .contains("is corrupted: it has no 'flavors' section (keys: artifact_path)")
    )
  }

  test("MLmodel without a spark flavor") {
    val d = modelDir("flavors:\n  python_function: {loader_module: mlflow.sklearn}\n  sklearn: {pickled_model: model.pkl}\n")
    assert(
      fails(
        d.toString,
        Mlflow.local()
      ).getMessage == s"MLmodel of $d has no 'spark' flavor (flavors: python_function, sklearn); it is not a Spark ML model"
    )
  }

  test("MLmodel present but sparkml/ missing") {
    val d = modelDir("flavors:\n  spark: {model_data: sparkml}\n", withSparkml = false)
    assert(fails(d.toString, Mlflow.local()).getMessage == s"model $d is incomplete: its MLmodel names Spark model data 'sparkml/', which is missing")
  }

  test("neither MLmodel nor sparkml/") {
    val d = TestSpark.tempDir("empty")
    assert(fails(d.toString, Mlflow.local()).getMessage == s"model $d has no MLmodel file and no Spark model: 'sparkml/' is missing")
  }

  test("what needs no server is checked before anything starts, in the Python command line's words") {
    def bad(uri: String, server: Boolean = false) = intercept[BridgeException](model.ModelUri.checkWithoutServer(uri, server)).getMessage
    assert(bad("runs:/") == "model URI runs:/ is not a proper runs:/ URI: use runs:/<run_id>/<path>")
    assert(bad("runs:/0123/../x") == "model URI runs:/0123/../x: path \"../x\" is not a safe relative path: it has a '.' or '..' segment")
    assert(bad("models:/wine@").startsWith("model URI models:/wine@ is not a proper models:/ URI"))
    assert(bad("models:/wine/1") == "model URI models:/wine/1 needs a tracking server: set MLFLOW_TRACKING_URI (a local model folder needs none)")
    assert(bad("ftp://host/model").startsWith("model URI ftp://host/model has an unsupported scheme"))
    assert(bad("/no/such/model") == "model URI /no/such/model does not exist (no such local directory)")
    model.ModelUri.checkWithoutServer("models:/wine@champion", true)
    model.ModelUri.checkWithoutServer(s"runs:/$runId/model", true)
  }

  test("Mlflow.local() has no tracking server and says so") {
    val local = Mlflow.local()
    assert(local.isLocal && local.trackingUri == null)
    val e = intercept[BridgeException](local.experiments.getOrCreate("x"))
    assert(
      e.kind == BridgeException.Kind.BAD_INPUT && e.getMessage.startsWith(
        "this call needs a tracking server, and this Mlflow has none (Mlflow.local())"
      )
    )
    assert(intercept[BridgeException](local.client).getMessage.startsWith("the stock client needs a tracking server"))
  }
}
