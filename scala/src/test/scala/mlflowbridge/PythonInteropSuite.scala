package mlflowbridge

import mlflowbridge.rest._

import java.nio.charset.StandardCharsets.UTF_8
import java.nio.file.{Files, Path, Paths}

import org.scalatest.funsuite.AnyFunSuite

/**
 * Both directions against stock Python MLflow, in one (slow) Python process: it loads the
 * JVM-logged model with mlflow.pyfunc and mlflow.spark, logs and registers a model with
 * mlflow.spark.log_model, and saves a pipeline with a pure-Python stage. Scala then loads those.
 */
class PythonInteropSuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow
  private val client = mlflow.client
  private lazy val spark = TestSpark.spark
  private lazy val expName = TestServer.uniqueName("interop")
  private lazy val expId = mlflow.experiments.getOrCreate(expName)
  private lazy val registered = TestServer.uniqueName("py-model")
  private lazy val pyStageDir: Path = TestSpark.tempDir("pystage").resolve("model")

  private lazy val jvmUri: String = {
    val runId = client.createRun(expId).getRunId
    mlflow.models.log(runId, TestSpark.linearModel, "model", TestSpark.linearData.select("a", "b").limit(2), TestSpark.linearData.schema).modelUri
  }

  private val script =
    """import json, sys
      |import mlflow, mlflow.pyfunc, mlflow.spark, pandas as pd
      |from pyspark.sql import SparkSession
      |from pyspark.ml import Pipeline, PipelineModel, Transformer
      |from pyspark.ml.feature import VectorAssembler
      |from pyspark.ml.regression import LinearRegression
      |from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
      |jvm_uri, exp_name, reg_name, pystage_dir, requirements = sys.argv[1:6]
      |spark = (SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
      |         .config("spark.driver.host", "127.0.0.1").getOrCreate())
      |pdf = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]})
      |print("PYFUNC=" + json.dumps([float(x) for x in mlflow.pyfunc.load_model(jvm_uri).predict(pdf)]), flush=True)
      |sm = mlflow.spark.load_model(jvm_uri)
      |print("SPARK=" + json.dumps([r.prediction for r in sm.transform(spark.createDataFrame(pdf)).collect()]), flush=True)
      |df = spark.createDataFrame([(1.0, 2.0, 9.0), (2.0, 1.0, 8.0), (3.0, 5.0, 22.0), (4.0, 2.0, 15.0)], ["a", "b", "y"])
      |model = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="features"), LinearRegression(labelCol="y")]).fit(df)
      |mlflow.set_experiment(exp_name)
      |with mlflow.start_run() as run:
      |    # Requirements given: else mlflow infers them by loading the model in a second Spark (20-30 s).
      |    mlflow.spark.log_model(model, artifact_path="model", registered_model_name=reg_name, pip_requirements=requirements.split(","))
      |print("PY_RUN=" + run.info.run_id, flush=True)
      |print("PY_PRED=" + json.dumps([r.prediction for r in model.transform(df).collect()]), flush=True)
      |class AddOne(Transformer, DefaultParamsReadable, DefaultParamsWritable):
      |    def _transform(self, d):
      |        return d.withColumn("prediction", d["prediction"] + 1)
      |add = AddOne()
      |PipelineModel(stages=model.stages + [add]).write().save(pystage_dir)
      |print("ADDONE=" + add.uid, flush=True)
      |""".stripMargin

  private lazy val pyOut: Map[String, String] = {
    val python = sys.env
      .get("MLFLOW_PYTHON_EXECUTABLE")
      .orElse(Seq("../.venv/bin/python", ".venv/bin/python").find(p => Files.isExecutable(Paths.get(p))))
      .getOrElse("python3")
    val scriptFile = Files.createTempFile("interop", ".py")
    Files.write(scriptFile, script.getBytes(UTF_8))
    val pb = new ProcessBuilder(
      python,
      scriptFile.toString,
      jvmUri,
      expName,
      registered,
      pyStageDir.toString,
      s"mlflow==${Pins.mlflowPython},pyspark==${Pins.spark}"
    )
      .redirectErrorStream(true)
    pb.environment().put("MLFLOW_TRACKING_URI", TestServer.uri)
    val t0 = System.nanoTime()
    val p = pb.start()
    val text = new String(p.getInputStream.readAllBytes(), UTF_8)
    val code = p.waitFor()
    info(f"python took ${(System.nanoTime() - t0) / 1e9}%.1f s")
    assert(code == 0, s"python failed ($code):\n${text.linesIterator.toSeq.takeRight(40).mkString("\n")}")
    text.linesIterator
      .filter(l => l.matches("^[A-Z_]+=.*"))
      .map { l =>
        val Array(k, v) = l.split("=", 2); k -> v
      }
      .toMap
  }

  private def doubles(json: String): Seq[Double] = {
    val n = Json.mapper.readTree(json)
    (0 until n.size()).map(n.get(_).asDouble())
  }

  test("stock Python mlflow.pyfunc and mlflow.spark load the JVM-logged model and predict y = 1 + 2a + 3b") {
    assert(
      doubles(pyOut("PYFUNC")).length == 2 && doubles(pyOut("PYFUNC")).zip(Seq(9.0, 8.0)).forall { case (x, y) => math.abs(x - y) < 1e-6 },
      pyOut("PYFUNC")
    )
    assert(
      doubles(pyOut("SPARK")).length == 2 && doubles(pyOut("SPARK")).zip(Seq(9.0, 8.0)).forall { case (x, y) => math.abs(x - y) < 1e-6 },
      pyOut("SPARK")
    )
  }

  test("a model logged by mlflow.spark.log_model loads in Scala from runs:/ and from the registry") {
    val expected = doubles(pyOut("PY_PRED"))
    val df = spark.createDataFrame(Seq((1.0, 2.0), (2.0, 1.0), (3.0, 5.0), (4.0, 2.0))).toDF("a", "b")
    for (uri <- Seq(s"runs:/${pyOut("PY_RUN")}/model", s"models:/$registered/1")) {
      val m = mlflow.models.load(uri, spark)
      val got = TestSpark.predictions(m, df)
      assert(
        expected.length == 4 && got.length == expected.length && got.zip(expected).forall { case (x, y) => math.abs(x - y) < 1e-9 },
        s"$uri: $got != $expected"
      )
    }
  }

  test("a pipeline PySpark saved with a pure-Python stage fails with the stage's uid and class") {
    val addOne = pyOut("ADDONE")
    val meta = TestSpark.read(pyStageDir.resolve("metadata").toFile.listFiles().filter(_.getName.startsWith("part-")).head.toPath)
    assert(meta.contains("\"language\": \"Python\"") || meta.contains("\"language\":\"Python\""), meta)
    val e = intercept[BridgeException](mlflow.models.load(pyStageDir.toString, spark))
    assert(e.kind == BridgeException.Kind.BAD_INPUT)
    assert(e.getMessage.startsWith(s"$pyStageDir: stage $addOne has class __main__.AddOne, which is not a JVM class"), e.getMessage)
  }
}
