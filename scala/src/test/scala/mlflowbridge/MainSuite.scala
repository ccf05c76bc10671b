package mlflowbridge

import mlflowbridge.model._
import mlflowbridge.cli._

import java.io.ByteArrayOutputStream
import java.nio.file.Files

import org.scalatest.funsuite.AnyFunSuite

/** The command line, run in-process (Main leaves a SparkSession it did not start running). */
class MainSuite extends AnyFunSuite {
  private val mlflow = TestServer.mlflow
  private val client = mlflow.client
  private lazy val spark = TestSpark.spark

  private def run(args: String*): (Int, String, String) = {
    val out = new ByteArrayOutputStream()
    val err = new ByteArrayOutputStream()
    val code = Console.withOut(out)(Console.withErr(err) {
      val saved = System.err
      System.setErr(new java.io.PrintStream(err, true))
      try Main.run(args.toArray)
      finally System.setErr(saved)
    })
    (code, out.toString("UTF-8"), err.toString("UTF-8"))
  }

  private def lastUri(stdout: String): String = {
    val last = stdout.trim.linesIterator.toSeq.last
    assert(last.startsWith("model_uri="), stdout)
    last.stripPrefix("model_uri=")
  }

  test("train regression, register with an alias, then score CSV -> CSV via the alias") {
    val name = TestServer.uniqueName("wine")
    val (code, out, err) =
      run("train", "--kind", "regression", "--experiment", TestServer.uniqueName("main"), "--register", name, "--alias", "champion")
    assert(code == 0, err)
    assert(lastUri(out) == s"models:/$name@champion")
    assert(out.contains("rmse=") && out.contains(s"registered=$name/1"))
    assert(!spark.sparkContext.isStopped)

    val dir = TestSpark.tempDir("main")
    val input = dir.resolve("wine.csv").toString
    Scoring.write(Training.wineData(spark, 20).drop("quality"), input, "csv")
    val output = dir.resolve("scored.csv").toString
    val (c2, o2, e2) = run("score", "--model-uri", s"models:/$name@champion", "--input", input, "--output", output)
    assert(c2 == 0, e2)
    assert(o2.contains("scored 20 rows"))
    val scored = spark.read.option("header", "true").option("inferSchema", "true").csv(output)
    assert(scored.columns.toSeq == Training.WineFeatures :+ "prediction")
    assert(scored.count() == 20)
  }

  test("train classifier (runs:/ URI), score Parquet and JSON lines with probabilities and label strings") {
    val (code, out, err) = run("train", "--kind", "classifier", "--experiment", TestServer.uniqueName("main"))
    assert(code == 0, err)
    val uri = lastUri(out)
    assert(uri.matches("runs:/[0-9a-f]{32}/model"), uri)
    val dir = TestSpark.tempDir("main-clf")
    val pq = dir.resolve("iris.parquet").toString
    Scoring.write(Training.irisData(spark, 5).drop("species"), pq, "parquet")
    for (outName <- Seq("scored.parquet", "scored.jsonl")) {
      val output = dir.resolve(outName).toString
      val (c, _, e) = run("score", "--model-uri", uri, "--input", pq, "--output", output)
      assert(c == 0, e)
      val scored = if (outName.endsWith("parquet")) spark.read.parquet(output) else spark.read.json(output)
      assert(Set("prediction", "probability", "predicted_species").subsetOf(scored.columns.toSet))
      assert(scored.select("predicted_species").collect().map(_.getString(0)).toSet.subsetOf(Set("setosa", "versicolor", "virginica")))
    }
    // CSV output: the probability vector becomes JSON text.
    val csv = dir.resolve("scored.csv").toString
    assert(run("score", "--model-uri", uri, "--input", pq, "--output", csv)._1 == 0)
    assert(TestSpark.read(java.nio.file.Paths.get(csv)).linesIterator.drop(1).next().contains("\"["))
  }

  test("bad input to score is exit code 2 with the check's message") {
    val dir = TestSpark.tempDir("main-bad")
    val input = dir.resolve("bad.json")
    Files.write(input, "{\"fixed_acidity\": 7.0}\n".getBytes)
    val model = dir.resolve("model")
    TestSpark.linearModel.write.save(model.resolve("sparkml").toString)
    val (code, _, err) = run("score", "--model-uri", model.toString, "--input", input.toString, "--output", dir.resolve("o.csv").toString)
    assert(code == 2)
    assert(err.contains("error [BAD_INPUT]: input is missing column(s) 'a', 'b' needed by stage 1 of 2 (VectorAssembler"), err)
  }

  test("usage errors") {
    assert(run("train", "--kind")._1 == 2)
    assert(run("train", "--kind", "regression", "--experiment", "x", "--alias", "a")._3.contains("--alias needs --register NAME"))
    assert(run("bogus")._1 == 2)
  }
}
