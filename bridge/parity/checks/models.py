"""Checks of the catalog's section: logging, loading and scoring models."""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from ...models.train import pinned_requirements
from .base import ONE, Ctx, GapConfirmed, check, class_exists, fluent, require_stock, stock_offers

# A method that would make a managed model (logModel, saveModel, logSparkModel, ...); registry
# methods such as createRegisteredModel or createModelVersion are not one.
MANAGED_MODEL_METHODS = r"^(log|save)(?!Registered)[A-Za-z]*Model$"


def _spark_model(ctx: Ctx) -> dict:
    """A small SparkML PipelineModel, its training frame and its predictions; cached per ctx."""
    if "spark_model" not in ctx.cache:
        spark = ctx.need_spark()
        from pyspark.ml import Pipeline
        from pyspark.ml.feature import VectorAssembler
        from pyspark.ml.regression import LinearRegression

        df = spark.createDataFrame([(float(i), float(i % 3), 2.0 * i + 1.0 + (i % 3)) for i in range(12)], ["a", "b", "y"])
        model = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="features"), LinearRegression(labelCol="y", maxIter=5)]).fit(df)
        preds = sorted((r.a, round(r.prediction, 9)) for r in model.transform(df).select("a", "prediction").collect())
        ctx.cache["spark_model"] = {"df": df, "model": model, "preds": preds}
    return ctx.cache["spark_model"]


def _python_logged_spark_model(ctx: Ctx) -> dict:
    """The SparkML model logged by Python's mlflow.spark.log_model and registered as version 1; cached."""
    if "py_spark_model" not in ctx.cache:
        m = _spark_model(ctx)
        name = ctx.unique("sparkml")
        with fluent(ctx) as mlflow, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import mlflow.spark

            with mlflow.start_run(experiment_id=ctx.experiment_id) as run:
                mlflow.spark.log_model(
                    m["model"], artifact_path="model", pip_requirements=pinned_requirements()
                )  # given: no inference (a second Spark)
            mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
        ctx.cache["py_spark_model"] = {"run_id": run.info.run_id, "name": name, "version": "1"}
    return ctx.cache["py_spark_model"]


def _jvm_predictions(java_df: Any) -> list[tuple[float, float]]:
    return sorted((float(r.getAs("a")), round(float(r.getAs("prediction")), 9)) for r in java_df.collectAsList())


def _jvm_frame(ctx: Ctx) -> Any:
    """The training frame as a DataFrame of the backend's JVM (py4j: pyspark's own; JPype: via parquet)."""
    m = _spark_model(ctx)
    if ctx.backend == "py4j":
        return m["df"]._jdf
    if "jpype_df" not in ctx.cache:
        path = Path(tempfile.mkdtemp(prefix="parity-df-")) / "df.parquet"
        m["df"].write.parquet(str(path))
        ctx.cache["jpype_df"] = ctx.jvm.spark().read().parquet(str(path))
    return ctx.cache["jpype_df"]


def _jvm_model(ctx: Ctx) -> Any:
    """The fitted PipelineModel as an object of the backend's JVM."""
    m = _spark_model(ctx)
    if ctx.backend == "py4j":
        return m["model"]._to_java()
    if "jpype_model" not in ctx.cache:
        path = Path(tempfile.mkdtemp(prefix="parity-model-")) / "pipeline"
        m["model"].write().save(str(path))
        ctx.cache["jpype_model"] = ctx.jvm.models.load(str(path))  # a saved pipeline is a model URI too (JPype: the JVM object)
    return ctx.cache["jpype_model"]


@check(spark=True)
def bridge_log_model_spark(ctx: Ctx) -> None:
    """models.log from the JVM; Python loads it (spark and python_function flavors)."""
    import mlflow.pyfunc
    import mlflow.spark
    from mlflow.models import get_model_info

    m = _spark_model(ctx)
    rid = ctx.java_run()
    uri = ctx.jvm.models.log(rid, _jvm_model(ctx), "model").model_uri
    assert uri == f"runs:/{rid}/model", uri
    info = get_model_info(f"runs:/{rid}/model")
    assert {"spark", "python_function"} <= set(info.flavors), info.flavors
    loaded = mlflow.spark.load_model(f"runs:/{rid}/model")
    got = sorted((r.a, round(r.prediction, 9)) for r in loaded.transform(m["df"]).select("a", "prediction").collect())
    assert got == m["preds"]


@check(backends=ONE)
def stock_flavors_other(ctx: Ctx) -> None:
    found = [c for c in ("org.mlflow.models.Model", "org.mlflow.models.ModelSignature") if class_exists(ctx, c)]
    if not found:
        require_stock(ctx, MANAGED_MODEL_METHODS, "log_model for any flavor (and no org.mlflow.models classes)")


@check(spark=True)
def bridge_load_model_spark(ctx: Ctx) -> None:
    """models.load of a Python-logged model by runs:/ and models:/name/version."""
    m = _spark_model(ctx)
    logged = _python_logged_spark_model(ctx)
    for uri in (f"runs:/{logged['run_id']}/model", f"models:/{logged['name']}/{logged['version']}"):
        loaded = ctx.jvm.models.load(uri)  # py4j: a pyspark model; JPype: the JVM object
        if ctx.backend == "py4j":
            got = sorted((r.a, round(r.prediction, 9)) for r in loaded.transform(m["df"]).select("a", "prediction").collect())
        else:
            got = _jvm_predictions(loaded.transform(_jvm_frame(ctx)))
        assert got == m["preds"], uri


@check(backends=ONE)
def stock_managed_from_raw(ctx: Ctx) -> None:
    """Java logArtifacts a native model directory; it is a raw artifact and never a managed model."""
    from mlflow.exceptions import MlflowException
    from mlflow.models import get_model_info

    rid = ctx.java_run()
    d = Path(tempfile.mkdtemp(prefix="parity-native-"))
    (d / "model.bin").write_bytes(b"\x00native jvm model\x00")
    ctx.client.logArtifacts(rid, ctx.jvm.java_file(d), "model")  # the half of the FAQ that works
    assert [f.path for f in ctx.py.list_artifacts(rid, "model")] == ["model/model.bin"]
    if not stock_offers(ctx, MANAGED_MODEL_METHODS):
        try:
            get_model_info(f"runs:/{rid}/model")
        except MlflowException as e:
            if e.error_code != "RESOURCE_DOES_NOT_EXIST" or "MLmodel" not in str(e):
                raise  # only "no MLmodel there" shows the gap
            raise GapConfirmed(
                f"saved as a raw artifact (model/model.bin), but the stock client has no way to make "
                f"it a managed model: get_model_info('runs:/{rid}/model') -> {type(e).__name__}: "
                f"{str(e).splitlines()[0][:160]}"
            ) from None


@check(spark=True)
def bridge_managed_from_raw(ctx: Ctx) -> None:
    """A Spark linear model made into ONNX on the JVM, logged by models.logOnnx: stock mlflow.pyfunc loads it and predicts as Spark does."""
    import mlflow.pyfunc
    import pandas as pd

    m = _spark_model(ctx)
    stages = _jvm_model(ctx).stages()
    onnx_bytes = ctx.jvm.models.linear_onnx(stages[len(stages) - 1])
    rid = ctx.java_run()
    schema = ctx.cls("org.apache.spark.sql.types.StructType")().add("a", "double").add("b", "double")
    uri = ctx.jvm.models.log_onnx(rid, onnx_bytes, "model", schema=schema).model_uri
    assert {"onnx", "python_function"} <= set(mlflow.models.get_model_info(uri).flavors)
    rows = pd.DataFrame([(a, b) for a, b, _ in m["df"].select("a", "b", "y").collect()], columns=["a", "b"])
    got = mlflow.pyfunc.load_model(uri).predict(rows)
    assert sorted(zip(rows["a"], (round(float(p), 9) for p in got["prediction"]))) == m["preds"]


@check()
def bridge_score_non_sparkml(ctx: Ctx) -> None:
    """A scikit-learn model logged by stock Python (sklearn flavor), made ONNX by the bridge, scored on the JVM: the same labels."""
    import numpy as np
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    from ...models.onnx_convert import convert_sklearn

    x = np.array([[float(i), float(i % 5)] for i in range(40)])
    y = (x[:, 0] + 3 * x[:, 1] > 25).astype(int)
    model = LogisticRegression().fit(x, y)
    frame = pd.DataFrame(x, columns=["a", "b"])
    with fluent(ctx) as mlflow, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.sklearn

        with mlflow.start_run(experiment_id=ctx.experiment_id):
            sig = mlflow.models.infer_signature(frame)
            uri = mlflow.sklearn.log_model(model, name="model", signature=sig, pip_requirements=["scikit-learn"]).model_uri
    scored = ctx.jvm.models.load_onnx(convert_sklearn(uri)).predict(frame.to_dict("records"))
    assert [r["output_label"] for r in scored] == list(model.predict(x))


@check(spark=True)
def parity_score_sparkml_jvm(ctx: Ctx) -> None:
    """A SparkML model logged by Python scores the same on the JVM (stock downloadModelVersion + PipelineModel.load)."""
    m = _spark_model(ctx)
    logged = _python_logged_spark_model(ctx)
    local = str(ctx.client.downloadModelVersion(logged["name"], logged["version"]).getPath())
    assert (Path(local) / "MLmodel").is_file(), os.listdir(local)
    ctx.jvm.spark()  # PipelineModel.load needs an active SparkSession in that JVM
    jmodel = ctx.cls("org.apache.spark.ml.PipelineModel").load(str(Path(local) / "sparkml"))
    assert _jvm_predictions(jmodel.transform(_jvm_frame(ctx))) == m["preds"]


@check(backends=ONE)
def stock_score_non_sparkml(ctx: Ctx) -> None:
    found = [c for c in ("org.mlflow.models.Model", "org.mlflow.sagemaker.ScoringServer", "org.mlflow.mleap.MLeapLoader") if class_exists(ctx, c)]
    if not found:
        require_stock(
            ctx,
            r"(?i)^(loadModel|predict|score)",
            "a pyfunc/flavor loader on the JVM (no org.mlflow.models, org.mlflow.sagemaker or org.mlflow.mleap classes)",
        )


@check()
def bridge_logged_models(ctx: Ctx) -> None:
    """loggedModels: create, params, tags (set, DELETE), a linked metric, finalize, search, delete; Python reads each."""
    lm, py = ctx.jvm.logged_models, ctx.py
    rid = ctx.java_run()
    m = lm.create_logged_model(ctx.experiment_id, ctx.unique("lm"), source_run_id=rid, params={"depth": "3"}, tags={"gone": "x"})
    lm.log_model_params(m.model_id, {"lr": "0.1"})
    lm.set_logged_model_tags(m.model_id, {"team": "jvm"})
    lm.delete_logged_model_tag(m.model_id, "gone")
    lm.log_metric(m.model_id, rid, "rmse", 0.5)
    lm.finalize_logged_model(m.model_id, "READY")
    p = py.get_logged_model(m.model_id)
    assert (p.params, p.tags.get("team"), "gone" in p.tags, p.status.to_int()) == ({"depth": "3", "lr": "0.1"}, "jvm", False, 2), p
    assert [(x.key, x.value) for x in p.metrics] == [("rmse", 0.5)]
    assert [x.model_id for x in lm.search_logged_models([ctx.experiment_id], f"name = '{m.name}'")] == [m.model_id]
    assert lm.list_logged_model_artifacts(m.model_id) == py.list_logged_model_artifacts(m.model_id) == []
    lm.delete_logged_model(m.model_id)
    assert [x.model_id for x in py.search_logged_models([ctx.experiment_id], filter_string=f"name = '{m.name}'")] == []


@check(spark=True)
def bridge_model_info(ctx: Ctx) -> None:
    """models.info of a Python-logged model: the flavors, signature, input example, run, uuid and time get_model_info gives."""
    import json

    from mlflow.models import get_model_info

    m = _spark_model(ctx)
    with fluent(ctx) as mlflow, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.spark

        with mlflow.start_run(experiment_id=ctx.experiment_id) as run:
            example = m["df"].select("a", "b").limit(2).toPandas()
            mlflow.spark.log_model(m["model"], artifact_path="model", input_example=example, pip_requirements=pinned_requirements())
    uri = f"runs:/{run.info.run_id}/model"
    ours, theirs = ctx.jvm.models.info(uri), get_model_info(uri)
    assert (ours.run_id, ours.model_uuid, ours.utc_time_created) == (theirs.run_id, theirs.model_uuid, theirs.utc_time_created)
    assert set(ours.flavors) == set(theirs.flavors)
    assert json.loads(ours.signature_inputs) == theirs.signature.inputs.to_dict()
    assert ours.input_example.equals(m["df"].select("a", "b").limit(2).toPandas())


@check(spark=True, backends=("py4j",))
def bridge_autolog_spark_ml(ctx: Ctx) -> None:
    """autolog.fit of a Pipeline: a run with Python's param names, estimator tags, the model and the training input."""
    from pyspark.ml import Pipeline
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import LinearRegression

    spark = ctx.need_spark()
    m = _spark_model(ctx)
    name = ctx.unique("autolog")
    spark.conf.set("spark.mlflow.experimentName", name)
    try:
        pipeline = Pipeline(stages=[VectorAssembler(inputCols=["a", "b"], outputCol="features"), LinearRegression(labelCol="y", maxIter=5)])
        ctx.jvm.autolog.fit(pipeline, m["df"])
    finally:
        spark.conf.unset("spark.mlflow.experimentName")
    run = ctx.py.get_run(ctx.jvm.autolog.last_run_id)
    assert run.info.experiment_id == ctx.py.get_experiment_by_name(name).experiment_id
    assert run.data.params["stages"] == "['VectorAssembler', 'LinearRegression']" and run.data.params["LinearRegression.maxIter"] == "5"
    assert run.data.tags["estimator_name"] == "Pipeline" and run.info.status == "FINISHED"
    assert {"estimator_info.json", "model"} <= {f.path for f in ctx.py.list_artifacts(run.info.run_id)}
    assert [t.value for d in run.inputs.dataset_inputs for t in d.tags] == ["train"]
