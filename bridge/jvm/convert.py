"""Every conversion between Python and Java values, in one place (after pyspark's
`ml/wrapper.py` `_py2java` / `_java2py`). Java values are made by the session's Transport, so
the same converters serve every transport."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import BadInputError
from .transport import Transport

# -- Python -> Java -----------------------------------------------------------------------


def string_map(t: Transport, d: dict[str, Any] | None) -> Any:
    """A Map<String, String> of `d`, values as text (None stays null)."""
    return None if d is None else t.java_map({k: str(v) for k, v in d.items()})


def value_map(t: Transport, d: dict[str, Any]) -> Any:
    """A Map<String, Object> of `d`, values as the transport passes them (numbers, text, booleans)."""
    return t.java_map(d)


def double_map(t: Transport, d: dict[str, float]) -> Any:
    """A Map<String, java.lang.Double> (a metric batch)."""
    return t.java_map({k: t.java_boxed(float(v)) for k, v in d.items()})


def string_list(t: Transport, items: list[Any]) -> Any:
    return t.java_list([str(x) for x in items])


def json_tree(t: Transport, v: Any) -> Any:
    """JSON values as Java ones (ordered maps, lists, boxed numbers); the JVM writes them as Python would."""
    if isinstance(v, dict):
        return t.java_map({k: json_tree(t, x) for k, x in v.items()}, ordered=True)
    if isinstance(v, list):
        return t.java_list([json_tree(t, x) for x in v])
    if isinstance(v, (bool, int, float)):
        return t.java_boxed(v)
    return v


def java_bytes(t: Transport, data: bytes | bytearray) -> Any:
    return t.java_bytes(bytes(data))


def local_path(path: str | os.PathLike, must_exist: bool = True) -> str:
    """An absolute local path for the JVM (a clear error when it must exist and does not)."""
    p = Path(path).absolute()
    if must_exist and not p.exists():
        raise BadInputError(f"local file {p} does not exist")
    return str(p)


def is_pyspark(x: Any) -> bool:
    """A pyspark wrapper (model, DataFrame), not a Java object (py4j answers any attribute)."""
    return type(x).__module__.startswith("pyspark.")


def dataframe(t: Transport, df: Any) -> Any:
    """A pyspark DataFrame's Java Dataset; a Java one (or None) as it is."""
    return t.dataframe(df) if is_pyspark(df) else df


def schema(t: Transport, df: Any) -> Any:
    """The StructType of a DataFrame (pyspark or Java); None stays null."""
    if df is None:
        return None
    return (t.dataframe(df) if is_pyspark(df) else df).schema()


def ml_model(t: Transport, model: Any) -> Any:
    """A fitted pyspark model's JVM twin; a Java model as it is."""
    return t.ml_model(model) if is_pyspark(model) else model


# -- Java -> Python -----------------------------------------------------------------------


def text(v: Any) -> str | None:
    """A Java String (or null) as str (or None)."""
    return None if v is None else str(v)


def strings(values: Any) -> list[str]:
    """A Java list of strings (or anything iterable) as a list of str."""
    return [str(v) for v in values]


def to_python(v: Any) -> Any:
    """A Java result value as Python's: boxed numbers, strings, and lists of them."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    name = str(v.getClass().getName())
    if name in ("java.lang.Float", "java.lang.Double"):
        return float(v.doubleValue())
    if name in ("java.lang.Long", "java.lang.Integer"):
        return int(v.longValue())
    if name == "java.lang.String":
        return str(v)
    return [to_python(x) for x in v]


Entries = list[tuple[str, bool, int]]  # (path, is_dir, size) of each artifact


def artifact_entries(found: Any) -> Entries:
    """Scala `ArtifactEntry`s as (path, is_dir, size)."""
    return [(str(e.path()), bool(e.isDir()), int(e.fileSize())) for e in found]


def python_map(m: Any) -> dict[str, Any]:
    """A Java Map<String, ?> as a dict of Python values."""
    return {str(k): to_python(m.get(k)) for k in m.keySet()}


def entity(json_text: Any, pb_class: type, cls: Any) -> Any:
    """MLflow's own Python entity (e.g. `mlflow.entities.Run`) from the server's JSON of its proto message."""
    from google.protobuf.json_format import Parse

    return cls.from_proto(Parse(str(json_text), pb_class(), ignore_unknown_fields=True))
