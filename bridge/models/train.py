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

    stages: list[Any]
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


def log_stock(model: Any, artifact_path: str = "model", pip_requirements: list[str] | None = None) -> str:
    """Log with stock mlflow.spark.log_model into the active run; returns its model URI.

    Without `pip_requirements` mlflow infers them, which starts a second Spark and dominates
    the time; given, the call is still stock mlflow but skips that step.
    """
    import mlflow.spark

    return mlflow.spark.log_model(model, artifact_path=artifact_path, pip_requirements=pip_requirements).model_uri


def pinned_requirements() -> list[str]:
    from ..versions import pinned

    return [f"mlflow=={pinned()['mlflow.python']}", f"pyspark=={pinned()['spark']}"]
