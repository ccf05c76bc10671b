"""mlflow-bridge for Spark Connect clients that have no JVM (docs/connect.md).

spark = SparkSession.builder.remote("sc://127.0.0.1:15002").getOrCreate()
m = bridge.spark_connect.ConnectMlflow(spark, tracking_uri)
with m.runs.start(m.experiments.get_or_create("wine"), "train") as run:
    info = run.log_model(pipeline.fit(train), "model", example=train.limit(5), training=train)
m.models.load(info.model_uri).transform(test)
"""

from .session import ConnectMlflow, ConnectModel, ModelInfo
from .wire import PLUGIN_CLASS, PLUGIN_CONF

__all__ = ["ConnectMlflow", "ConnectModel", "ModelInfo", "PLUGIN_CLASS", "PLUGIN_CONF"]
