"""The Python engine: stock `mlflow.spark.load_model` on pyspark (plus the legacy run layout)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import BadInputError, NotFoundError
from ..jvm import SparkScoring, to_bridge_error


def load(model_uri: str, spark: Any) -> tuple[Any, str | None]:
    """A pyspark PipelineModel for `model_uri` and its MLmodel signature inputs (JSON, or None).

    An MLflow spark model, or a legacy run layout: Scala runs that only did `logArtifacts` of a
    saved PipelineModel directory (amesar/mlflow-examples: `spark-model/sparkml`, no MLmodel).
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        local = Path(mlflow.artifacts.download_artifacts(model_uri, dst_path=tempfile.mkdtemp(prefix="bridge-model-")))
    except MlflowException as e:
        first = str(e).splitlines()[0]
        if "not in a valid JSON format" in first:  # a web page or proxy at the tracking URI
            raise BadInputError(
                f"the server answered with HTML or text, not MLflow's JSON, for model {model_uri}: "
                "is MLFLOW_TRACKING_URI the tracking server's address, not a proxy's or a web page's?"
            ) from None
        raise NotFoundError(f"model {model_uri} not found: {first}") from None
    except OSError as e:
        raise NotFoundError(f"model {model_uri} not found: {e}") from None
    if (local / "MLmodel").is_file():
        meta = _check_mlmodel(local, model_uri)
        import mlflow.spark

        try:
            model = _load_spark_model(local, meta, spark, model_uri)
        except Exception as e:  # noqa: BLE001 - Spark's reader errors (a truncated or damaged stage)
            if not type(e).__module__.startswith(("pyspark", "py4j")):
                raise
            raise BadInputError(f"model {model_uri} is corrupt: Spark cannot read it: {_first_line(to_bridge_error(e) or e)}") from None
        return model, (meta.get("signature") or {}).get("inputs")
    return _load_legacy(local, model_uri), None


def _load_spark_model(local: Path, meta: dict, spark: Any, model_uri: str) -> Any:
    """Stock `mlflow.spark.load_model` under a local master. On a cluster the same steps (the
    flavor's code folder on sys.path, then `PipelineModel.load`), with Spark reading a copy that
    every worker can read instead of this driver's download folder."""
    import mlflow.spark

    flavor = meta["flavors"]["spark"]
    for cls, rel in sorted((flavor.get("jvm_stage_jars") or {}).items()):  # a team's own stages (see CustomStages)
        jar = local / rel
        if not jar.is_file():
            raise BadInputError(
                f"model {model_uri} needs the jar {rel!r} for its stage class {cls}, but the model has no such file (MLmodel: jvm_stage_jars)"
            )
        spark.sql("ADD JAR '" + str(jar).replace("\\", "\\\\").replace("'", "\\'") + "'")  # the driver's loader and the executors
    if spark.sparkContext.master.startswith("local"):
        return mlflow.spark.load_model(str(local))
    from mlflow.utils.model_utils import _add_code_from_conf_to_system_path
    from pyspark.ml import PipelineModel

    _add_code_from_conf_to_system_path(str(local), flavor)
    return PipelineModel.load(SparkScoring(spark).staged(local / flavor.get("model_data", "sparkml")))


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return (text.splitlines()[0] if text else type(e).__name__)[:300]


def _check_mlmodel(local: Path, model_uri: str) -> dict:
    import yaml

    try:
        meta = yaml.safe_load((local / "MLmodel").read_text())
    except yaml.YAMLError as e:
        raise BadInputError(f"{model_uri}: MLmodel is not valid YAML ({str(e).splitlines()[0]})") from None
    if not isinstance(meta, dict) or "spark" not in (meta.get("flavors") or {}):
        raise BadInputError(
            f"{model_uri}: MLmodel has no spark flavor (flavors: {sorted((meta or {}).get('flavors') or {}) if isinstance(meta, dict) else 'none'})"
        )
    data = meta["flavors"]["spark"].get("model_data", "sparkml")
    if not (local / data / "metadata").is_dir():
        raise BadInputError(f"{model_uri}: the spark flavor's {data}/ directory is missing or has no metadata/")
    return meta


def _load_legacy(local: Path, model_uri: str) -> Any:
    from pyspark.ml import PipelineModel

    for candidate in (local, local / "sparkml"):
        if (candidate / "metadata").is_dir() and (candidate / "stages").is_dir():
            return PipelineModel.load(str(candidate))
    found = sorted(p.name for p in local.iterdir())[:10]
    raise BadInputError(
        f"{model_uri} is neither an MLflow model (no MLmodel) nor a saved PipelineModel (no metadata/ and stages/, nor sparkml/); found: {found}"
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


def score(model: Any, signature_inputs: str | None, spark: Any, src: str | os.PathLike, dst: str | os.PathLike) -> int:
    """Score the file `src` into the file `dst` with pyspark's own `transform`; returns the rows.

    Input checks and the choice of output columns are Spark's own rules, asked of the JVM
    (the same code the Scala engine runs), and so are reading and writing; nulls reach the
    stages, whose rules decide. A pipeline with a pure-Python stage has no JVM twin: it is
    scored as it is and every column it adds is returned.
    """
    spark_scoring = SparkScoring(spark)
    rules = spark_scoring.rules(model)
    raw = spark_scoring.read(src, signature_inputs)
    sdf = _cast_to_signature(raw, signature_inputs)
    if rules is not None:
        rules.check_input(raw, signature_inputs)  # the uncast input, as the Scala engine checks it
    elif raw.isEmpty():
        raise BadInputError("input has no rows")
    try:
        out = model.transform(sdf)
        outputs = rules.output_columns(sdf) if rules is not None else [c for c in out.columns if c not in sdf.columns]
        keep = [c for c in sdf.columns if c in out.columns] + outputs  # a SQLTransformer may drop inputs
        return spark_scoring.write(out.select(*[quote(c) for c in keep]), dst)
    except Exception as e:  # a stage refused the input (a column, or a value at run time: nulls, unseen labels)
        raise (e if rules is None else rules.explain_failure(sdf, e)) from None


def quote(name: str) -> str:
    """A column name for Spark's select: names may hold dots, spaces and backticks."""
    return "`" + name.replace("`", "``") + "`"


def _cast_to_signature(sdf: Any, signature_inputs: str | None) -> Any:
    """Widen numeric columns to the signature's type (CSV integers for a double), as the Scala engine does."""
    if not signature_inputs:
        return sdf
    from pyspark.sql.types import NumericType

    spark_types = {"double": "double", "float": "float", "long": "bigint", "integer": "int"}
    want = {c.get("name"): spark_types[c["type"]] for c in json.loads(signature_inputs) if c.get("type") in spark_types}
    cols = []
    for f in sdf.schema.fields:
        target = want.get(f.name)
        if target and isinstance(f.dataType, NumericType) and f.dataType.simpleString() != target:
            cols.append(sdf[quote(f.name)].cast(target).alias(f.name))
        else:
            cols.append(sdf[quote(f.name)])
    return sdf.select(*cols)
