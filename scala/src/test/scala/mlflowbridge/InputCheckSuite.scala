package mlflowbridge

import mlflowbridge.model._
import mlflowbridge.cli._

import org.apache.spark.sql.DataFrame
import org.scalatest.funsuite.AnyFunSuite

class InputCheckSuite extends AnyFunSuite {
  private lazy val spark = TestSpark.spark
  private lazy val model = TestSpark.linearModel
  private val sig = Some(Seq(ColSpec("a", "double"), ColSpec("b", "double")))

  private def df(sql: String): DataFrame = spark.sql(sql)
  private def fails(d: DataFrame, s: Option[Seq[ColSpec]] = sig): BridgeException = {
    val e = intercept[BridgeException](InputCheck.check(model, d, s))
    assert(e.kind == BridgeException.Kind.BAD_INPUT)
    e
  }

  test("good input passes, with or without a signature; integers widen to double") {
    InputCheck.check(model, TestSpark.linearData, sig)
    InputCheck.check(model, TestSpark.linearData.select("a", "b"), None)
    InputCheck.check(model, df("SELECT 1 AS a, CAST(2 AS BIGINT) AS b"), sig)
    assert(math.abs(Scoring.score(model, df("SELECT 1 AS a, 2 AS b"), sig).select("prediction").head().getDouble(0) - 9.0) < 1e-6)
  }

  test("missing columns are named") {
    assert(
      fails(df("SELECT 1.0 AS a, 2.0 AS c")).getMessage ==
        "input is missing required column(s) 'b'; the model reads 'a', 'b', the input has 'a', 'c'"
    )
    // Without a signature, Spark's transformSchema decides; the stage that reads them is named.
    val e = fails(df("SELECT 1.0 AS x"), None)
    assert(e.getMessage.startsWith("input is missing column(s) 'a', 'b' needed by stage 1 of 2 (VectorAssembler 'vecAssembler_"), e.getMessage)
    assert(e.getMessage.endsWith("'); the input has 'x'"), e.getMessage)
  }

  test("the first wrong column is the error's column field") {
    assert(fails(df("SELECT 1.0 AS a, 2.0 AS c")).column == "b")
    assert(fails(df("SELECT 1.0 AS x"), None).column == "a")
    assert(fails(df("SELECT 1.0 AS a, 'two' AS b")).column == "b")
  }

  test("wrong types name the expected and the actual type") {
    assert(fails(df("SELECT 'one' AS a, 2.0D AS b")).getMessage == "input column(s) have the wrong type: 'a' expected double, got string")
  }

  test("without a signature, Spark's own schema check is turned into BAD_INPUT naming the stage") {
    val m = fails(df("SELECT 'one' AS a, 2.0 AS b"), None).getMessage
    assert(m.startsWith("input does not fit the model at stage 1 of 2 (VectorAssembler"), m)
    assert(m.contains("string"), m)
  }

  test("nulls reach the pipeline; a stage that refuses them is named with the null counts") {
    val d = df("SELECT * FROM VALUES (1.0, CAST(NULL AS DOUBLE)), (CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE)), (3.0, 4.0) AS t(a, b)")
    InputCheck.check(model, d, sig) // nulls are the stages' business
    val e = intercept[org.apache.spark.SparkException](model.transform(d).collect())
    val m = InputCheck.explainFailure(model, d, e).getMessage
    assert(m.startsWith("stage 1 of 2 (VectorAssembler"), m)
    assert(m.contains("Encountered null while assembling a row"), m)
    assert(m.contains("input column 'a' holds 1 null value(s), input column 'b' holds 2 null value(s)"), m)
  }

  test("the row scorer names a failing stage in explainFailure's words, without a Spark job") {
    val d = df("SELECT * FROM VALUES (1.0, CAST(NULL AS DOUBLE)), (CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE)), (3.0, 4.0) AS t(a, b)")
    val e = intercept[org.apache.spark.SparkException](model.transform(d).collect())
    val expected = InputCheck.explainFailure(model, d, e).getMessage
    val rows = d.collect().toSeq
    val scorer = new RowScorer(spark, "the test model", model, sig)
    scorer.predictions(d.schema, Seq(rows(2))) // plans compiled: what follows is row work only
    val (thrown, jobs) = org.apache.spark.mlflowbridge.JobCount.of(spark.sparkContext) {
      intercept[BridgeException](scorer.predictions(d.schema, rows))
    }
    assert(thrown.getMessage == expected)
    assert(thrown.kind == BridgeException.Kind.BAD_INPUT)
    assert(jobs == 0, s"$jobs Spark job(s) to explain a row")
    // Through the public API too: one row, its stage and its null named.
    val one = intercept[BridgeException](scorer.predict(rows(0)))
    assert(
      one.getMessage.startsWith("stage 1 of 2 (VectorAssembler") && one.getMessage.contains("input column 'b' holds 1 null value(s)"),
      one.getMessage
    )
  }

  test("a stage with handleInvalid = keep scores nulls, as Spark does") {
    val d = df("SELECT * FROM VALUES (1.0, CAST(NULL AS DOUBLE)), (3.0, 4.0) AS t(a, b)")
    val keep = new org.apache.spark.ml.Pipeline()
      .setStages(
        Array(
          new org.apache.spark.ml.feature.VectorAssembler().setInputCols(Array("a", "b")).setOutputCol("features").setHandleInvalid("keep"),
          new org.apache.spark.ml.regression.LinearRegression().setLabelCol("y")
        )
      )
      .fit(TestSpark.linearData)
    val preds = Scoring.score(keep, d, sig).select("prediction").collect().map(_.getDouble(0))
    assert(preds.length == 2 && preds(0).isNaN && math.abs(preds(1) - 19.0) < 1e-6)
  }

  test("empty input") {
    assert(fails(TestSpark.linearData.limit(0)).getMessage == "input has no rows")
  }

  test("models.score of a model that was not loaded asks Spark's transformSchema") {
    val e = intercept[BridgeException](TestServer.mlflow.models.score(model, df("SELECT 1.0 AS a")))
    assert(e.getMessage.startsWith("input is missing column(s) 'b' needed by stage 1 of 2"), e.getMessage)
  }

  test("a classifier's string label is not an input: scoring data without it passes") {
    val data = Training.irisData(spark, 10)
    val trained = Training.classifier(spark, data, "species")
    assert(PipelineColumns.requiredInputs(trained.model, data.schema) == Training.IrisFeatures)
    InputCheck.check(trained.model, data.drop("species"), None)
    assert(
      PipelineColumns.outputs(trained.model, data.drop("species").schema) == Seq("prediction", "rawPrediction", "probability", "predicted_species")
    )
  }

  test("RFormula and SQLTransformer: Spark knows what they read and produce") {
    import org.apache.spark.ml.Pipeline
    import org.apache.spark.ml.feature.{RFormula, SQLTransformer}
    import org.apache.spark.ml.regression.GeneralizedLinearRegression
    val train = df("SELECT id, CAST(id % 3 AS STRING) AS g, id * 0.5 AS x, id * 1.5 + 2 AS y, 'unused' AS note FROM range(30)")
    val m = new Pipeline()
      .setStages(
        Array(
          new SQLTransformer().setStatement("SELECT *, x * x AS x2 FROM __THIS__"),
          new RFormula().setFormula("y ~ g + x + x2"),
          new GeneralizedLinearRegression()
        )
      )
      .fit(train)
    assert(PipelineColumns.requiredInputs(m, train.schema) == Seq("g", "x"))
    InputCheck.check(m, train.select("g", "x"), None)
    val e = fails2(m, train.select("g"))
    assert(e.startsWith("input does not fit the model at stage 1 of 3 (SQLTransformer"), e)
    assert(e.contains("`x`"), e)
    // RFormula's featuresCol is its output, never blamed as a missing input.
    val r = fails2(m, train.select("x"))
    assert(r.startsWith("input does not fit the model at stage 2 of 3 (RFormulaModel"), r)
    assert(!r.contains("'features'"), r)
  }

  test("a column a skipped StringIndexerModel should have indexed is traced back to the input column") {
    import org.apache.spark.ml.Pipeline
    import org.apache.spark.ml.feature.{OneHotEncoder, StringIndexer, VectorAssembler}
    import org.apache.spark.ml.regression.LinearRegression
    val train = df("SELECT CAST(id % 3 AS STRING) AS color, id * 1.0 AS w, id * 2.0 AS y FROM range(30)")
    val m = new Pipeline()
      .setStages(
        Array(
          new StringIndexer().setInputCol("color").setOutputCol("color_i"),
          new OneHotEncoder().setInputCol("color_i").setOutputCol("color_v"),
          new VectorAssembler().setInputCols(Array("color_v", "w")).setOutputCol("features"),
          new LinearRegression().setLabelCol("y")
        )
      )
      .fit(train)
    val e = fails2(m, train.select("w"))
    assert(e.startsWith("input is missing column(s) 'color' needed by stage 2 of 4 (OneHotEncoderModel"), e)
  }

  test("tuning models count as their best model's stages") {
    import org.apache.spark.ml.Pipeline
    import org.apache.spark.ml.evaluation.RegressionEvaluator
    import org.apache.spark.ml.feature.VectorAssembler
    import org.apache.spark.ml.regression.LinearRegression
    import org.apache.spark.ml.tuning.{ParamGridBuilder, TrainValidationSplit}
    val lr = new LinearRegression().setLabelCol("y")
    val inner = new Pipeline().setStages(Array(new VectorAssembler().setInputCols(Array("a", "b")).setOutputCol("features"), lr))
    val tvs = new TrainValidationSplit()
      .setEstimator(inner)
      .setEvaluator(new RegressionEvaluator().setLabelCol("y"))
      .setEstimatorParamMaps(new ParamGridBuilder().addGrid(lr.regParam, Array(0.0, 0.1)).build())
      .setTrainRatio(0.7)
      .setSeed(1)
    val data = df("SELECT id * 1.0 AS a, (id % 7) * 1.0 AS b, 1 + 2 * id + 3 * (id % 7) AS y FROM range(40)")
    val m = new Pipeline().setStages(Array(tvs)).fit(data)
    assert(PipelineColumns.stages(m).map(_.getClass.getSimpleName) == Seq("VectorAssembler", "LinearRegressionModel"))
    assert(PipelineColumns.outputs(m, data.select("a", "b").schema) == Seq("prediction"))
  }

  test("Interaction's transformSchema does not check its inputs: its transform does, and the stage is named") {
    import org.apache.spark.ml.Pipeline
    import org.apache.spark.ml.feature.{Interaction, VectorAssembler}
    import org.apache.spark.ml.regression.LinearRegression
    val train = df("SELECT id * 1.0 AS a, id % 2 * 1.0 AS s, id * 2.0 AS y, 'x' AS note FROM range(20)")
    val m = new Pipeline()
      .setStages(
        Array(
          new VectorAssembler().setInputCols(Array("a")).setOutputCol("va"),
          new Interaction().setInputCols(Array("s", "va")).setOutputCol("features"),
          new LinearRegression().setLabelCol("y")
        )
      )
      .fit(train)
    assert(PipelineColumns.requiredInputs(m, train.schema) == Seq("a", "s"))
    val e = intercept[BridgeException](Scoring.score(m, train.select("a"), None))
    assert(e.kind == BridgeException.Kind.BAD_INPUT)
    assert(e.getMessage.startsWith("stage 2 of 3 (Interaction 'interaction_"), e.getMessage)
    assert(e.getMessage.contains("`s`"), e.getMessage)
  }

  private def fails2(m: org.apache.spark.ml.PipelineModel, d: DataFrame): String =
    intercept[BridgeException](InputCheck.check(m, d, None)).getMessage
}
