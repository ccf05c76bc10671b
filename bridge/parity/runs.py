"""Create a run from the JVM with the system tags Python's `mlflow.start_run` sets.

Python (mlflow.tracking.context: DefaultRunContext, GitRunContext) tags a run with
mlflow.user, mlflow.source.name, mlflow.source.type and, when the main file is tracked in a
git checkout, mlflow.source.git.commit/branch/repoURL; `run_name` becomes mlflow.runName.
The stock Java client sets none of them (`createRun(expId)`), or three (`MlflowContext.startRun`).

`create_run` builds `org.mlflow.api.proto.Service.CreateRun` with the same tags and sends it
through the stock client's `createRun(CreateRun)`. It belongs in Scala (MlflowUtils.createRun);
until then it lives here, on the Python side of the bridge.
"""
from __future__ import annotations

import getpass
import os
import subprocess
import sys
import time
from typing import Any

USER = "mlflow.user"
SOURCE_NAME = "mlflow.source.name"
SOURCE_TYPE = "mlflow.source.type"
RUN_NAME = "mlflow.runName"
GIT_COMMIT = "mlflow.source.git.commit"
GIT_BRANCH = "mlflow.source.git.branch"
GIT_REPO_URL = "mlflow.source.git.repoURL"
PARENT_RUN_ID = "mlflow.parentRunId"
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


def create_run(jvm: Any, experiment_id: str, run_name: str | None = None, tags: dict[str, str] | None = None,
               source_name: str | None = None) -> Any:
    """Create a run through the stock Java client with Python's system tags; returns its RunInfo.

    `jvm` is a bridge.JvmSession (either backend). `tags` are applied last, as in Python.
    """
    all_tags = system_tags(run_name, source_name)
    all_tags.update(tags or {})
    builder = (jvm.classes.get("org.mlflow.api.proto.Service$CreateRun").newBuilder()
               .setExperimentId(str(experiment_id))
               .setStartTime(int(time.time() * 1000))
               .setUserId(all_tags[USER]))
    if run_name:
        builder = builder.setRunName(run_name)
    run_tag = jvm.classes.get("org.mlflow.api.proto.Service$RunTag")
    for key, value in all_tags.items():
        builder = builder.addTags(run_tag.newBuilder().setKey(key).setValue(str(value)).build())
    return jvm.client.createRun(builder.build())
