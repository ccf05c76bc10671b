"""Python-side training: PySpark pipelines logged with the *stock* `mlflow.spark.log_model`."""
from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import BadInputError
from .data import features

KINDS = ("linear", "gbt", "classifier")


def fit(spark: Any, pdf: pd.DataFrame, kind: str, label: str = "label") -> Any:
    """Fit a pipeline: linear regression, gradient-boosted trees, or a classifier with a string label."""
    from pyspark.ml import Pipeline
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import StringIndexer, VectorAssembler
    from pyspark.ml.regression import GBTRegressor, LinearRegression

    assembler = VectorAssembler(inputCols=features(pdf, label), outputCol="features")
    if kind == "linear":
        stages = [assembler, LinearRegression(featuresCol="features", labelCol=label, regParam=0.1)]
    elif kind == "gbt":
        stages = [assembler, GBTRegressor(featuresCol="features", labelCol=label, maxIter=20, maxDepth=4, seed=7)]
    elif kind == "classifier":
        indexer = StringIndexer(inputCol=label, outputCol="label_index", stringOrderType="alphabetAsc")
        lr = LogisticRegression(featuresCol="features", labelCol="label_index", maxIter=50, regParam=0.01)
        stages = [indexer, assembler, lr]
    else:
        raise BadInputError(f"unknown model kind {kind!r}; use one of {', '.join(KINDS)}")
    return Pipeline(stages=stages).fit(spark.createDataFrame(pdf))


def log_stock(model: Any, run_id: str, artifact_path: str = "model") -> str:
    """Log with stock mlflow.spark.log_model into run `run_id`; returns runs:/ URI."""
    import mlflow
    import mlflow.spark

    with mlflow.start_run(run_id=run_id):
        info = mlflow.spark.log_model(model, artifact_path=artifact_path)
    return info.model_uri
