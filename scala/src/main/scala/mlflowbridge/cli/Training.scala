package mlflowbridge
package cli

import scala.util.Random

import org.apache.spark.ml.{Pipeline, PipelineModel, PipelineStage}
import org.apache.spark.ml.classification.{LogisticRegression, RandomForestClassifier}
import org.apache.spark.ml.evaluation.{Evaluator, MulticlassClassificationEvaluator, RegressionEvaluator}
import org.apache.spark.ml.feature.{IndexToString, StringIndexer, VectorAssembler}
import org.apache.spark.ml.regression.DecisionTreeRegressor
import org.apache.spark.sql.{DataFrame, SparkSession}
import org.apache.spark.sql.types.{NumericType, StructType}

/** What one training run produced: the model, its input columns, params and test metrics. */
private[mlflowbridge] final case class Trained(
    model: PipelineModel,
    inputSchema: StructType,
    example: DataFrame,
    params: Map[String, String],
    metrics: Map[String, Double]
)

/**
 * The two example pipelines `Main train` fits: a wine-quality-like regression (after
 * amesar/mlflow-examples' TrainWine) and an iris-like classifier with a string label.
 * Data is generated with a fixed seed, or read from a CSV with a header.
 */
private[mlflowbridge] object Training {
  val WineFeatures = Seq("fixed_acidity", "volatile_acidity", "citric_acid", "residual_sugar", "chlorides", "sulphates", "alcohol")
  val IrisFeatures = Seq("sepal_length", "sepal_width", "petal_length", "petal_width")

  /** `label`: the regression target (quality by default); every other numeric column is a feature. */
  def regression(spark: SparkSession, data: DataFrame, label: String, maxDepth: Int = 5): Trained = {
    val features = data.schema.fields.filter(f => f.name != label && f.dataType.isInstanceOf[NumericType]).map(_.name)
    if (!data.columns.contains(label))
      throw BridgeException.badInput(s"training data has no label column '$label' (columns: ${data.columns.mkString(", ")})")
    val stages: Array[PipelineStage] = Array(
      new VectorAssembler().setInputCols(features).setOutputCol("features"),
      new DecisionTreeRegressor().setLabelCol(label).setFeaturesCol("features").setMaxDepth(maxDepth).setSeed(42)
    )
    val metrics = Seq("rmse", "r2", "mae").map(m => m -> new RegressionEvaluator().setLabelCol(label).setMetricName(m))
    fit(data, stages, features.toSeq, metrics, Map("algorithm" -> "DecisionTreeRegressor", "maxDepth" -> maxDepth.toString, "label" -> label))
  }

  /** `label`: a string class column; StringIndexer -> VectorAssembler -> classifier -> IndexToString. */
  def classifier(spark: SparkSession, data: DataFrame, label: String, algorithm: String = "logistic"): Trained = {
    if (!data.columns.contains(label))
      throw BridgeException.badInput(s"training data has no label column '$label' (columns: ${data.columns.mkString(", ")})")
    val features = data.schema.fields.filter(f => f.name != label && f.dataType.isInstanceOf[NumericType]).map(_.name)
    val indexer = new StringIndexer().setInputCol(label).setOutputCol("label_index").fit(data)
    val clf = algorithm match {
      case "logistic"             => new LogisticRegression().setLabelCol("label_index").setMaxIter(50)
      case "rf" | "random_forest" => new RandomForestClassifier().setLabelCol("label_index").setNumTrees(20).setSeed(42)
      case other                  => throw BridgeException.badInput(s"unknown classifier '$other': use logistic or rf")
    }
    val stages: Array[PipelineStage] = Array(
      indexer,
      new VectorAssembler().setInputCols(features).setOutputCol("features"),
      clf.setFeaturesCol("features").setProbabilityCol("probability"),
      new IndexToString().setInputCol("prediction").setOutputCol(s"predicted_$label").setLabels(indexer.labelsArray(0))
    )
    val metrics = Seq("accuracy", "f1").map(m => m -> new MulticlassClassificationEvaluator().setLabelCol("label_index").setMetricName(m))
    fit(
      data,
      stages,
      features.toSeq,
      metrics,
      Map("algorithm" -> clf.getClass.getSimpleName, "label" -> label, "classes" -> indexer.labelsArray(0).mkString(","))
    )
  }

  private def fit(
      data: DataFrame,
      stages: Array[PipelineStage],
      features: Seq[String],
      evaluators: Seq[(String, Evaluator)],
      params: Map[String, String]
  ): Trained = {
    val Array(train, test) = data.randomSplit(Array(0.8, 0.2), seed = 42)
    val model = new Pipeline().setStages(stages).fit(train)
    val scored = model.transform(test)
    val metrics = evaluators.map { case (m, e) => m -> e.evaluate(scored) }.toMap
    val inputs = data.select(features.map(c => data.col(s"`$c`")): _*)
    Trained(
      model,
      inputs.schema,
      inputs.limit(5),
      params ++ Map("features" -> features.mkString(","), "train_rows" -> train.count().toString),
      metrics
    )
  }

  /** A deterministic wine-like table: quality depends mostly on alcohol, volatile acidity and sulphates. */
  def wineData(spark: SparkSession, rows: Int = 600): DataFrame = {
    val r = new Random(42)
    def u(lo: Double, hi: Double) = lo + r.nextDouble() * (hi - lo)
    val data = (1 to rows).map { _ =>
      val f = Seq(u(4.6, 15.9), u(0.12, 1.58), u(0.0, 1.0), u(0.9, 15.5), u(0.012, 0.61), u(0.33, 2.0), u(8.4, 14.9))
      val quality = 3.0 + 0.45 * (f(6) - 8.4) - 1.8 * f(1) + 0.9 * f(5) + 0.3 * f(2) + r.nextGaussian() * 0.4
      (f :+ math.max(0.0, math.min(10.0, math.rint(quality)))).map(x => BigDecimal(x).setScale(4, BigDecimal.RoundingMode.HALF_UP).toDouble)
    }
    import spark.implicits._
    data.map(v => (v(0), v(1), v(2), v(3), v(4), v(5), v(6), v(7))).toDF((WineFeatures :+ "quality"): _*)
  }

  /** A deterministic iris-like table: three species, four measurements. */
  def irisData(spark: SparkSession, perClass: Int = 60): DataFrame = {
    val r = new Random(7)
    val centers = Seq("setosa" -> Seq(5.0, 3.4, 1.5, 0.2), "versicolor" -> Seq(5.9, 2.8, 4.3, 1.3), "virginica" -> Seq(6.6, 3.0, 5.6, 2.0))
    val data = for ((species, c) <- centers; _ <- 1 to perClass) yield {
      val m = c.map(x => BigDecimal(math.max(0.1, x + r.nextGaussian() * 0.3)).setScale(2, BigDecimal.RoundingMode.HALF_UP).toDouble)
      (m(0), m(1), m(2), m(3), species)
    }
    import spark.implicits._
    data.toDF((IrisFeatures :+ "species"): _*)
  }
}
