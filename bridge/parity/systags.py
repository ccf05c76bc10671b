"""The FAQ's "What are the MLflow system run tags?" table, regenerated for what runs here.

One run per creator (Python's fluent start_run, Java's MlflowContext.startRun, Java's bare
MlflowClient.createRun, our bridge.parity.runs.create_run), made by bridge/parity/tagprobe.py in
a child process whose main file is inside this checkout, as a user's training script would be.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlflow.utils.mlflow_tags import MLFLOW_PARENT_RUN_ID as PARENT_RUN_ID

from .runs import GIT_BRANCH, GIT_COMMIT, GIT_REPO_URL, RUN_NAME, SOURCE_NAME, SOURCE_TYPE, USER

CREATORS = {
    "python": "Python mlflow.start_run",
    "java_context": "Java MlflowContext.startRun",
    "java_client": "Java MlflowClient.createRun",
    "bridge": "bridge create_run",
    "jvm_main": "JVM program (java JvmTagProbe.java)",
}
DESCRIPTIONS = {
    USER: "who created the run",
    SOURCE_NAME: "the main file (entry point) that created the run",
    SOURCE_TYPE: "LOCAL, NOTEBOOK, JOB, PROJECT, ...",
    RUN_NAME: "the run's name",
    GIT_COMMIT: "commit of the main file's checkout (when tracked by git)",
    GIT_BRANCH: "branch of that checkout",
    GIT_REPO_URL: "first remote of that checkout",
    PARENT_RUN_ID: "parent of a nested run (set on each creator's child run)",
}
ORDER = [USER, SOURCE_NAME, SOURCE_TYPE, RUN_NAME, GIT_COMMIT, GIT_BRANCH, GIT_REPO_URL, PARENT_RUN_ID]
PROBE = Path(__file__).with_name("tagprobe.py")


@dataclass
class TagTable:
    tags: dict[str, dict[str, str]]  # creator -> its run's mlflow.* tags
    rows: list[str]  # tag keys, in table order
    checkout: str = ""  # where the probe ran (removed afterwards)

    def value(self, creator: str, key: str) -> str | None:
        return self.tags.get(creator, {}).get(key)

    def same_as_python(self, creator: str) -> bool:
        return all(self.value(creator, k) == self.value("python", k) for k in self.rows)

    def differences(self, creator: str) -> list[str]:
        return [k for k in self.rows if self.value(creator, k) != self.value("python", k)]

    def to_json(self) -> dict:
        return {
            "rows": self.rows,
            "tags": self.tags,
            "checkout": self.checkout,
            "same_as_python": {c: self.same_as_python(c) for c in CREATORS if c != "python"},
        }


# The remote the probe's checkout gets, so that mlflow.source.git.repoURL shows (Python takes the first remote).
PROBE_REMOTE = "https://example.com/team/models.git"
JVM_PROBE = Path(__file__).with_name("JvmTagProbe.java")
ITS_PARENT = "(its parent's run id)"


def probe(tracking_uri: str, experiment_id: str) -> TagTable:
    """Run tagprobe.py and JvmTagProbe.java from a fresh git checkout (with a remote) against the
    server and build the table from their runs' tags."""
    from ..java import java_command

    env = dict(os.environ, MLFLOW_TRACKING_URI=tracking_uri)
    repo_root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = repo_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with tempfile.TemporaryDirectory(prefix="tagprobe-") as tmp:
        checkout = Path(tmp)
        for f in (PROBE, JVM_PROBE):
            shutil.copy(f, checkout / f.name)
        for cmd in (["init", "-q", "-b", "main"], ["remote", "add", "origin", PROBE_REMOTE], ["add", "."], ["commit", "-q", "-m", "probe"]):
            subprocess.run(
                ["git", "-c", "user.name=probe", "-c", "user.email=probe@example.com", *cmd], cwd=checkout, check=True, capture_output=True
            )
        r = subprocess.run(
            [sys.executable, PROBE.name, tracking_uri, str(experiment_id)], cwd=checkout, env=env, capture_output=True, text=True, timeout=600
        )
        raw = json.loads(_line(r, "TAGPROBE "))
        j = subprocess.run(java_command(JVM_PROBE.name, [str(experiment_id)]), cwd=checkout, env=env, capture_output=True, text=True, timeout=300)
        run_id, child_id = _line(j, "JVMTAGPROBE ").split()
        from mlflow.tracking import MlflowClient

        client = MlflowClient(tracking_uri)
        raw["jvm_main"] = {"run_id": run_id, "tags": client.get_run(run_id).data.tags, "child_tags": client.get_run(child_id).data.tags}
        table = build(raw)
        table.checkout = str(checkout.resolve())
        return table


def _line(r: subprocess.CompletedProcess, prefix: str) -> str:
    """The rest of the probe's output line that starts with `prefix`."""
    for line in r.stdout.splitlines():
        if line.startswith(prefix):
            return line[len(prefix) :]
    raise RuntimeError(f"{r.args[1] if len(r.args) > 1 else r.args[0]} exited {r.returncode} without a result: {(r.stderr or r.stdout)[-1500:]}")


def build(raw: dict) -> TagTable:
    tags = {}
    for who in CREATORS:
        if who not in raw:
            continue
        own = {k: v for k, v in raw[who]["tags"].items() if k.startswith("mlflow.") and k != PARENT_RUN_ID}
        child = raw[who].get("child_tags") or {}
        # A child run's parent tag differs by run; what matters is that it names its parent.
        if PARENT_RUN_ID in child:
            own[PARENT_RUN_ID] = ITS_PARENT if child[PARENT_RUN_ID] == raw[who]["run_id"] else child[PARENT_RUN_ID]
        tags[who] = own
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
        cells = [f"`{k}`", DESCRIPTIONS.get(k, "")] + [_md(short(k, _shown(table, c, k))) if values else _mark(table, c, k) for c in CREATORS]
        lines.append("| " + " | ".join(cells) + " |")
    same = (
        ["**same as Python?**", ""]
        + ["—"]
        + ["yes" if table.same_as_python(c) else "no: " + ", ".join(f"`{k}`" for k in table.differences(c)) for c in list(CREATORS)[1:]]
    )
    lines.append("| " + " | ".join(same) + " |")
    return "\n".join(lines)


def _shown(table: TagTable, creator: str, key: str) -> str | None:
    """The value, with the probe's temporary checkout written as <checkout>."""
    v = table.value(creator, key)
    return v.replace(table.checkout, "<checkout>") if v and table.checkout else v


def _mark(table: TagTable, creator: str, key: str) -> str:
    v = table.value(creator, key)
    if v is None:
        return "—"
    return "✓" if creator == "python" or v == table.value("python", key) else "✓ (other value)"


def _md(s: str) -> str:
    return s.replace("|", "\\|")
