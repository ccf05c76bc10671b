"""The model zoo in both directions (see tests/zoo.py for the pipelines).

- Python -> Scala: each fitted pipeline is logged by stock `mlflow.spark.log_model` and scored
  by the Scala engine and by the Python engine; both equal pyspark's own `transform` of the
  fitted model on the same rows.
- JVM -> Python: the same pipeline logged with our `Mlflow.models.log` is loaded by stock
  `mlflow.spark.load_model` (all result columns) and `mlflow.pyfunc.load_model` (the prediction
  column, where the model has one), and predicts what pyspark predicts.

Both engines run the same Spark ML code on the same typed rows, so results are expected to be
bit-identical; 1e-9 is asserted on every number, text and arrays of text must be equal, and NaN
and null must sit on the same rows.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from pathlib import Path

import mlflow
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zoo

from bridge.jvm import SparkScoring
from bridge.models import scoring, train
from bridge.models.compare import compare

TOLERANCE = 1e-9
NAMES = [e.name for e in zoo.ENTRIES]


class Fitted:
    """Each zoo pipeline fitted once per session on first use; also once each: its stock-logged
    model URI, and pyspark's own transform of its scoring rows (what every test compares with)."""

    def __init__(self, spark, experiment_id: str):
        self.spark = spark
        self.experiment_id = experiment_id
        self._done: dict[str, tuple] = {}
        self._logged: dict[str, str] = {}
        self._reference: dict[str, pa.Table] = {}

    def __getitem__(self, name: str) -> tuple:
        if name not in self._done:
            self._done[name] = zoo.BY_NAME[name].fit(self.spark)
        return self._done[name]

    def stock_logged(self, name: str) -> str:
        """The model URI of the pipeline logged by stock `mlflow.spark.log_model`."""
        if name not in self._logged:
            with mlflow.start_run(experiment_id=self.experiment_id, run_name=f"zoo-python-{name}"):
                self._logged[name] = train.log_stock(self[name][0], pip_requirements=train.pinned_requirements())
        return self._logged[name]

    def reference(self, name: str, src: Path) -> pa.Table:
        """pyspark's transform of the fitted pipeline on `src` (its scoring rows, see `rows_file`)."""
        if name not in self._reference:
            self._reference[name] = transformed(self.spark, self[name][0], src, list(zoo.BY_NAME[name].outputs), "reference")
        return self._reference[name]


@pytest.fixture(scope="session")
def zoo_experiment(tracking_uri):
    mlflow.set_tracking_uri(tracking_uri)
    return mlflow.set_experiment("bridge-tests-zoo").experiment_id


@pytest.fixture(scope="session")
def fitted(spark, zoo_experiment):
    return Fitted(spark, zoo_experiment)


def transformed(spark, model, src: Path, outputs: list[str], label: str) -> pa.Table:
    """pyspark's own transform of `model` on the rows in `src`: the input and `outputs` columns."""
    sdf = spark.read.parquet(str(src))
    dst = src.with_name(f"{label}.parquet")
    SparkScoring(spark).write(model.transform(sdf).select(*[f"`{c}`" for c in [*sdf.columns, *outputs]]), dst)
    return pq.read_table(dst)


def rows_file(rows, tmp_path: Path) -> Path:
    """The rows as Parquet, each with its `_row` id (what compare aligns on)."""
    src = tmp_path / "input.parquet"
    rows.assign(**{scoring.ROW: range(len(rows))}).to_parquet(src, index=False)
    return src


def scored(uri: str, src: Path, engine: str, backend: str = "py4j") -> pa.Table:
    dst = src.with_name(f"{engine}-{backend}.parquet")
    scoring.score_file(uri, src, dst, engine, backend)  # type: ignore[arg-type]
    return pq.read_table(dst)


def assert_agree(expected: pa.Table, got: pa.Table, outputs: list[str], what: str) -> None:
    cmp = compare(expected, got, outputs, TOLERANCE)
    assert cmp.rows == expected.num_rows
    assert cmp.ok, f"{what}:\n{cmp.render()}"


@pytest.mark.parametrize("name", NAMES)
def test_python_logged_pipeline_scores_in_scala(name, fitted, tmp_path):
    entry = zoo.BY_NAME[name]
    _, _, rows = fitted[name]
    uri = fitted.stock_logged(name)
    src = rows_file(rows, tmp_path)
    scala = scored(uri, src, "scala", "py4j")
    python = scored(uri, src, "python")
    outputs = [c for c in scala.column_names if c not in rows.columns and c != scoring.ROW]
    assert sorted(outputs) == sorted(entry.outputs), f"{name}: outputs {outputs}"
    assert outputs == [c for c in python.column_names if c not in rows.columns and c != scoring.ROW]
    expected = fitted.reference(name, src)
    assert_agree(expected, scala, outputs, f"{name}: Scala engine vs pyspark")
    assert_agree(expected, python, outputs, f"{name}: Python engine vs pyspark")


@pytest.mark.parametrize("name", NAMES)
def test_jvm_logged_pipeline_loads_in_stock_python(name, fitted, spark, sessions, zoo_experiment, tmp_path):
    entry = zoo.BY_NAME[name]
    model, training, rows = fitted[name]
    with mlflow.start_run(experiment_id=zoo_experiment, run_name=f"zoo-jvm-{name}") as run:
        info = sessions["py4j"].models.log(
            run.info.run_id, model, "model", example=spark.createDataFrame(rows.head(3)), training=spark.createDataFrame(training)
        )
    local = mlflow.artifacts.download_artifacts(info.model_uri, dst_path=str(tmp_path / "model"))  # once for both loaders (URIs: test_models_engines)
    src = rows_file(rows, tmp_path)
    outputs = list(entry.outputs)
    expected = fitted.reference(name, src)

    loaded = mlflow.spark.load_model(local)
    assert [type(s).__name__ for s in loaded.stages] == [type(s).__name__ for s in model.stages]
    got = transformed(spark, loaded, src, outputs, "stock-loaded")
    assert_agree(expected, got, outputs, f"{name}: stock mlflow.spark.load_model vs pyspark")

    if "prediction" in outputs:
        predicted = mlflow.pyfunc.load_model(local).predict(rows)
        values = predicted.tolist() if hasattr(predicted, "tolist") else list(predicted)
        values = [v.tolist() if hasattr(v, "tolist") else v for v in values]
        pyfunc = pa.table({scoring.ROW: list(range(len(rows))), "prediction": pa.array(values, type=expected.schema.field("prediction").type)})
        assert_agree(expected.select([scoring.ROW, "prediction"]), pyfunc, ["prediction"], f"{name}: stock mlflow.pyfunc predict vs pyspark")


@pytest.mark.parametrize("name", ["text_tfidf_logistic", "imputer_gbt_regressor", "sql_rformula_glm", "als_cold_start"])
def test_scala_engine_over_jpype(name, fitted, tmp_path):
    """The issue's failing kinds through the other backend: the JVM inside this process (JPype)."""
    src = rows_file(fitted[name][2], tmp_path)
    got = scored(fitted.stock_logged(name), src, "scala", "jpype")
    outputs = list(zoo.BY_NAME[name].outputs)
    assert_agree(fitted.reference(name, src), got, outputs, f"{name}: Scala engine over JPype vs pyspark")


def test_compare_counts_cold_start_nan_and_passes_nulls_to_imputer(fitted):
    """The issue's two cases: ALS NaN for unseen users/items is equal in both engines (counted,
    not a disagreement), and rows with missing values reach the Imputer instead of being refused."""
    for name, column in (("als_cold_start", "prediction"), ("imputer_gbt_regressor", "prediction")):
        rows = fitted[name][2]
        cmp = scoring.compare_engines(fitted.stock_logged(name), rows, TOLERANCE, backend="py4j")
        assert cmp.ok, cmp.render()
        col = next(c for c in cmp.columns if c.name == column)
        assert col.how == "number, |difference|"
        if name == "als_cold_start":
            unseen = int(((rows["user"] >= 998) | (rows["item"] >= 776)).sum())
            assert unseen == 3 and col.nans == unseen, cmp.render()
            assert re.search(rf"prediction\s+number, \|difference\|\s+0\.000e\+00\s+0\s+0\s+{unseen}\n", cmp.render()), cmp.render()
        else:
            assert rows[["bmi", "bp", "s1"]].isna().any(axis=1).sum() > 0 and col.nans == 0


def test_a_pure_python_stage_scores_in_python_and_is_named_by_the_scala_engine(spark, zoo_experiment, tmp_path):
    """Where a stage cannot cross, the error names it and its class and says what would work."""
    from bridge import BadInputError

    model, _, rows = zoo.with_python_stage(spark)
    with mlflow.start_run(experiment_id=zoo_experiment, run_name="zoo-python-stage"):
        uri = train.log_stock(model, pip_requirements=train.pinned_requirements())
    src = rows_file(rows.head(20), tmp_path)
    python = scored(uri, src, "python")
    got = python.column("plus_one").to_pylist()
    assert got == [p + 1.0 for p in python.column("prediction").to_pylist()]
    uid = model.stages[-1].uid
    with pytest.raises(
        BadInputError,
        match=rf"stage {uid} has class zoo\.PlusOne, which is not a JVM class \(a pure-Python stage, "
        r"or a JVM stage whose jar is missing\); the JVM cannot load it\. Rewrite the stage as a JVM "
        r"Transformer or score this model in Python",
    ):
        scored(uri, src, "scala", "py4j")


def test_zoo_covers_every_family_of_spark_ml(fitted):
    covered: set[str] = set()
    for name in NAMES:
        covered |= zoo.stage_classes(fitted[name][0])
    listed = {k for kinds in zoo.STAGE_KINDS.values() for k in kinds}
    assert len(NAMES) >= 25
    assert listed <= covered, f"listed but not in any zoo pipeline: {sorted(listed - covered)}"


def test_docs_list_the_zoo_stage_kinds():
    page = (Path(__file__).resolve().parents[2] / "docs" / "scoring.md").read_text(encoding="utf-8")
    section = page.split("\n## Model zoo\n", 1)[1].split("\n## ", 1)[0]
    for family, kinds in zoo.STAGE_KINDS.items():
        line = next((ln for ln in section.splitlines() if ln.startswith(f"| {family} |")), None)
        assert line is not None, f"docs/scoring.md's zoo table lacks the row '{family}'"
        assert set(re.findall(r"`([A-Za-z0-9]+)`", line)) == set(kinds), f"docs/scoring.md's row '{family}' differs from tests/zoo.py"
    assert f"{len(NAMES)} pipelines" in section


def test_cli_compare_on_a_text_pipeline(fitted, run_cli, tmp_path):
    """The issue's first failure: a text pipeline through `mlflow-bridge compare`."""
    rows = fitted["text_tfidf_logistic"][2]
    uri = fitted.stock_logged("text_tfidf_logistic")
    rows.head(50).to_json(tmp_path / "docs.jsonl", orient="records", lines=True)
    r = run_cli("compare", "--model-uri", uri, "--input", str(tmp_path / "docs.jsonl"))
    assert r.returncode == 0, r.stderr[-3000:]
    assert "rows compared: 50" in r.stdout and "verdict: AGREE" in r.stdout, r.stdout
    assert re.search(r"predicted_label\s+text, by value\s+0\s+0\s+0", r.stdout), r.stdout
    assert re.search(r"probability\s+numbers elementwise, \|difference\|\s+0\.000e\+00\s+0", r.stdout), r.stdout


# Its input is a column of lists of strings, which the scoring protocol's typing does not carry (lists of numbers only).
NOT_SERVED = {"fpgrowth"}


@pytest.mark.parametrize("name", NAMES)
def test_row_scorer_and_server_equal_transform(name, fitted, spark, sessions, tmp_path):
    """Every row of every zoo pipeline: `models.row_scorer` (the plan compiled once, rows evaluated
    without a Spark job; ALS through its twin with the factors in memory) and `models.serve`
    (1-row and all-row requests, on the row path) equal pyspark's transform."""
    entry, rows = zoo.BY_NAME[name], fitted[name][2]
    uri, src = fitted.stock_logged(name), rows_file(rows, tmp_path)
    expected = fitted.reference(name, src)
    models = sessions["py4j"].models
    sdf = spark.read.parquet(str(src))
    dst = src.with_name("row-scorer.parquet")
    SparkScoring(spark).write(models.row_scorer(uri).score(sdf).select(*[f"`{c}`" for c in [*sdf.columns, *entry.outputs]]), dst)
    assert_agree(expected, pq.read_table(dst), list(entry.outputs), f"{name}: row scorer vs pyspark")
    if "prediction" not in entry.outputs or name in NOT_SERVED:
        return
    server = models.serve(uri)
    try:
        url = f"http://{server.host}:{server.port}"
        # Every value exactly (to_json rounds to 10 digits); NaN as null, as Parquet holds it.
        split = {"columns": list(rows.columns), "data": rows.astype(object).where(rows.notna(), None).values.tolist()}
        want = np.asarray(expected.sort_by(scoring.ROW).column("prediction").to_pylist(), dtype=float)
        status, answer, scored_by = _post(url, json.dumps({"dataframe_split": split}))
        assert (status, scored_by) == (200, "row"), answer
        assert np.array_equal(np.asarray(answer["predictions"], dtype=float), want, equal_nan=True)
        i = int(rows.notna().all(axis=1).to_numpy().argmax())  # a row without nulls: alone, a null column has no type to show
        one = {"dataframe_split": {"columns": split["columns"], "data": split["data"][i : i + 1]}}
        status, answer, scored_by = _post(url, json.dumps(one))
        assert (status, scored_by) == (200, "row") and np.array_equal(answer["predictions"], want[i : i + 1], equal_nan=True), answer
    finally:
        server.close()


def test_a_pipeline_no_row_path_takes_is_named_and_served_through_dataframes(spark, sessions, zoo_experiment):
    """A stage whose plan is not row-wise (a window over the request's rows): the row scorer
    refuses it naming the stage, and the server answers through the DataFrame path what
    pyspark's transform of the same rows gives."""
    from pyspark.ml import Pipeline
    from pyspark.ml.feature import SQLTransformer, VectorAssembler
    from pyspark.ml.regression import LinearRegression

    from bridge import BadInputError

    rows = zoo.diabetes()[["bmi", "bp", "label"]].head(60)
    centred = SQLTransformer(statement="SELECT *, bmi - avg(bmi) OVER () AS bmi_centred FROM __THIS__")
    assembler = VectorAssembler(inputCols=["bmi_centred", "bp"], outputCol="features")
    model = Pipeline(stages=[centred, assembler, LinearRegression()]).fit(spark.createDataFrame(rows))
    request = rows.drop(columns=["label"]).head(3)
    want = [r["prediction"] for r in model.transform(spark.createDataFrame(request)).select("prediction").collect()]
    models = sessions["py4j"].models
    with mlflow.start_run(experiment_id=zoo_experiment, run_name="zoo-windowed") as run:
        uri = models.log(run.info.run_id, model, "model").model_uri
    with pytest.raises(BadInputError, match=rf"cannot be scored row by row: stage 1 of 3 \(SQLTransformer '{centred.uid}'\): its plan has a Window"):
        models.row_scorer(uri).score(spark.createDataFrame(request))
    server = models.serve(uri)
    try:
        split = {"columns": list(request.columns), "data": request.values.tolist()}
        status, answer, scored_by = _post(f"http://{server.host}:{server.port}", json.dumps({"dataframe_split": split}))
        assert (status, scored_by) == (200, "dataframe"), answer
        assert np.allclose(answer["predictions"], want, rtol=0, atol=1e-9), (answer, want)
    finally:
        server.close()


def _post(url: str, body: str) -> tuple[int, dict, str | None]:
    """Status, JSON answer and the path that scored it (`X-Mlflowbridge-Scored-By`)."""
    req = urllib.request.Request(f"{url}/invocations", body.encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read()), r.headers.get("X-Mlflowbridge-Scored-By")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), None
