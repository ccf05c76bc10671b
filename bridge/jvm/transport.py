"""Transport: how a session reaches the JVM that runs `mlflowbridge.Mlflow`.

Two implement it today: `jpype_backend.JpypeTransport` (a JVM inside this process) and
`py4j_backend.Py4jTransport` (pyspark's gateway to its driver JVM). Everything above this
interface (the session and its members, `convert`) holds only what the methods below return
and calls methods on it by name, so a third transport needs no py4j or JPype objects.

The call style. A "Java object" here is any value whose methods can be called by name:
`obj.logParams(run_id, params)`. The members call `convert.call(obj, "logParams", ...)`, which is
`getattr(obj, "logParams")(...)`. Arguments are None, str, bool, int, float, or what this
interface returned (classes, objects, lists, maps, byte arrays, DataFrames); results are
those again, or Java strings and numbers that `str()`, `int()`, `float()` read, or Java lists
that iterate.

For a Spark Connect transport (a Python client with no JVM; a plugin of ours on the server
runs the Scala API and answers calls forwarded by name):
- `java_class(name)` returns a handle: a small Python proxy whose attribute `m` is a function
  sending `{"target": <handle id>, "method": "m", "args": [...]}` to the plugin (a Connect
  command) and returning the answer. The plugin keeps every non-JSON result (an ActiveRun,
  a Java model) in a table of its session and answers `{"handle": id}`, which the transport
  turns into another proxy; JSON answers (strings, numbers, lists of them) come back as they
  are. Handles die with the Connect session (`close`).
- `java_list`, `java_map`, `java_bytes` return plain JSON values (a list, an object, base64
  text marked as bytes): the plugin turns them into java.util.List/Map and byte[] before the call.
- `dataframe(df)` returns a reference the plugin resolves to a Dataset: a Connect DataFrame's
  plan (`df._plan.to_proto(...)`, sent with the call; the plugin plans it with its
  SparkConnectPlanner). `pyspark_dataframe` is the reverse: a relation the plugin registers
  (e.g. a temp view) read back with `spark.table(...)`. `ml_model` / `pyspark_pipeline` the
  same for fitted models (Spark 4's server-side ML keeps models by reference id).
- Errors: the plugin answers `{"error": {"kind": ..., "class": ..., "message": ...}}`; the
  transport raises `translate.error_of_kind(kind, message)` (a BridgeError, which the members
  pass through untouched). Kinds and classes, never message text, choose the Python type.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Literal

Backend = Literal["jpype", "py4j"]


class Transport(ABC):
    """What a session needs of a JVM: classes by name, Java values made from Python ones, the
    Spark side of pyspark objects, and the end of the connection."""

    backend: Backend

    @abstractmethod
    def java_class(self, name: str) -> Any:
        """The class `name` (e.g. "mlflowbridge.Mlflow"): call it to construct, call its statics by name."""

    def java_list(self, items: list[Any]) -> Any:
        """A java.util.List of `items` (already Java values or JSON scalars)."""
        out = self.java_class("java.util.ArrayList")()
        for item in items:
            out.add(item)
        return out

    def java_map(self, pairs: dict[str, Any], ordered: bool = False) -> Any:
        """A java.util.Map with String keys (LinkedHashMap when `ordered`, to keep the order)."""
        out = self.java_class("java.util.LinkedHashMap" if ordered else "java.util.HashMap")()
        for key, value in pairs.items():
            out.put(str(key), value)
        return out

    def java_boxed(self, value: bool | int | float) -> Any:
        """A java.lang.Boolean, Long or Double (where a Map<String, Object> needs the exact type)."""
        kind = "Boolean" if isinstance(value, bool) else "Long" if isinstance(value, int) else "Double"
        return self.java_class(f"java.lang.{kind}")(value)

    @abstractmethod
    def java_bytes(self, data: bytes) -> Any:
        """A Java byte[] holding `data`."""

    @abstractmethod
    def dataframe(self, df: Any) -> Any:
        """The Dataset behind a pyspark DataFrame (a BadInputError when it lives in another JVM)."""

    @abstractmethod
    def pyspark_dataframe(self, jdf: Any, like: Any) -> Any:
        """A Java Dataset as a pyspark DataFrame of the session `like` (a pyspark DataFrame) belongs to."""

    @abstractmethod
    def ml_model(self, model: Any) -> Any:
        """The JVM model behind a fitted pyspark model or pipeline."""

    @abstractmethod
    def pyspark_pipeline(self, jmodel: Any) -> Any:
        """A JVM PipelineModel as pyspark's PipelineModel, or as it is when this transport has no pyspark."""

    @abstractmethod
    def spark(self) -> Any:
        """The JVM's SparkSession (pyspark's, or a local one started in the JVM)."""

    def close(self) -> None:
        """Let go of the connection (the in-process JVM and pyspark's gateway outlive a session)."""
