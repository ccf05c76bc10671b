"""ONNX models across the line (issue 14).

Python to JVM: scikit-learn pipelines logged by stock Python with the onnx flavor (or with the
sklearn flavor and converted by `bridge.models.onnx_convert`) are scored on the JVM by
`models.loadOnnx` and equal Python's ONNX Runtime: labels exactly, values within 1e-5.
JVM to Python: a Spark linear model turned into an ONNX graph on the JVM and logged by
`models.logOnnx` is read by stock `mlflow.onnx` / `mlflow.pyfunc`, with the JVM's predictions.
"""

from __future__ import annotations

import json
import urllib.request

import mlflow
import numpy as np
import onnxruntime as ort
import pandas as pd
import pytest
from mlflow.pyfunc import PythonModel
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from bridge.errors import BadInputError
from bridge.models import data, scoring
from bridge.models.onnx_convert import convert_sklearn

TOL = 1e-5  # float32 ONNX outputs: the tolerance for probabilities
REQS = ["mlflow"]  # given, so that logging does not infer them (a subprocess per model)
REL = 1e-6  # regression values (hundreds): relative, about 8 float32 ulps


def _python_ort(uri: str, x: pd.DataFrame) -> dict[str, np.ndarray]:
    """Python's ONNX Runtime on the model file of `uri` (as stock mlflow.onnx stores it)."""
    proto = mlflow.onnx.load_model(uri)
    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    out = sess.run(None, {name: x.to_numpy(dtype=np.float32)})
    return {o.name: v for o, v in zip(sess.get_outputs(), out)}


def _zipmap(values) -> np.ndarray:
    """skl2onnx's ZipMap output (a list of {class: probability}) as rows of probabilities by class."""
    return np.array([[d[k] for k in sorted(d)] for d in values], dtype=np.float64)


@pytest.fixture(scope="module")
def onnx_models(tracking_uri):
    """Stock Python: a wine classifier logged with the onnx flavor, a diabetes regressor with the sklearn flavor (converted by the bridge)."""
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType

    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_experiment("bridge-tests-onnx")
    wine, diabetes = data.wine(), data.diabetes()
    xw, xd = wine.drop(columns=["label"]), diabetes.drop(columns=["label"])
    clf = make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=20, max_depth=6, random_state=0)).fit(xw, wine["label"])
    reg = make_pipeline(StandardScaler(), GradientBoostingRegressor(n_estimators=40, random_state=0)).fit(xd, diabetes["label"])
    onx = to_onnx(clf, initial_types=[("float_input", FloatTensorType([None, xw.shape[1]]))])
    with mlflow.start_run(run_name="onnx-classifier"):
        clf_uri = mlflow.onnx.log_model(onx, name="model", signature=mlflow.models.infer_signature(xw), pip_requirements=REQS).model_uri
    with mlflow.start_run(run_name="sklearn-regressor"):
        # MLflow saves scikit-learn models with skops, which loads tree models only when told to trust their type.
        sig = mlflow.models.infer_signature(xd)
        skl_uri = mlflow.sklearn.log_model(
            reg, name="model", signature=sig, skops_trusted_types=["sklearn.tree._tree.Tree"], pip_requirements=REQS
        ).model_uri
    reg_uri = convert_sklearn(skl_uri)
    return {"classifier": (clf_uri, clf, xw), "regressor": (reg_uri, reg, xd), "sklearn": skl_uri}


def test_rows_scored_on_the_jvm_equal_python_onnx_runtime(jvm, onnx_models):
    uri, clf, x = onnx_models["classifier"]
    model = jvm.models.load_onnx(uri)
    assert model.input_columns == list(x.columns)
    assert model.output_columns == ["output_label", "output_probability"]
    rows = x.head(12)
    got = model.predict(rows.to_dict("records"))
    want = _python_ort(uri, rows)
    assert [r["output_label"] for r in got] == list(want["output_label"])
    assert np.abs(np.array([r["output_probability"] for r in got]) - _zipmap(want["output_probability"])).max() <= TOL
    assert [r["output_label"] for r in got] == list(clf.predict(rows))


def test_dataframe_transform_in_executors_equals_python(sessions, spark, onnx_models):
    jvm = sessions["py4j"]
    for kind in ("classifier", "regressor"):
        uri, skl, x = onnx_models[kind]
        model = jvm.models.load_onnx(uri)
        out = model.transform(spark.createDataFrame(x).repartition(3)).toPandas()
        # Rows may come back in another order: align them on the inputs.
        out = x.merge(out, on=list(x.columns), how="left", validate="one_to_one")
        want = _python_ort(uri, x)
        if kind == "classifier":
            assert list(out["output_label"]) == list(want["output_label"]) == list(skl.predict(x))
            assert np.abs(np.stack(out["output_probability"]) - _zipmap(want["output_probability"])).max() <= TOL
        else:
            assert out["variable"].dtype == np.float32
            # Tree sums in float32 may add up in another order (ONNX Runtime's threads): a few float32 ulps apart.
            assert np.abs(out["variable"].to_numpy(np.float64) / want["variable"].ravel() - 1).max() <= REL
            # float32 inside ONNX: close to scikit-learn's own float64 predictions, not equal.
            assert np.abs(out["variable"].to_numpy(np.float64) - skl.predict(x)).max() < 1e-3 * np.abs(skl.predict(x)).max()


def test_converted_sklearn_model_is_stored_next_to_it(onnx_models, mlflow_client):
    uri = onnx_models["regressor"][0]
    run_id = uri.split("/")[1]
    assert uri == f"runs:/{run_id}/model-onnx"
    files = {f.path for f in mlflow_client.list_artifacts(run_id, "model-onnx")}
    assert {"model-onnx/MLmodel", "model-onnx/model.onnx"} <= files
    assert set(mlflow.models.get_model_info(uri).flavors) == {"onnx", "python_function"}


@pytest.mark.parametrize("kind", ["classifier", "regression"])
def test_jvm_made_onnx_model_loads_in_stock_python(sessions, spark, kind):
    """A Spark linear model turned into ONNX on the JVM, logged by logOnnx, read by stock mlflow."""
    from pyspark.ml.classification import LogisticRegression
    from pyspark.ml.feature import VectorAssembler
    from pyspark.ml.regression import LinearRegression

    jvm = sessions["py4j"]
    pdf = data.wine() if kind == "classifier" else data.diabetes()
    cols = data.features(pdf)
    if kind == "classifier":
        pdf["label"] = pdf["label"].str[-1].astype(float)
    sdf = VectorAssembler(inputCols=cols, outputCol="features").transform(spark.createDataFrame(pdf))
    est = LogisticRegression(maxIter=10, regParam=0.01) if kind == "classifier" else LinearRegression(regParam=0.01, solver="normal")
    fitted = est.fit(sdf)
    onnx_bytes = jvm.models.linear_onnx(fitted)
    with mlflow.start_run(run_name=f"jvm-onnx-{kind}") as run:
        info = jvm.models.log_onnx(run.info.run_id, onnx_bytes, "model", example=sdf.select(*cols).limit(3), schema=sdf.select(*cols))
    assert set(info.flavors) == {"onnx", "python_function"}
    x = pdf[cols]
    stock = mlflow.pyfunc.load_model(info.model_uri).predict(x)
    assert mlflow.onnx.load_model(info.model_uri).graph.node[0].op_type == "MatMul"
    scored = jvm.models.load_onnx(info.model_uri).predict(x.to_dict("records"))
    spark_out = fitted.transform(sdf).toPandas()
    if kind == "classifier":
        assert list(stock["label"]) == [r["label"] for r in scored]
        jvm_p = np.array([[r[f"probability_{c}"] for c in range(3)] for r in scored])
        assert np.array_equal(stock[[f"probability_{c}" for c in range(3)]].to_numpy(), jvm_p)
        # And the graph is the Spark model: its own probabilities and labels.
        assert np.abs(jvm_p - np.stack(spark_out["probability"].map(lambda v: v.toArray()))).max() <= 1e-9
        assert list(stock["label"]) == list(spark_out["prediction"].astype(int))
    else:
        jvm_pred = np.array([r["prediction"] for r in scored])
        assert np.array_equal(stock["prediction"].to_numpy(), jvm_pred)
        assert np.abs(jvm_pred - spark_out["prediction"].to_numpy()).max() <= 1e-9


def test_score_command_and_server_take_onnx_models(sessions, onnx_models, tmp_path):
    uri, clf, x = onnx_models["classifier"]
    x.to_csv(tmp_path / "in.csv", index=False)
    n = scoring.score_file(uri, tmp_path / "in.csv", tmp_path / "out.parquet", "scala", backend="py4j")
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert n == len(x) and list(out.columns) == [*x.columns, "output_label", "output_probability"]
    assert list(out["output_label"]) == list(clf.predict(x))
    server = sessions["py4j"].models.serve(uri)
    try:
        body = json.dumps({"dataframe_split": {"columns": list(x.columns), "data": x.head(4).to_numpy().tolist()}}).encode()
        req = urllib.request.Request(f"http://{server.host}:{server.port}/invocations", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            answer = json.loads(r.read())
            assert r.headers["X-Mlflowbridge-Scored-By"] == "onnx"
    finally:
        server.close()
    assert [p["output_label"] for p in answer["predictions"]] == list(clf.predict(x.head(4)))
    want = _zipmap(_python_ort(uri, x.head(4))["output_probability"])
    assert np.abs(np.array([p["output_probability"] for p in answer["predictions"]]) - want).max() <= TOL


def test_bad_inputs_are_named(sessions, spark, onnx_models, tmp_path):
    jvm = sessions["py4j"]
    uri, _, x = onnx_models["classifier"]
    model = jvm.models.load_onnx(uri)
    with pytest.raises(BadInputError, match="input is missing column\\(s\\) 'alcohol' that the ONNX model"):
        model.transform(spark.createDataFrame(x.drop(columns=["alcohol"])))
    with pytest.raises(BadInputError, match="row 0 has no column\\(s\\) 'proline'"):
        model.predict([x.drop(columns=["proline"]).iloc[0].to_dict()])
    with pytest.raises(BadInputError, match="input column 'alcohol' is string, which cannot feed ONNX input 'float_input'"):
        model.transform(spark.createDataFrame(x.astype({"alcohol": str})))
    # A scikit-learn model without its ONNX form: the error says how to make it.
    with pytest.raises(BadInputError, match="has no 'onnx' flavor \\(flavors: python_function, sklearn\\): convert it first"):
        jvm.models.load_onnx(onnx_models["sklearn"])
    # A model that is neither ONNX nor scikit-learn: no way to convert it.
    plain = tmp_path / "pyfunc"
    mlflow.pyfunc.save_model(str(plain), python_model=_Echo(), pip_requirements=REQS)
    with pytest.raises(BadInputError, match="has no 'onnx' flavor \\(flavors: python_function\\): the bridge converts only scikit-learn"):
        jvm.models.load_onnx(str(plain))
    with pytest.raises(BadInputError, match="has no sklearn flavor"):
        convert_sklearn(str(plain))
    # An operator ONNX Runtime does not have, named.
    bad = tmp_path / "badop"
    _save_onnx_with_op(bad, "NoSuchOp")
    with pytest.raises(BadInputError, match="does not support the operator NoSuchOp"):
        jvm.models.load_onnx(str(bad))


class _Echo(PythonModel):
    def predict(self, context, model_input):
        return model_input


def _save_onnx_with_op(path, op: str) -> None:
    """An MLflow onnx model whose graph has one node of `op` (written past onnx's checker, as a foreign tool might)."""
    from onnx import TensorProto, helper

    def graph(op_type):
        node = helper.make_node(op_type, ["x"], ["y"])
        g = helper.make_graph(
            [node],
            "g",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 2])],
        )
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)

    mlflow.onnx.save_model(graph("Relu"), str(path), pip_requirements=REQS)
    (path / "model.onnx").write_bytes(graph(op).SerializeToString())
