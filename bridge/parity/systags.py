"""The FAQ's "What are the MLflow system run tags?" table, regenerated for what runs here.

One run per creator (Python's fluent start_run, Java's MlflowContext.startRun, Java's bare
MlflowClient.createRun, our bridge.parity.runs.create_run), made by bridge/parity/tagprobe.py in
a child process whose main file is inside this checkout, as a user's training script would be.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID as PARENT_RUN_ID

from .runs import GIT_BRANCH, GIT_COMMIT, GIT_REPO_URL, RUN_NAME, SOURCE_NAME, SOURCE_TYPE, USER

CREATORS = {
    "python": "Python mlflow.start_run",
    "java_context": "Java MlflowContext.startRun",
    "java_client": "Java MlflowClient.createRun",
    "bridge": "bridge create_run",
}
DESCRIPTIONS = {
    USER: "who created the run",
    SOURCE_NAME: "the main file (entry point) that created the run",
    SOURCE_TYPE: "LOCAL, NOTEBOOK, JOB, PROJECT, ...",
    RUN_NAME: "the run's name",
    GIT_COMMIT: "commit of the main file's checkout (when tracked by git)",
    GIT_BRANCH: "branch of that checkout",
    GIT_REPO_URL: "first remote of that checkout",
    PARENT_RUN_ID: "parent of a nested run",
}
ORDER = [USER, SOURCE_NAME, SOURCE_TYPE, RUN_NAME, GIT_COMMIT, GIT_BRANCH, GIT_REPO_URL, PARENT_RUN_ID]
PROBE = Path(__file__).with_name("tagprobe.py")


@dataclass
class TagTable:
    tags: dict[str, dict[str, str]]  # creator -> its run's mlflow.* tags
    rows: list[str]  # tag keys, in table order

    def value(self, creator: str, key: str) -> str | None:
        return self.tags.get(creator, {}).get(key)

    def same_as_python(self, creator: str) -> bool:
        return all(self.value(creator, k) == self.value("python", k) for k in self.rows)

    def differences(self, creator: str) -> list[str]:
        return [k for k in self.rows if self.value(creator, k) != self.value("python", k)]

    def to_json(self) -> dict:
        return {"rows": self.rows, "tags": self.tags, "same_as_python": {c: self.same_as_python(c) for c in CREATORS if c != "python"}}


def probe(tracking_uri: str, experiment_id: str) -> TagTable:
    """Run tagprobe.py against the server and build the table from its runs' tags."""
    env = dict(os.environ, MLFLOW_TRACKING_URI=tracking_uri)
    r = subprocess.run([sys.executable, str(PROBE), tracking_uri, str(experiment_id)], env=env, capture_output=True, text=True, timeout=600)
    for line in r.stdout.splitlines():
        if line.startswith("TAGPROBE "):
            return build(json.loads(line[len("TAGPROBE ") :]))
    raise RuntimeError(f"tagprobe exited {r.returncode} without a result: {(r.stderr or r.stdout)[-1500:]}")


def build(raw: dict) -> TagTable:
    tags = {who: {k: v for k, v in raw[who]["tags"].items() if k.startswith("mlflow.")} for who in CREATORS if who in raw}
    seen = {k for t in tags.values() for k in t}
    always = (USER, SOURCE_NAME, SOURCE_TYPE, RUN_NAME, GIT_COMMIT)
    rows = [k for k in ORDER if k in seen or k in always] + sorted(seen - set(ORDER))
    return TagTable(tags, rows)


def short(key: str, value: str | None) -> str:
    if value is None:
        return "—"
    if key == GIT_COMMIT:
        return value[:10]
    if key == SOURCE_NAME and len(value) > 48:
        return "…" + value[-47:]
    return value


def markdown(table: TagTable, values: bool = True) -> str:
    """The table; with values=False each cell only says whether the tag is set (✓) or not (—)."""
    head = ["Tag", "Meaning"] + [CREATORS[c] for c in CREATORS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for k in table.rows:
        cells = [f"`{k}`", DESCRIPTIONS.get(k, "")] + [_md(short(k, table.value(c, k))) if values else _mark(table, c, k) for c in CREATORS]
        lines.append("| " + " | ".join(cells) + " |")
    same = (
        ["**same as Python?**", ""]
        + ["—"]
        + ["yes" if table.same_as_python(c) else "no: " + ", ".join(f"`{k}`" for k in table.differences(c)) for c in list(CREATORS)[1:]]
    )
    lines.append("| " + " | ".join(same) + " |")
    return "\n".join(lines)


def _mark(table: TagTable, creator: str, key: str) -> str:
    v = table.value(creator, key)
    if v is None:
        return "—"
    return "✓" if creator == "python" or v == table.value("python", key) else "✓ (other value)"


def _md(s: str) -> str:
    return s.replace("|", "\\|")
