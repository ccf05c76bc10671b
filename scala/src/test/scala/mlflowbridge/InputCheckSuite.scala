package mlflowbridge

import org.apache.spark.sql.DataFrame
import org.scalatest.funsuite.AnyFunSuite

class InputCheckSuite extends AnyFunSuite {
  private lazy val spark = TestSpark.spark
  private lazy val model = TestSpark.linearModel
  private val sig = Some(Seq(ColSpec("a", "double"), ColSpec("b", "double")))

  private def df(sql: String): DataFrame = spark.sql(sql)
  private def fails(d: DataFrame, s: Option[Seq[ColSpec]] = sig): BridgeException = {
    val e = intercept[BridgeException](InputCheck.check(model, d, s))
    assert(e.kind == "BAD_INPUT")
    e
  }

  test("good input passes, with or without a signature; integers widen to double") {
    InputCheck.check(model, TestSpark.linearData, sig)
    InputCheck.check(model, TestSpark.linearData.select("a", "b"), None)
    InputCheck.check(model, df("SELECT 1 AS a, CAST(2 AS BIGINT) AS b"), sig)
    assert(math.abs(Scoring.score(model, df("SELECT 1 AS a, 2 AS b"), sig).select("prediction").head().getDouble(0) - 9.0) < 1e-6)
  }

  test("missing columns are named") {
    assert(fails(df("SELECT 1.0 AS a, 2.0 AS c")).getMessage ==
      "input is missing required column(s) 'b'; the model reads 'a', 'b', the input has 'a', 'c'")
    // Without a signature: the columns the stages read (the label y is not required).
    assert(fails(df("SELECT 1.0 AS x"), None).getMessage.startsWith("input is missing required column(s) 'a', 'b';"))
  }

  test("wrong types name the expected and the actual type") {
    assert(fails(df("SELECT 'one' AS a, 2.0D AS b")).getMessage == "input column(s) have the wrong type: 'a' expected double, got string")
  }

  test("without a signature, Spark's own schema check is turned into BAD_INPUT") {
    assert(fails(df("SELECT 'one' AS a, 2.0 AS b"), None).getMessage.startsWith("input does not fit the model:"))
  }

  test("nulls in required columns are counted per column") {
    val e = fails(df("SELECT * FROM VALUES (1.0, CAST(NULL AS DOUBLE)), (CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE)), (3.0, 4.0) AS t(a, b)"))
    assert(e.getMessage == "column 'a' has 1 null value(s); column 'b' has 2 null value(s) in 3 rows; the model needs a value in every row of its input columns")
  }

  test("empty input") {
    assert(fails(TestSpark.linearData.limit(0)).getMessage == "input has no rows")
  }

  test("SparkModels.checkInput of a model that was not loaded uses the stages' input columns") {
    val e = intercept[BridgeException](SparkModels.checkInput(model, df("SELECT 1.0 AS a")))
    assert(e.getMessage.startsWith("input is missing required column(s) 'b'"))
  }

  test("a classifier's string label is not an input: scoring data without it passes") {
    val data = Training.irisData(spark, 10)
    val trained = Training.classifier(spark, data, "species")
    assert(PipelineColumns.inputs(trained.model) == Training.IrisFeatures)
    InputCheck.check(trained.model, data.drop("species"), None)
  }
}
