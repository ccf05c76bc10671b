"""Create a run from the JVM with the system tags Python's `mlflow.start_run` sets.

Python (mlflow.tracking.context: DefaultRunContext, GitRunContext) tags a run with
mlflow.user, mlflow.source.name, mlflow.source.type and, when the main file is tracked in a
git checkout, mlflow.source.git.commit/branch/repoURL; `run_name` becomes mlflow.runName.
The stock Java client sets none of them (`createRun(expId)`), or three (`MlflowContext.startRun`).

`create_run` calls `jvm.runs.start` (Scala `Mlflow.runs.start`), which creates the run over REST
with the same tags. From Python the main file is Python's (sys.argv[0]), so this
passes it as mlflow.source.name; the JVM then takes git from that file's checkout, as Python does.
The reference is MLflow's own: runs made by Python's `start_run` (bridge/parity/tagprobe.py) and
`mlflow.utils.git_utils`, never rules re-derived here.
"""

from __future__ import annotations

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


def create_run(jvm: Any, experiment_id: str, run_name: str | None = None, tags: dict[str, str] | None = None, source_name: str | None = None) -> str:
    """Create a run with Python's system tags through `jvm.runs.start`; returns its id.

    `jvm` is a bridge.Mlflow (either backend). `source_name` defaults to this process's main file
    (Python's point of view, not the JVM's). `tags` are applied last, as in Python.
    """
    main_file = source_name if source_name is not None else (sys.argv[0] if sys.argv and sys.argv[0] else None)
    all_tags = {SOURCE_NAME: main_file or "<console>", **{k: str(v) for k, v in (tags or {}).items()}}
    return jvm.runs.start(str(experiment_id), run_name, all_tags).run_id
