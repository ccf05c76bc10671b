"""The Python engine: stock `mlflow.spark.load_model` on pyspark (plus the legacy run layout)."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import BadInputError, NotFoundError


def load(model_uri: str, spark: Any) -> Any:
    """A pyspark PipelineModel for `model_uri`: an MLflow spark model, or a legacy run layout.

    Legacy: Scala runs that only did `logArtifacts` of a saved PipelineModel directory
    (amesar/mlflow-examples: `spark-model/sparkml`, no MLmodel).
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        local = Path(mlflow.artifacts.download_artifacts(model_uri, dst_path=tempfile.mkdtemp(prefix="bridge-model-")))
    except MlflowException as e:
        raise NotFoundError(f"model {model_uri} not found: {str(e).splitlines()[0]}") from None
    except OSError as e:
        raise NotFoundError(f"model {model_uri} not found: {e}") from None
    if (local / "MLmodel").is_file():
        _check_mlmodel(local, model_uri)
        import mlflow.spark

        return mlflow.spark.load_model(str(local))
    return _load_legacy(local, model_uri)


def _check_mlmodel(local: Path, model_uri: str) -> None:
    import yaml

    try:
        meta = yaml.safe_load((local / "MLmodel").read_text())
    except yaml.YAMLError as e:
        raise BadInputError(f"{model_uri}: MLmodel is not valid YAML ({str(e).splitlines()[0]})") from None
    if not isinstance(meta, dict) or "spark" not in (meta.get("flavors") or {}):
        raise BadInputError(f"{model_uri}: MLmodel has no spark flavor (flavors: {sorted((meta or {}).get('flavors') or {}) if isinstance(meta, dict) else 'none'})")
    data = meta["flavors"]["spark"].get("model_data", "sparkml")
    if not (local / data / "metadata").is_dir():
        raise BadInputError(f"{model_uri}: the spark flavor's {data}/ directory is missing or has no metadata/")


def _load_legacy(local: Path, model_uri: str) -> Any:
    from pyspark.ml import PipelineModel

    for candidate in (local, local / "sparkml"):
        if (candidate / "metadata").is_dir() and (candidate / "stages").is_dir():
            return PipelineModel.load(str(candidate))
    found = sorted(p.name for p in local.iterdir())[:10]
    raise BadInputError(
        f"{model_uri} is neither an MLflow model (no MLmodel) nor a saved PipelineModel "
        f"(no metadata/ and stages/, nor sparkml/); found: {found}"
    )


def describe_layout(model_uri: str) -> str:
    """What `load` found at the URI: 'mlflow spark model', 'legacy PipelineModel dir', ..."""
    import mlflow

    local = Path(mlflow.artifacts.download_artifacts(model_uri, dst_path=tempfile.mkdtemp(prefix="bridge-model-")))
    if (local / "MLmodel").is_file():
        return "MLflow model (MLmodel with the spark flavor)"
    if (local / "metadata").is_dir():
        return "legacy layout: a saved PipelineModel directory without MLmodel"
    if (local / "sparkml" / "metadata").is_dir():
        return "legacy layout: sparkml/ without MLmodel"
    return "unknown layout"


def required_inputs(model: Any) -> dict[str, str]:
    """Input columns the pipeline reads that no earlier stage produces: name -> "numeric" | "vector".

    StringIndexer inputs are left out: Spark skips a StringIndexerModel whose column is absent
    (the label indexer of a trained pipeline), so scoring data needs no label.
    """
    produced: set[str] = set()
    needed: dict[str, str] = {}
    for stage in model.stages:
        if type(stage).__name__ != "StringIndexerModel":
            for param, kind in (("inputCol", "numeric"), ("inputCols", "numeric"), ("featuresCol", "vector")):
                for col in _param_values(stage, param):
                    if col not in produced:
                        needed.setdefault(col, kind)
        for param in ("outputCol", "outputCols", "predictionCol", "probabilityCol", "rawPredictionCol"):
            produced.update(_param_values(stage, param))
    return needed


def _param_values(stage: Any, param: str) -> list[str]:
    if not (stage.hasParam(param) and stage.isDefined(param)):
        return []
    value = stage.getOrDefault(param)
    return list(value) if isinstance(value, (list, tuple)) else [value]


def check_input(model: Any, df: pd.DataFrame) -> None:
    """Bad input gets an error naming what was wrong, before Spark turns it into a stack trace."""
    if len(df) == 0:
        raise BadInputError("input has no rows")
    needed = required_inputs(model)
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise BadInputError(f"input lacks column(s) the model needs: {', '.join(missing)}")
    for col, kind in needed.items():
        if kind == "numeric" and not (pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col])):
            raise BadInputError(f"input column {col!r} must be numeric, got {df[col].dtype}")
        nulls = int(df[col].isna().sum())
        if nulls:
            raise BadInputError(f"input column {col!r} has {nulls} null value(s)")


def output_columns(model: Any) -> list[str]:
    """What scoring returns besides the input (the Scala engine's rule, mlflowbridge.Scoring):
    the prediction, class probabilities, and labels mapped back by IndexToString."""
    prediction, extra = "prediction", []
    for stage in model.stages:
        prediction = (_param_values(stage, "predictionCol") or [prediction])[0]
        extra += _param_values(stage, "probabilityCol")
        if type(stage).__name__ == "IndexToString":
            extra += _param_values(stage, "outputCol")
    return list(dict.fromkeys([prediction, *extra]))


def score(model: Any, spark: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """Transform `frame` (with its `_row` column) and return input + output columns, vectors as lists."""
    check_input(model, frame.drop(columns=["_row"], errors="ignore"))
    out = model.transform(spark.createDataFrame(frame))
    keep = list(frame.columns) + [c for c in output_columns(model) if c in out.columns and c not in frame.columns]
    return to_pandas(out.select(*[f"`{c}`" for c in keep]))


def to_pandas(sdf: Any) -> pd.DataFrame:
    """A Spark DataFrame as pandas, ML vectors as lists of floats (so files and engines compare)."""
    from pyspark.ml.functions import vector_to_array
    from pyspark.ml.linalg import VectorUDT

    vectors = {f.name for f in sdf.schema.fields if isinstance(f.dataType, VectorUDT)}
    pdf = sdf.select(*[vector_to_array(c).alias(c) if c in vectors else c for c in sdf.columns]).toPandas()
    for c in vectors:
        pdf[c] = pdf[c].map(lambda v: None if v is None else [float(x) for x in v])
    return pdf
