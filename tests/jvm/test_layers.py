"""The layer rule: only bridge/jvm/ crosses into the JVM; the rest of the package and the tests
reach it through `bridge.jvm`'s public API alone (its `__all__`, documented in its docstring)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# The deliberately small public API of bridge.jvm (see its docstring). Growing it is a decision:
# change it here and in bridge/jvm/__init__.py together.
PUBLIC = {
    "ActiveRun", "Backend", "Mlflow", "ModelInfo", "OnnxModel", "ScoringServer", "Span", "SparkScoring", "Tracer",
    "connect", "leave_process", "spark_session", "spark_tasks", "to_bridge_error",
}  # fmt: skip
RAW = re.compile(r"raw_client|translating\(|\bimport jpype\b|from py4j")


def _python_files_outside_the_wrapper_layer() -> list[Path]:
    files = sorted((REPO / "bridge").rglob("*.py")) + sorted((REPO / "tests").rglob("*.py"))
    return [f for f in files if "bridge/jvm/" not in f.as_posix() and f.name != "test_layers.py"]


def _absolute(package: list[str], node: ast.ImportFrom) -> str:
    """The module an import names (relative ones resolved from `package`, e.g. bridge.models)."""
    if node.level == 0:
        return node.module or ""
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def layer_sites(rel: Path, source: str) -> list[str]:
    """Every import in `source` (the file at `rel` in the repo) that reaches past bridge.jvm's public
    API: a submodule (`from bridge.jvm.x import y`, `import bridge.jvm.x`, `from .jvm.x import y`,
    `from bridge.jvm import x` naming a submodule) or a name bridge.jvm only re-exports from its internals."""
    package, sites = list(rel.with_suffix("").parts[:-1]), []
    for node in ast.walk(ast.parse(source)):
        where = f"{rel}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            sites += [f"{where} import {a.name}" for a in node.names if a.name.startswith("bridge.jvm.")]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(package, node)
            if module.startswith("bridge.jvm."):
                sites.append(f"{where} from {module}")
            elif module == "bridge.jvm":
                sites += [f"{where} from bridge.jvm import {a.name}" for a in node.names if a.name not in PUBLIC]
            elif module == "bridge":  # `from bridge import jvm` reaches everything
                sites += [f"{where} from bridge import jvm" for a in node.names if a.name == "jvm"]
    return sites


def all_layer_sites() -> list[str]:
    return [s for f in _python_files_outside_the_wrapper_layer() for s in layer_sites(f.relative_to(REPO), f.read_text(encoding="utf-8"))]


def test_bridge_jvm_exports_the_public_api_only():
    import bridge.jvm

    assert set(bridge.jvm.__all__) == PUBLIC
    assert all(not isinstance(getattr(bridge.jvm, name), type(bridge.jvm)) for name in PUBLIC)  # no submodule in the API


def test_the_rest_reaches_the_jvm_through_the_public_api_only():
    assert all_layer_sites() == []


def test_the_checker_sees_each_way_of_reaching_in():
    """Each form the rule forbids is caught (a checker that sees nothing stays green forever)."""
    probe = [
        "from bridge.jvm.session import Mlflow",
        "import bridge.jvm.convert",
        "from ..jvm.translate import translating",
        "from ..jvm import py4j_backend",
        "from bridge.jvm import Mlflow, JVM_OPTIONS",
        "from .. import jvm",
        "from bridge.jvm import Mlflow, connect",  # the public API: fine
    ]
    found = layer_sites(Path("bridge/models/probe.py"), "\n".join(probe))
    assert [int(s.split(":")[1].split(" ")[0]) for s in found] == [1, 2, 3, 4, 5, 6], found


def test_no_raw_client_or_translating_outside_bridge_jvm():
    offenders = [f"{f.relative_to(REPO)}:{i}" for f in _python_files_outside_the_wrapper_layer()
                 for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if RAW.search(line)]  # fmt: skip
    assert offenders == []
