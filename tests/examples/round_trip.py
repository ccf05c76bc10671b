"""The round trip from Python with the entry object alone (backend py4j). Needs MLFLOW_TRACKING_URI."""

from pyspark.ml import Pipeline
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.regression import LinearRegression

from bridge import connect
from bridge.jvm import spark_session

spark = spark_session()  # pyspark with the bridge jars on its JVM's classpath
train = spark.range(1, 51).selectExpr("CAST(id AS DOUBLE) AS a", "CAST(id % 7 AS DOUBLE) AS b", "3.0 * id - id % 7 AS y")
assembler = VectorAssembler(inputCols=["a", "b"], outputCol="features")
model = Pipeline(stages=[assembler, LinearRegression(labelCol="y")]).fit(train)

with connect("py4j", spark=spark) as mlflow:  # a bridge.Mlflow; MLFLOW_TRACKING_URI and the MLFLOW_TRACKING_* credentials
    experiment_id = mlflow.experiments.get_or_create("round-trip-python")
    with mlflow.runs.start(experiment_id, "train") as run:  # FINISHED, or FAILED and re-raised
        run.log_param("maxIter", 100)
        run.log_metric("rows", train.count())
        info = run.log_model(model, "model", example=train.limit(3), training=train)
    version = mlflow.registry.register(info.model_uri, "round-trip-python", alias="champion")
    loaded = mlflow.models.load("models:/round-trip-python@champion")  # a pyspark PipelineModel
    predictions = [r.prediction for r in loaded.transform(train.drop("y").limit(3)).collect()]
print(f"run_id={info.run_id} version={version.version} predictions={','.join(map(str, predictions))}")
spark.stop()
