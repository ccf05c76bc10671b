import mlflowbridge.LoadedPipeline;
import mlflowbridge.Mlflow;
import mlflowbridge.ModelInfo;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.mlflow.api.proto.ModelRegistry.ModelVersion;

/** The round trip from Java with the entry object alone. Needs MLFLOW_TRACKING_URI. */
public final class JavaRoundTrip {
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate();
    Dataset<Row> train = spark.range(1, 51).selectExpr("CAST(id AS DOUBLE) AS a", "CAST(id % 7 AS DOUBLE) AS b", "3.0 * id - id % 7 AS y");
    VectorAssembler assembler = new VectorAssembler().setInputCols(new String[] {"a", "b"}).setOutputCol("features");
    PipelineModel model = new Pipeline().setStages(new PipelineStage[] {assembler, new LinearRegression().setLabelCol("y")}).fit(train);

    try (Mlflow mlflow = Mlflow.fromEnv()) { // MLFLOW_TRACKING_URI and the MLFLOW_TRACKING_* credentials
      String experimentId = mlflow.experiments().getOrCreate("round-trip-java");
      ModelInfo info = mlflow.runs().withRun(experimentId, "train", run -> { // FINISHED, or FAILED and rethrown
        run.logParam("maxIter", "100");
        run.logMetric("rows", train.count());
        return run.logModel(model, "model", train.limit(3), train.schema());
      });
      ModelVersion version = mlflow.registry().register(info.modelUri(), "round-trip-java", "champion");
      LoadedPipeline loaded = mlflow.models().loadWithSignature("models:/round-trip-java@champion", spark); // the model and its signature
      StringBuilder predictions = new StringBuilder();
      for (Row r : mlflow.models().score(loaded, train.drop("y").limit(3)).collectAsList()) {
        predictions.append(predictions.length() == 0 ? "" : ",").append(r.<Double>getAs("prediction"));
      }
      System.out.println("run_id=" + info.runId() + " version=" + version.getVersion() + " predictions=" + predictions);
    }
    spark.stop();
  }
}
