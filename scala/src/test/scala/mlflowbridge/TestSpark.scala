package mlflowbridge

import java.nio.file.{Files, Path}

import org.apache.spark.ml.{Pipeline, PipelineModel}
import org.apache.spark.ml.feature.VectorAssembler
import org.apache.spark.ml.regression.LinearRegression
import org.apache.spark.sql.{DataFrame, SparkSession}

/** One SparkSession for every suite (they run one at a time in one forked JVM). */
object TestSpark {
  lazy val spark: SparkSession = {
    val s = SparkSession
      .builder()
      .master("local[2]")
      .appName("mlflow-bridge-tests")
      .config("spark.ui.enabled", "false")
      .config("spark.driver.host", "127.0.0.1")
      .config("spark.driver.bindAddress", "127.0.0.1")
      .config("spark.sql.shuffle.partitions", "2")
      .getOrCreate()
    s.sparkContext.setLogLevel("ERROR")
    s
  }

  /** y = 1 + 2a + 3b, exactly: predictions are checkable by hand. */
  lazy val linearData: DataFrame = {
    val s = spark
    import s.implicits._
    Seq((1.0, 2.0), (2.0, 1.0), (3.0, 5.0), (4.0, 2.0), (0.5, 0.5), (6.0, 1.0))
      .map { case (a, b) => (a, b, 1 + 2 * a + 3 * b) }
      .toDF("a", "b", "y")
  }

  lazy val linearModel: PipelineModel = new Pipeline()
    .setStages(Array(new VectorAssembler().setInputCols(Array("a", "b")).setOutputCol("features"), new LinearRegression().setLabelCol("y")))
    .fit(linearData)

  def predictions(model: PipelineModel, df: DataFrame = linearData): Seq[Double] =
    model.transform(df).select("prediction").collect().map(_.getDouble(0)).toSeq

  def tempDir(prefix: String): Path = Files.createTempDirectory(s"bridge-test-$prefix-")

  def read(p: Path): String = new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.UTF_8)
}
