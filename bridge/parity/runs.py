"""Create a run from the JVM with the system tags Python's `mlflow.start_run` sets.

Python (mlflow.tracking.context: DefaultRunContext, GitRunContext) tags a run with
mlflow.user, mlflow.source.name, mlflow.source.type and, when the main file is tracked in a
git checkout, mlflow.source.git.commit/branch/repoURL; `run_name` becomes mlflow.runName.
The stock Java client sets none of them (`createRun(expId)`), or three (`MlflowContext.startRun`).

`create_run` calls `jvm.runs.start` (Scala `Mlflow.runs.start`), which creates the run over REST
with the same tags. From Python the main file is Python's (sys.argv[0]), so this
passes it as mlflow.source.name; the JVM then takes git from that file's checkout, as Python does.
`system_tags`/`git_tags` here are Python's own rules, kept to compare against.
"""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from typing import Any

from mlflow.utils.mlflow_tags import MLFLOW_GIT_BRANCH as GIT_BRANCH
from mlflow.utils.mlflow_tags import MLFLOW_GIT_COMMIT as GIT_COMMIT
from mlflow.utils.mlflow_tags import MLFLOW_GIT_REPO_URL as GIT_REPO_URL
from mlflow.utils.mlflow_tags import MLFLOW_RUN_NAME as RUN_NAME
from mlflow.utils.mlflow_tags import MLFLOW_SOURCE_NAME as SOURCE_NAME
from mlflow.utils.mlflow_tags import MLFLOW_SOURCE_TYPE as SOURCE_TYPE
from mlflow.utils.mlflow_tags import MLFLOW_USER as USER

SYSTEM_TAGS = (USER, SOURCE_NAME, SOURCE_TYPE, RUN_NAME, GIT_COMMIT, GIT_BRANCH, GIT_REPO_URL)


def _git(cwd: str, *args: str) -> str | None:
    try:
        r = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else None


def _strip_credentials(url: str) -> str:
    """https://user:pw@host/x -> https://host/x (as mlflow.utils.git_utils does)."""
    from urllib.parse import urlparse, urlunparse

    p = urlparse(url)
    if p.scheme and "@" in p.netloc:
        return urlunparse(p._replace(netloc=p.netloc.split("@", 1)[1]))
    return url


def git_tags(main_file: str | None) -> dict[str, str]:
    """mlflow.source.git.* for `main_file`, by Python's rules: none unless it is tracked (not ignored) in a checkout."""
    if not main_file:
        return {}
    path = os.path.abspath(main_file)
    directory = os.path.dirname(path) if os.path.isfile(path) else path
    if not os.path.isdir(directory):
        return {}
    commit = _git(directory, "rev-parse", "HEAD")
    if commit is None:
        return {}
    # GitPython's repo.ignored(dir) in mlflow.utils.git_utils.get_git_commit: an ignored directory has no commit.
    if subprocess.run(["git", "check-ignore", "-q", directory], cwd=directory, capture_output=True).returncode == 0:
        return {}
    tags = {GIT_COMMIT: commit}
    branch = _git(directory, "symbolic-ref", "--short", "-q", "HEAD")
    if branch:
        tags[GIT_BRANCH] = branch
    remotes = (_git(directory, "remote") or "").split()
    if remotes:
        url = _git(directory, "remote", "get-url", remotes[0])
        if url:
            tags[GIT_REPO_URL] = _strip_credentials(url)
    return tags


def system_tags(run_name: str | None = None, source_name: str | None = None) -> dict[str, str]:
    """The tags Python's fluent `start_run(run_name=...)` would set in this process."""
    main_file = source_name if source_name is not None else (sys.argv[0] if sys.argv and sys.argv[0] else None)
    tags = {
        USER: os.environ.get("MLFLOW_TRACKING_USERNAME") or getpass.getuser(),
        SOURCE_NAME: main_file or "<console>",
        SOURCE_TYPE: "LOCAL",
    }
    tags.update(git_tags(main_file))
    if run_name:
        tags[RUN_NAME] = run_name
    return tags


def create_run(jvm: Any, experiment_id: str, run_name: str | None = None, tags: dict[str, str] | None = None, source_name: str | None = None) -> str:
    """Create a run with Python's system tags through `jvm.runs.start`; returns its id.

    `jvm` is a bridge.JvmSession (either backend). `source_name` defaults to this process's main file
    (Python's point of view, not the JVM's). `tags` are applied last, as in Python.
    """
    main_file = source_name if source_name is not None else (sys.argv[0] if sys.argv and sys.argv[0] else None)
    all_tags = {SOURCE_NAME: main_file or "<console>", **{k: str(v) for k, v in (tags or {}).items()}}
    return jvm.runs.start(str(experiment_id), run_name, all_tags).run_id
