package mlflowbridge

import org.apache.spark.ml.{Pipeline, PipelineModel, PipelineStage}
import org.apache.spark.ml.feature.SQLTransformer
import org.apache.spark.ml.recommendation.{ALS, ALSModel}
import org.apache.spark.ml.recommendation.mlflowbridge.RowWiseALSModel
import org.apache.spark.mlflowbridge.JobCount
import org.apache.spark.sql.{DataFrame, Row}
import org.scalatest.funsuite.AnyFunSuite

class RowScorerSuite extends AnyFunSuite {
  private lazy val spark = TestSpark.spark

  // 8 users x 6 items; users 8 and 9 and item 6 were never seen (cold start: NaN, or dropped).
  private lazy val ratings: DataFrame = {
    val s = spark
    import s.implicits._
    (for (u <- 0 until 8; i <- 0 until 6 if (u + i) % 3 != 0) yield (u, i, ((u * 7 + i * 3) % 5 + 1).toFloat)).toDF("user", "item", "rating")
  }
  private lazy val requests: DataFrame = {
    val s = spark
    import s.implicits._
    Seq((0L, 0.0), (3L, 5.0), (7L, 2.0), (8L, 1.0), (2L, 6.0), (9L, 6.0)).toDF("user", "item") // other numeric types: cast as ALS casts
  }

  private def als(coldStart: String): PipelineModel =
    new Pipeline()
      .setStages(Array[PipelineStage](new ALS().setRank(3).setMaxIter(3).setSeed(7).setColdStartStrategy(coldStart)))
      .fit(ratings)

  private def scoredRows(scorer: RowScorer, df: DataFrame): Seq[Row] = {
    scorer.score(df.head()) // planned and compiled: what follows is row work only
    val (rows, jobs) = JobCount.of(spark.sparkContext)(df.collect().toSeq.flatMap(r => Option(scorer.score(r))))
    assert(jobs == 0, s"$jobs Spark job(s) to score rows")
    rows
  }

  test("ALS scores row by row from its factors in memory: transform's rows, NaN for an unseen id, none for drop") {
    for (coldStart <- Seq("nan", "drop")) {
      val model = als(coldStart)
      val expected = model.transform(requests).collect().toSeq
      val got = scoredRows(new RowScorer(spark, "the ALS model", model, None), requests)
      assert(got.map(_.schema) == expected.map(_.schema))
      assert(got.size == (if (coldStart == "nan") 6 else 3), got)
      // Bit for bit (a float by its bits: NaN is NaN), by (user, item): the join does not keep the input's order.
      def values(rows: Seq[Row]) =
        rows.map(r => (r.getInt(0), r.getInt(1), java.lang.Float.floatToIntBits(r.getFloat(2)))).sorted
      assert(values(got) == values(expected), s"$coldStart: $got vs $expected")
    }
  }

  test("ALS's id checks are its own: a fractional id fails naming ALS's rule") {
    val scorer = new RowScorer(spark, "the ALS model", als("nan"), None)
    val e = intercept[BridgeException](scorer.score(spark.sql("SELECT 1.5D AS user, 2.0D AS item").head()))
    assert(e.getMessage.contains("ALS only supports non-Null values in Integer range and without fractional part for column user"), e.getMessage)
  }

  test("ALS with more factors than fit in memory keeps its join") {
    val fitted = als("nan").stages.head.asInstanceOf[ALSModel]
    assert(RowWiseALSModel.of(fitted, maxFactors = 13).isEmpty) // 8 users + 6 items
    assert(RowWiseALSModel.of(fitted, maxFactors = 14).isDefined)
  }

  test("a stage whose plan is not row-wise is refused, naming it; its rows still score through transform") {
    val centred = new SQLTransformer().setStatement("SELECT *, a - avg(a) OVER () AS centred FROM __THIS__")
    val model = new Pipeline().setStages(Array[PipelineStage](centred)).fit(TestSpark.linearData)
    val scorer = new RowScorer(spark, "the windowed model", model, None)
    val e = intercept[BridgeException](scorer.score(TestSpark.linearData.head()))
    assert(e.kind == BridgeException.Kind.BAD_INPUT)
    assert(
      e.getMessage.startsWith(
        s"the windowed model cannot be scored row by row: stage 1 of 1 (SQLTransformer '${centred.uid}'): its plan has a Window"
      ),
      e.getMessage
    )
  }
}
