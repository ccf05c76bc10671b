"""Models logged once per session: each kind from Python (stock log_model) and from Scala (Mlflow.models.log)."""

from __future__ import annotations

import mlflow
import pytest

from bridge.models import data, train

KINDS = ["linear", "gbt", "classifier"]
ORIGINS = ["python", "scala"]


def dataset(kind: str):
    return data.wine() if kind == "classifier" else data.diabetes()


@pytest.fixture(scope="session")
def registered_name():
    """Unique per session, so a reused tracking server (MLFLOW_TRACKING_URI) doesn't collide."""
    import uuid

    return f"bridge-py-classifier-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="session")
def logged_models(tracking_uri, spark, sessions, registered_name):
    """{(kind, origin): model URI}; the Python-logged classifier is also registered as
    models:/<registered_name>@champion."""
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("bridge-tests-models")
    jvm = sessions["py4j"]
    uris = {}
    for kind in KINDS:
        pdf = dataset(kind)
        model = train.fit(spark, pdf, kind)
        with mlflow.start_run(run_name=f"python-{kind}"):
            uris[(kind, "python")] = train.log_stock(model, pip_requirements=train.pinned_requirements())
        sdf = spark.createDataFrame(pdf)
        with mlflow.start_run(run_name=f"scala-{kind}") as run:
            uris[(kind, "scala")] = jvm.models.log(run.info.run_id, model, "model", example=sdf.limit(3), training=sdf).model_uri
    client = mlflow.tracking.MlflowClient(tracking_uri)
    client.create_registered_model(registered_name)
    run_id = uris[("classifier", "python")].split("/")[1]
    mv = client.create_model_version(registered_name, uris[("classifier", "python")], run_id)
    client.set_registered_model_alias(registered_name, "champion", mv.version)
    return uris


def features(kind: str):
    return dataset(kind).drop(columns=["label"])
