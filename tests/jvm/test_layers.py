"""The layer rule, checked as `grep` would: only bridge/jvm/ crosses into the JVM."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BACKEND_MODULES = re.compile(
    r"\b(jpype_backend|py4j_backend|jvm\.launch|jvm\.translate|jvm\.classes|jvm\.wrapper)\b|from \.(translate|launch) import"
)
RAW = re.compile(r"raw_client|translating\(|\bimport jpype\b|from py4j")


def _python_files_outside_the_wrapper_layer() -> list[Path]:
    files = sorted((REPO / "bridge").rglob("*.py")) + sorted((REPO / "tests").rglob("*.py"))
    return [f for f in files if "bridge/jvm/" not in f.as_posix() and f.name != "test_layers.py"]


def test_only_bridge_jvm_imports_its_backend_modules():
    offenders = [f"{f.relative_to(REPO)}:{i}" for f in _python_files_outside_the_wrapper_layer()
                 for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if BACKEND_MODULES.search(line)]  # fmt: skip
    assert offenders == []


def test_no_raw_client_or_translating_outside_bridge_jvm():
    offenders = [f"{f.relative_to(REPO)}:{i}" for f in _python_files_outside_the_wrapper_layer()
                 for i, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1) if RAW.search(line)]  # fmt: skip
    assert offenders == []
