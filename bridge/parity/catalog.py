"""The Java/Python parity catalog: what a JVM user of MLflow needs, and who can do it.

This list is the single source: the table of docs/parity.md, `mlflow-bridge parity`, the strict-xfail
tests (tests/parity/test_parity_checks.py) and the method reflection (tests/parity/test_parity_catalog.py)
are all generated from it. Each entry names:

- `python`: what the Python API calls it; `py_methods`: the `mlflow.tracking.MlflowClient`
  methods it covers (every public method must be covered by exactly one entry).
- `java`: what the stock Java client (org.mlflow:mlflow-client) offers; `java_methods`: the
  `org.mlflow.tracking.MlflowClient` method names it covers (same rule).
- `status`: PARITY (both do it), GAP (Java cannot, and we have no workaround), BRIDGED (Java
  cannot, our code does it: `bridge` names the function).
- `check`: the live check in bridge/parity/checks/ (generated from `stock_methods` when set). For PARITY it compares both clients'
  answers; for GAP and BRIDGED it attempts the thing the stock-Java way and raises
  GapConfirmed while the gap is real. `workaround`: for BRIDGED, the check of our function.
- `issue`: upstream issues/PRs (mlflow#N = github.com/mlflow/mlflow issue or PR N), `faq`: the FAQ statement that
  this entry turns into a check.
- `endpoints`: for a gap or bridged entry, the server calls it needs ("METHOD /path", as the 3.17
  server routes them; tests/parity/test_parity_catalog.py checks each against the server's route
  table). They decide `reach`, how far the stock client gets without us: its `sendGet`, `sendPost`
  and `sendPatch` reach GET/POST/PATCH under /api/2.0/mlflow/ and nothing else (no DELETE, no
  /api/3.0, no OTLP at /v1/traces). An entry with no endpoints lacks client code, not a route.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Status = Literal["parity", "gap", "bridged"]
PARITY: Status = "parity"
GAP: Status = "gap"
BRIDGED: Status = "bridged"
STATUSES: tuple[Status, ...] = (PARITY, BRIDGED, GAP)

# How far the stock client reaches a gap or bridged entry's server calls (`Capability.reach`).
Reach = Literal["raw REST", "raw REST in part", "unreachable", "client code", ""]
RAW_REST: Reach = "raw REST"  # every call: sendGet/sendPost/sendPatch under /api/2.0/mlflow/
RAW_REST_IN_PART: Reach = "raw REST in part"  # some calls; the others need DELETE, /api/3.0 or OTLP
UNREACHABLE: Reach = "unreachable"  # no call the stock client can send
CLIENT_CODE: Reach = "client code"  # the server routes are stock methods; what is missing is client code
REACHES: tuple[Reach, ...] = (RAW_REST, RAW_REST_IN_PART, UNREACHABLE, CLIENT_CODE)
STOCK_RAW_PREFIX = "/api/2.0/mlflow/"
STOCK_RAW_METHODS = ("GET", "POST", "PATCH")

FAQ_NOT_SUPPORTED = "Standard MLflow features such as MLflow projects, models and flavors are not supported for Java/Scala"
FAQ_RAW_ARTIFACT = "You can save your native model as a raw artifact but cannot log it as a managed MLflow model"
FAQ_SPARKML_ONLY = "Scoring across languages works only for SparkML (MLlib) models"
FAQ_SYSTEM_TAGS = "What are the MLflow system run tags?"


@dataclass(frozen=True)
class Capability:
    id: str
    title: str
    python: str
    java: str
    status: Status
    check: str
    py_methods: tuple[str, ...] = ()
    java_methods: tuple[str, ...] = ()
    bridge: str = ""
    workaround: str = ""
    issue: str = ""
    faq: str = ""
    note: str = ""
    # For BRIDGED: "class#method" pairs that must exist in bridge/jars (or "py:module.func").
    requires: tuple[str, ...] = field(default=())
    # When the stock attempt is only "is there such a method": the method names (a regex) the stock
    # classes would need; `check` is then generated (bridge/parity/checks/__init__.py).
    stock_methods: str = ""
    endpoints: tuple[str, ...] = ()

    @property
    def reach(self) -> Reach:
        """How far the stock client gets: from `endpoints` (empty for parity entries)."""
        if self.status == PARITY:
            return ""
        if not self.endpoints:
            return CLIENT_CODE
        ok = [stock_reaches(e) for e in self.endpoints]
        return RAW_REST if all(ok) else RAW_REST_IN_PART if any(ok) else UNREACHABLE

    def line(self) -> str:
        """One line that says it all; the reason of this entry's strict xfail."""
        parts = [f"[{self.status}] {self.title}", f"Python: {self.python}", f"Java: {self.java}"]
        if self.reach:
            parts.append(f"stock reach: {self.reach}")
        if self.bridge:
            parts.append(f"bridge: {self.bridge}")
        if self.issue:
            parts.append(f"upstream: {self.issue}")
        return " | ".join(parts)


def _m(s: str) -> tuple[str, ...]:
    return tuple(s.split())


def _e(*calls: str) -> tuple[str, ...]:
    """Server calls as "METHOD path"; a path without a leading / is under /api/2.0/mlflow/."""
    return tuple(m + " " + (p if p.startswith("/") else STOCK_RAW_PREFIX + p) for m, p in (c.split(" ", 1) for c in calls))


def stock_reaches(endpoint: str) -> bool:
    """Whether the stock raw calls (sendGet/sendPost/sendPatch, fixed to /api/2.0/mlflow/) can send `endpoint`."""
    method, path = endpoint.split(" ", 1)
    return method in STOCK_RAW_METHODS and path.startswith(STOCK_RAW_PREFIX)


CATALOG: list[Capability] = [
    # ---------------------------------------------------------------- tracking basics
    Capability(
        "experiments",
        "Experiments: create, get, search, rename, delete/restore, tags",
        "create_experiment, get_experiment(_by_name), search_experiments, rename/delete/restore_experiment, set_experiment_tag",
        "createExperiment, getExperiment(ByName), searchExperiments, rename/delete/restoreExperiment, setExperimentTag",
        PARITY,
        "parity_experiments",
        py_methods=_m(
            "create_experiment get_experiment get_experiment_by_name search_experiments rename_experiment "
            "delete_experiment restore_experiment set_experiment_tag"
        ),
        java_methods=_m(
            "createExperiment getExperiment getExperimentByName searchExperiments renameExperiment "
            "deleteExperiment restoreExperiment setExperimentTag"
        ),
    ),
    Capability(
        "set_experiment",
        "Get-or-create an experiment by name (mlflow.set_experiment)",
        "mlflow.set_experiment(name)",
        "none: MlflowContext.setExperimentName throws for a new name",
        BRIDGED,
        "stock_set_experiment",
        bridge="mlflowbridge.Mlflow.experiments.getOrCreate",
        workaround="bridge_set_experiment",
        requires=("mlflowbridge.Experiments#getOrCreate",),
    ),
    Capability(
        "delete_experiment_tag",
        "Delete an experiment tag",
        "delete_experiment_tag",
        'none (raw sendPost("experiments/delete-experiment-tag") only)',
        BRIDGED,
        "stock_delete_experiment_tag",
        stock_methods=r"^deleteExperimentTag$",
        endpoints=_e("POST experiments/delete-experiment-tag"),
        bridge="mlflowbridge.Mlflow.experiments.deleteTag",
        workaround="bridge_delete_experiment_tag",
        py_methods=_m("delete_experiment_tag"),
        requires=("mlflowbridge.Experiments#deleteTag",),
    ),
    Capability(
        "runs",
        "Runs: create, get, end, delete/restore",
        "create_run, get_run, set_terminated, delete_run, restore_run",
        "createRun, getRun, setTerminated, deleteRun, restoreRun, listRunInfos",
        PARITY,
        "parity_runs",
        py_methods=_m("create_run get_run set_terminated delete_run restore_run"),
        java_methods=_m("createRun getRun setTerminated deleteRun restoreRun listRunInfos"),
    ),
    Capability(
        "logging",
        "Params, metrics (history), tags, log_batch",
        "log_param, log_metric, set_tag, delete_tag, log_batch, get_metric_history",
        "logParam, logMetric, setTag, deleteTag, logBatch, getMetricHistory",
        PARITY,
        "parity_logging",
        py_methods=_m("log_param log_metric set_tag delete_tag log_batch get_metric_history"),
        java_methods=_m("logParam logMetric setTag deleteTag logBatch getMetricHistory"),
    ),
    Capability(
        "search_runs",
        "search_runs with order_by/max_results (the FAQ's best-run and last-run recipes)",
        "search_runs(order_by=[...], max_results=1)",
        "searchRuns(expIds, filter, ViewType, maxResults, orderBy)",
        PARITY,
        "parity_search_runs",
        py_methods=_m("search_runs"),
        java_methods=_m("searchRuns"),
    ),
    Capability(
        "update_run",
        "Rename a run / update its status (update_run)",
        "update_run(run_id, status, name)",
        'setTag(runId, "mlflow.runName", name) renames (the server updates run_name too); setTerminated sets the status',
        PARITY,
        "parity_update_run",
        py_methods=_m("update_run"),
        note="no one-call update_run in Java, but two stock calls give the same run; mlflowbridge.Mlflow.runs.update is the one call",
    ),
    Capability(
        "parent_run",
        "Nested runs: get_parent_run",
        "get_parent_run (get_run, then get_run of the mlflow.parentRunId tag)",
        "getRun, then getRun of its mlflow.parentRunId tag (two calls, as Python makes them)",
        PARITY,
        "parity_parent_run",
        py_methods=_m("get_parent_run"),
        note="parity by the catalog's own definition (Java can do it with stock calls); mlflowbridge.Mlflow.runs.getParentRun is the one call",
    ),
    Capability(
        "system_tags",
        "System run tags like Python's (mlflow.user, source.name/type, runName, source.git.*)",
        "mlflow.start_run() sets them",
        "MlflowContext.startRun sets runName, user, source.type only; createRun(expId) none",
        BRIDGED,
        "stock_system_tags",
        bridge="mlflowbridge.Mlflow.runs.start / withRun",
        workaround="bridge_system_tags",
        faq=FAQ_SYSTEM_TAGS,
        requires=("mlflowbridge.Runs#start", "mlflowbridge.Runs#withRun"),
        note="from Python: bridge.parity.runs.create_run, which passes Python's main file as mlflow.source.name",
    ),
    Capability(
        "run_scope",
        "A run scope that ends the run FAILED and re-raises the body's error",
        "with mlflow.start_run(): ... (re-raises)",
        "MlflowContext.withActiveRun ends the run FAILED and swallows the exception",
        BRIDGED,
        "stock_run_scope",
        bridge="mlflowbridge.Mlflow.runs.withRun (Python: with jvm.runs.start(...))",
        workaround="bridge_run_scope",
        requires=("mlflowbridge.Runs#withRun", "mlflowbridge.ActiveRun#end"),
    ),
    Capability(
        "log_batch_limits",
        "log_batch above the server's limits (1,000 metrics, 100 params or tags a request)",
        "log_batch splits into requests the server accepts",
        "logBatch sends one request, which the server refuses",
        BRIDGED,
        "stock_log_batch_limits",
        bridge="mlflowbridge.ActiveRun.logBatch / logMetrics / logParams",
        workaround="bridge_log_batch_limits",
        requires=("mlflowbridge.ActiveRun#logBatch",),
    ),
    Capability(
        "metrics_linked",
        "Metrics linked to a logged model or a dataset",
        "log_metric(..., model_id=, dataset=)",
        "none: logMetric and the Metric proto have no model_id or dataset fields (raw sendPost can send them)",
        BRIDGED,
        "stock_metrics_linked",
        endpoints=_e("POST runs/log-metric"),
        bridge="mlflowbridge.Mlflow.loggedModels.logMetric(modelId, runId, key, value[, step])",
        workaround="bridge_metrics_linked",
        note="links to a logged model; links to a dataset are not bridged",
        requires=("mlflowbridge.LoggedModels#logMetric",),
    ),
    Capability(
        "system_metrics",
        "System metrics (CPU, memory, GPU) logged while a run is active",
        "mlflow.start_run(log_system_metrics=True), mlflow.enable_system_metrics_logging()",
        "none",
        GAP,
        "stock_system_metrics",
        stock_methods=r"(?i)systemMetric",
    ),
    Capability(
        "async_logging",
        "Asynchronous logging (calls return before the server answers)",
        "log_metric/log_param/log_batch(synchronous=False), mlflow.config.enable_async_logging()",
        "none: every call waits for the server",
        GAP,
        "stock_async_logging",
        stock_methods=r"(?i)async",
    ),
    # ---------------------------------------------------------------- artifacts
    Capability(
        "artifacts",
        "Artifacts: log, list, download (the stock client forks Python for each call)",
        "log_artifact(s), list_artifacts, download_artifacts",
        "logArtifact(s), listArtifacts, downloadArtifacts (each forks `python -m mlflow.store.artifact.cli`)",
        PARITY,
        "parity_artifacts",
        py_methods=_m("log_artifact log_artifacts list_artifacts download_artifacts"),
        java_methods=_m("logArtifact logArtifacts listArtifacts downloadArtifacts"),
        issue="mlflow#1515, mlflow#2494",
    ),
    Capability(
        "artifacts_no_python",
        "Artifacts without a Python interpreter on the JVM's machine",
        "n/a (Python is there)",
        "none: CliBasedArtifactRepository is the only ArtifactRepository",
        BRIDGED,
        "stock_artifacts_no_python",
        bridge="mlflowbridge.Mlflow.artifacts (logArtifacts, list, download)",
        workaround="bridge_artifacts_no_python",
        issue="mlflow#1515, mlflow#2494, mlflow#4456",
        requires=("mlflowbridge.ArtifactStore#logArtifacts", "mlflowbridge.ArtifactStore#list", "mlflowbridge.ArtifactStore#download"),
        note="checked live on proxied (mlflow-artifacts:) roots; s3:// roots are native too (tests/jvm/test_s3.py); gs://, wasbs:// ... still need Python",
    ),
    Capability(
        "log_text_etc",
        "log_dict / log_text / log_figure / log_image / log_table (Python's readers read them)",
        "log_dict, log_text, log_figure, log_image, log_table",
        "none (write a file, then logArtifact)",
        BRIDGED,
        "stock_log_text_etc",
        stock_methods=r"^(logText|logDict|logFigure|logImage|logTable)$",
        bridge="mlflowbridge.Mlflow.artifacts (logText, logDict, logImage, logTable) and ActiveRun",
        workaround="bridge_log_text_etc",
        py_methods=_m("log_dict log_text log_figure log_image log_table"),
        requires=(
            "mlflowbridge.ArtifactStore#logText",
            "mlflowbridge.ArtifactStore#logDict",
            "mlflowbridge.ArtifactStore#logImage",
            "mlflowbridge.ArtifactStore#logTable",
            "mlflowbridge.ActiveRun#logTable",
        ),
        note="log_figure: a figure rendered to PNG bytes goes through logImage; log_table writes .json only",
    ),
    Capability(
        "load_table_log_stream",
        "load_table / log_stream",
        "load_table, log_stream",
        "none (search runs and read the file; write a file, then logArtifact)",
        GAP,
        "stock_load_table_log_stream",
        stock_methods=r"^(loadTable|logStream)$",
        py_methods=_m("load_table log_stream"),
    ),
    # ---------------------------------------------------------------- models
    Capability(
        "log_model_spark",
        "log_model for a SparkML model (spark + python_function flavors)",
        "mlflow.spark.log_model",
        "none",
        BRIDGED,
        "stock_log_model",
        stock_methods=r"^(logModel|saveModel)$",
        bridge="mlflowbridge.Mlflow.models.log",
        workaround="bridge_log_model_spark",
        issue="mlflow#1595, mlflow#1817",
        faq=FAQ_NOT_SUPPORTED,
        requires=("mlflowbridge.Models#log",),
    ),
    Capability(
        "flavors_other",
        "log_model for other flavors (sklearn, pytorch, onnx, pyfunc, ...) from the JVM",
        "mlflow.<flavor>.log_model",
        "none",
        GAP,
        "stock_flavors_other",
        issue="mlflow#1595, mlflow#1817",
        faq=FAQ_NOT_SUPPORTED,
    ),
    Capability(
        "load_model_spark",
        "load_model of a SparkML model (runs:/, models:/name/version, models:/name@alias)",
        "mlflow.spark.load_model / mlflow.pyfunc.load_model",
        "none (getModelVersionDownloadUri, downloadModelVersion give files only)",
        BRIDGED,
        "stock_load_model",
        stock_methods=r"^(loadModel|loadSparkModel)$",
        bridge="mlflowbridge.Mlflow.models.load",
        workaround="bridge_load_model_spark",
        issue="mlflow#1595",
        faq=FAQ_NOT_SUPPORTED,
        requires=("mlflowbridge.Models#load",),
    ),
    Capability(
        "spark_connect_client",
        "MLflow spark flavor from a Spark Connect client (SparkSession.builder.remote; no JVM in the client)",
        "mlflow.spark.log_model / save_model / load_model, mlflow.pyfunc.load_model: fail ('NoneType' object has no attribute 'jvm')",
        "none (a Connect client has no JVM for the Java client either)",
        BRIDGED,
        "stock_spark_connect",
        bridge="bridge.connect('connect', uri, spark=...) (bridge.spark_connect; plugin mlflowbridge.connect.MlflowRelationPlugin on the server)",
        workaround="bridge_spark_connect",
        note="the stock attempt is stock Python's, in a Connect client with no JVM; docs/connect.md",
        requires=("mlflowbridge.connect.MlflowRelationPlugin#transform", "py:bridge.spark_connect.ConnectMlflow"),
    ),
    Capability(
        "model_info",
        "Read a model's MLmodel: flavors, signature, input example, run, uuid, time created (get_model_info)",
        "mlflow.models.get_model_info(model_uri)",
        "none: downloadArtifacts gives the MLmodel file (forking Python); no MLmodel reader or ModelInfo type",
        BRIDGED,
        "stock_model_info",
        stock_methods=r"^(getModelInfo|loadModelInfo|getModelSignature|loadInputExample)$",
        bridge="mlflowbridge.Mlflow.models.info (MLmodel and input example only, no model data)",
        workaround="bridge_model_info",
        requires=("mlflowbridge.Models#info",),
    ),
    Capability(
        "download_model_uri",
        "Download a model by models:/name@alias or models:/m-... (MLflow 3 logged model)",
        "mlflow.artifacts.download_artifacts(models:/...)",
        "CliBasedArtifactRepository.downloadArtifactFromUri(models:/...) (forks Python)",
        PARITY,
        "parity_download_model_uri",
        note="mlflowbridge.Mlflow.models.download does it without Python",
    ),
    Capability(
        "managed_from_raw",
        "A native (non-Spark) JVM model logged as a managed MLflow model (MLmodel, flavors)",
        "mlflow.pyfunc.log_model(python_model=..., artifacts=...)",
        "logArtifacts only: a raw artifact, no MLmodel",
        BRIDGED,
        "stock_managed_from_raw",
        bridge="mlflowbridge.onnx.OnnxGraph.linear + Mlflow.models.logOnnx (onnx + python_function flavors)",
        workaround="bridge_managed_from_raw",
        issue="mlflow#1595, mlflow#1817",
        faq=FAQ_RAW_ARTIFACT,
        requires=("mlflowbridge.Models#logOnnx", "mlflowbridge.onnx.OnnxGraph#linear"),
    ),
    Capability(
        "score_sparkml_jvm",
        "A SparkML model logged by Python, scored on the JVM",
        "mlflow.spark.log_model",
        "downloadModelVersion + PipelineModel.load (forks Python for the download)",
        PARITY,
        "parity_score_sparkml_jvm",
        faq=FAQ_SPARKML_ONLY,
    ),
    Capability(
        "score_non_sparkml_jvm",
        "A non-SparkML model (sklearn, pyfunc, ...) scored on the JVM",
        "mlflow.pyfunc.load_model / spark_udf",
        "none (mlflow-scoring with org.mlflow.models was removed)",
        BRIDGED,
        "stock_score_non_sparkml",
        bridge="Mlflow.models.loadOnnx (onnx flavor; sklearn via bridge.models.onnx_convert)",
        workaround="bridge_score_non_sparkml",
        issue="mlflow#2384",
        faq=FAQ_SPARKML_ONLY,
        requires=("mlflowbridge.Models#loadOnnx", "mlflowbridge.onnx.OnnxModel#predict", "py:bridge.models.onnx_convert.convert_sklearn"),
    ),
    Capability(
        "logged_models",
        "MLflow 3 logged models (models:/m-...), their params, artifacts and outputs",
        "create/get/search/finalize/delete_logged_model, log_model_params, log_model_artifact(s), log_outputs, ...",
        "none (raw sendGet/sendPost/sendPatch; no DELETE)",
        BRIDGED,
        "stock_logged_models",
        stock_methods=r"(?i)loggedmodel",
        endpoints=_e(
            "POST logged-models",
            "GET logged-models/<model_id>",
            "POST logged-models/search",
            "PATCH logged-models/<model_id>",
            "PATCH logged-models/<model_id>/tags",
            "DELETE logged-models/<model_id>/tags/<tag_key>",
            "DELETE logged-models/<model_id>",
            "POST logged-models/<model_id>/params",
            "GET logged-models/<model_id>/artifacts/directories",
        ),
        bridge="mlflowbridge.Mlflow.loggedModels (create, get, search, finalizeModel, setTags, deleteTag, delete, logParams, logMetric, logArtifacts, listArtifacts)",
        workaround="bridge_logged_models",
        note="log_outputs (a model as a run's output) is not bridged",
        requires=(
            "mlflowbridge.LoggedModels#create",
            "mlflowbridge.LoggedModels#search",
            "mlflowbridge.LoggedModels#finalizeModel",
            "mlflowbridge.LoggedModels#deleteTag",
            "mlflowbridge.LoggedModels#delete",
            "mlflowbridge.LoggedModels#logMetric",
            "mlflowbridge.LoggedModels#listArtifacts",
        ),
        py_methods=_m(
            "create_logged_model get_logged_model search_logged_models finalize_logged_model delete_logged_model "
            "set_logged_model_tags delete_logged_model_tag log_model_params log_model_artifact "
            "log_model_artifacts list_logged_model_artifacts log_outputs"
        ),
    ),
    Capability(
        "projects",
        "MLflow projects (`mlflow run`)",
        "mlflow.projects.run / `mlflow run`",
        "none",
        GAP,
        "stock_projects",
        stock_methods=r"(?i)project",
        faq=FAQ_NOT_SUPPORTED,
    ),
    # ---------------------------------------------------------------- model registry
    Capability(
        "registry_reads",
        "Registry reads: registered model, version, download URI, search versions, latest",
        "get_registered_model, get_model_version, get_model_version_download_uri, search_model_versions, get_latest_versions",
        "getRegisteredModel, getModelVersion, getModelVersionDownloadUri, searchModelVersions, getLatestVersions, "
        "downloadModelVersion, downloadLatestModelVersion",
        PARITY,
        "parity_registry_reads",
        py_methods=_m("get_registered_model get_model_version get_model_version_download_uri search_model_versions get_latest_versions"),
        java_methods=_m(
            "getRegisteredModel getModelVersion getModelVersionDownloadUri searchModelVersions "
            "getLatestVersions downloadModelVersion downloadLatestModelVersion"
        ),
    ),
    Capability(
        "register_model",
        "Register a model: create registered model, create version",
        "create_registered_model, create_model_version (mlflow.register_model)",
        "none (raw sendPost)",
        BRIDGED,
        "stock_register_model",
        stock_methods=r"^(createRegisteredModel|createModelVersion|registerModel)$",
        endpoints=_e("POST registered-models/create", "POST model-versions/create", "GET model-versions/get"),
        bridge="mlflowbridge.Mlflow.registry.register (createRegisteredModel, createModelVersion)",
        workaround="bridge_register_model",
        issue="mlflow#1817",
        py_methods=_m("create_registered_model create_model_version"),
        requires=("mlflowbridge.Registry#register", "mlflowbridge.Registry#createRegisteredModel", "mlflowbridge.Registry#createModelVersion"),
    ),
    Capability(
        "aliases",
        "Model aliases: set, get by alias, delete (models:/name@alias)",
        "set_registered_model_alias, get_model_version_by_alias, delete_registered_model_alias",
        "reads: getAliasesList() of getRegisteredModel / getModelVersion; set: raw sendPost only; delete: none (no DELETE)",
        BRIDGED,
        "stock_aliases",
        stock_methods=r"^(setRegisteredModelAlias|getModelVersionByAlias|deleteRegisteredModelAlias|setAlias|deleteAlias)$",
        endpoints=_e("POST registered-models/alias", "GET registered-models/alias", "DELETE registered-models/alias"),
        bridge="mlflowbridge.Mlflow.registry.setAlias, getModelVersionByAlias, deleteAlias",
        workaround="bridge_aliases",
        issue="mlflow#13494, mlflow PR #8094",
        py_methods=_m("set_registered_model_alias get_model_version_by_alias delete_registered_model_alias"),
        requires=("mlflowbridge.Registry#setAlias", "mlflowbridge.Registry#getModelVersionByAlias", "mlflowbridge.Registry#deleteAlias"),
    ),
    Capability(
        "search_registered_models",
        "Search registered models",
        "search_registered_models",
        "none (raw GET registered-models/search)",
        BRIDGED,
        "stock_search_registered_models",
        stock_methods=r"^searchRegisteredModels$",
        endpoints=_e("GET registered-models/search"),
        bridge="mlflowbridge.Mlflow.registry.searchRegisteredModels",
        workaround="bridge_search_registered_models",
        issue="mlflow#8169, mlflow PR #8200 (unmerged)",
        py_methods=_m("search_registered_models"),
        requires=("mlflowbridge.Registry#searchRegisteredModels",),
    ),
    Capability(
        "delete_registered_model",
        "Delete a registered model",
        "delete_registered_model",
        "none: no sendDelete, sendPost gets HTTP 405",
        BRIDGED,
        "stock_delete_registered_model",
        endpoints=_e("DELETE registered-models/delete"),
        bridge="mlflowbridge.Mlflow.registry.deleteRegisteredModel",
        workaround="bridge_delete_registered_model",
        issue="eto-ai/rikai PR #369",
        py_methods=_m("delete_registered_model"),
        requires=("mlflowbridge.Registry#deleteRegisteredModel",),
    ),
    Capability(
        "delete_model_version",
        "Delete a model version",
        "delete_model_version",
        "none: no sendDelete",
        BRIDGED,
        "stock_delete_model_version",
        stock_methods=r"^(deleteModelVersion|sendDelete)$",
        endpoints=_e("DELETE model-versions/delete"),
        bridge="mlflowbridge.Mlflow.registry.deleteModelVersion",
        workaround="bridge_delete_model_version",
        py_methods=_m("delete_model_version"),
        requires=("mlflowbridge.Registry#deleteModelVersion",),
    ),
    Capability(
        "stage_transitions",
        "Stage transitions (deprecated in Python since 2.9)",
        "transition_model_version_stage, get_model_version_stages",
        "none (raw sendPost)",
        BRIDGED,
        "stock_stage_transitions",
        stock_methods=r"^(transitionModelVersionStage|getModelVersionStages)$",
        endpoints=_e("POST model-versions/transition-stage"),
        bridge="mlflowbridge.Mlflow.registry.transitionModelVersionStage, getModelVersionStages",
        workaround="bridge_stage_transitions",
        py_methods=_m("transition_model_version_stage get_model_version_stages"),
        requires=("mlflowbridge.Registry#transitionModelVersionStage", "mlflowbridge.Registry#getModelVersionStages"),
    ),
    Capability(
        "registry_updates",
        "Registry updates: rename, descriptions, model and version tags",
        "update_registered_model, rename_registered_model, update_model_version, set/delete_registered_model_tag, set/delete_model_version_tag",
        "none (raw sendPost/sendPatch; tag deletes unreachable)",
        BRIDGED,
        "stock_registry_updates",
        endpoints=_e(
            "PATCH registered-models/update",
            "POST registered-models/rename",
            "PATCH model-versions/update",
            "POST registered-models/set-tag",
            "POST model-versions/set-tag",
            "DELETE registered-models/delete-tag",
            "DELETE model-versions/delete-tag",
        ),
        bridge="mlflowbridge.Mlflow.registry.updateRegisteredModel, renameRegisteredModel, updateModelVersion, "
        "setRegisteredModelTag, deleteRegisteredModelTag, setModelVersionTag, deleteModelVersionTag",
        workaround="bridge_registry_updates",
        py_methods=_m(
            "update_registered_model rename_registered_model update_model_version set_registered_model_tag "
            "delete_registered_model_tag set_model_version_tag delete_model_version_tag"
        ),
        requires=(
            "mlflowbridge.Registry#updateRegisteredModel",
            "mlflowbridge.Registry#renameRegisteredModel",
            "mlflowbridge.Registry#updateModelVersion",
            "mlflowbridge.Registry#setRegisteredModelTag",
            "mlflowbridge.Registry#deleteRegisteredModelTag",
            "mlflowbridge.Registry#setModelVersionTag",
            "mlflowbridge.Registry#deleteModelVersionTag",
        ),
    ),
    Capability(
        "copy_model_version",
        "Copy a model version to another registered model",
        "copy_model_version",
        "none (getModelVersion, then raw sendPost of registered-models/create and model-versions/create)",
        BRIDGED,
        "stock_copy_model_version",
        stock_methods=r"^copyModelVersion$",
        endpoints=_e("GET model-versions/get", "POST registered-models/create", "POST model-versions/create"),
        bridge="mlflowbridge.Mlflow.registry.copyModelVersion",
        workaround="bridge_copy_model_version",
        py_methods=_m("copy_model_version"),
        requires=("mlflowbridge.Registry#copyModelVersion",),
    ),
    # ---------------------------------------------------------------- everything else Python has
    Capability(
        "log_inputs",
        "Datasets on runs: log_input / log_inputs (a Spark DataFrame, as mlflow.data.from_spark records it)",
        "mlflow.log_input, log_inputs",
        'none (raw sendPost("runs/log-inputs"))',
        BRIDGED,
        "stock_log_inputs",
        bridge="mlflowbridge.Mlflow.runs.logInput, ActiveRun.logInput",
        workaround="bridge_log_inputs",
        endpoints=_e("POST runs/log-inputs"),
        py_methods=_m("log_inputs"),
        requires=("mlflowbridge.Runs#logInput", "mlflowbridge.ActiveRun#logInput", "mlflowbridge.DatasetSource#path"),
    ),
    Capability(
        "autolog",
        "Autologging of other libraries and of Spark datasources",
        "mlflow.autolog, mlflow.spark.autolog",
        "none in the client (org.mlflow:mlflow-spark is only the JVM half of Python's spark autolog)",
        GAP,
        "stock_autolog",
        stock_methods=r"(?i)autolog",
    ),
    Capability(
        "autolog_spark_ml",
        "Autologging of Spark ML training from the JVM",
        "mlflow.pyspark.ml.autolog()",
        "none (org.mlflow:mlflow-spark's SparkDataSourceListener only passes data-source info to Python's autolog)",
        BRIDGED,
        "stock_autolog_spark_ml",
        stock_methods=r"(?i)autolog",
        bridge="spark.extraListeners=mlflowbridge.autolog.MlflowAutolog; mlflowbridge.Mlflow.autolog.fit/evaluate",
        workaround="bridge_autolog_spark_ml",
        issue="mlflow#5506",
        requires=("mlflowbridge.autolog.MlflowAutolog#onOtherEvent", "mlflowbridge.autolog.Autolog#fit", "mlflowbridge.autolog.Autolog#evaluate"),
    ),
    Capability(
        "traces",
        "Tracing (spans, traces, trace tags, trace-run links)",
        "start_trace, start_span, end_span, end_trace, get_trace, search_traces, delete_traces, ...",
        "none (raw sendGet/sendPost/sendPatch reach the /api/2.0 trace routes; /api/3.0, DELETE and OTLP are unreachable)",
        BRIDGED,
        "stock_traces",
        stock_methods=r"(?i)(trace|span)",
        endpoints=_e(
            "POST /v1/traces",
            "POST /api/3.0/mlflow/traces",
            "POST /api/3.0/mlflow/traces/search",
            "GET /api/3.0/mlflow/traces/<trace_id>",
            "GET traces",
            "GET traces/<request_id>/info",
            "PATCH traces/<request_id>/tags",
            "DELETE traces/<request_id>/tags",
            "POST traces/delete-traces",
            "POST traces/link-to-run",
        ),
        bridge="mlflowbridge.Mlflow.tracing.tracer(experimentId[, runId]) (OpenTelemetry spans over OTLP/HTTP /v1/traces), traced, flush",
        workaround="bridge_traces",
        note="the JVM writes traces (spans, attributes, events, status, run link); reading, tagging and deleting them stay Python's",
        requires=("mlflowbridge.Tracing#tracer", "mlflowbridge.Tracing#flush", "mlflowbridge.ExperimentTracer#traced"),
        py_methods=_m(
            "start_trace start_span end_span end_trace get_trace search_traces delete_traces set_trace_tag "
            "delete_trace_tag link_traces_to_run unlink_traces_from_run link_prompt_versions_to_trace"
        ),
    ),
    Capability(
        "prompts",
        "Prompt registry",
        "register_prompt, load_prompt, search_prompts, set_prompt_alias, ...",
        "none",
        GAP,
        "stock_prompts",
        stock_methods=r"(?i)prompt",
        # Prompts live in the model registry as tagged registered models and versions.
        endpoints=_e(
            "POST registered-models/create", "POST model-versions/create", "GET registered-models/search", "DELETE registered-models/delete"
        ),
        py_methods=_m(
            "create_prompt create_prompt_version delete_prompt delete_prompt_alias delete_prompt_tag "
            "delete_prompt_version delete_prompt_version_tag detach_prompt_from_run get_prompt "
            "get_prompt_version get_prompt_version_by_alias link_prompt_version_to_model "
            "link_prompt_version_to_run list_logged_prompts load_prompt parse_prompt_uri register_prompt "
            "search_prompt_versions search_prompts set_prompt_alias set_prompt_tag set_prompt_version_tag"
        ),
    ),
    Capability(
        "eval_datasets",
        "Evaluation datasets (GenAI)",
        "create_dataset, get_dataset, search_datasets, ...",
        "none",
        GAP,
        "stock_eval_datasets",
        stock_methods=r"^(createDataset|getDataset|deleteDataset|searchDatasets|setDatasetTags|deleteDatasetTag|addDatasetToExperiments|removeDatasetFromExperiments)$",
        endpoints=_e("POST /api/3.0/mlflow/datasets/create", "GET /api/3.0/mlflow/datasets/<dataset_id>", "POST /api/3.0/mlflow/datasets/search"),
        py_methods=_m(
            "create_dataset get_dataset delete_dataset search_datasets set_dataset_tags delete_dataset_tag "
            "add_dataset_to_experiments remove_dataset_from_experiments"
        ),
    ),
    Capability(
        "webhooks",
        "Webhooks",
        "create_webhook, list_webhooks, test_webhook, ...",
        "none",
        GAP,
        "stock_webhooks",
        stock_methods=r"(?i)webhook",
        endpoints=_e(
            "POST webhooks",
            "GET webhooks",
            "GET webhooks/<webhook_id>",
            "PATCH webhooks/<webhook_id>",
            "DELETE webhooks/<webhook_id>",
            "POST webhooks/<webhook_id>/test",
        ),
        py_methods=_m("create_webhook get_webhook list_webhooks update_webhook delete_webhook test_webhook"),
    ),
    Capability(
        "workspaces",
        "Workspaces",
        "create_workspace, list_workspaces, get_workspace_store_uri, ...",
        "none",
        GAP,
        "stock_workspaces",
        stock_methods=r"(?i)workspace",
        endpoints=_e("GET /api/3.0/mlflow/workspaces", "POST /api/3.0/mlflow/workspaces", "DELETE /api/3.0/mlflow/workspaces/<workspace_name>"),
        py_methods=_m("create_workspace get_workspace list_workspaces update_workspace delete_workspace get_workspace_store_uri"),
    ),
    Capability(
        "mcp_servers",
        "MCP server registry",
        "create_mcp_server, search_mcp_servers, ...",
        "none",
        GAP,
        "stock_mcp_servers",
        stock_methods=r"(?i)mcp",
        endpoints=_e("POST /api/3.0/mlflow/mcp-servers", "GET /api/3.0/mlflow/mcp-servers"),
        py_methods=_m(
            "create_mcp_access_endpoint create_mcp_server create_mcp_server_version delete_mcp_access_endpoint "
            "delete_mcp_server delete_mcp_server_alias delete_mcp_server_tag delete_mcp_server_version "
            "delete_mcp_server_version_tag get_latest_mcp_server_version get_mcp_access_endpoint "
            "get_mcp_server get_mcp_server_version get_mcp_server_version_by_alias "
            "refresh_mcp_server_version_tools search_mcp_access_endpoints search_mcp_server_versions "
            "search_mcp_servers set_mcp_server_alias set_mcp_server_tag set_mcp_server_version_tag "
            "update_mcp_access_endpoint update_mcp_server update_mcp_server_version"
        ),
    ),
    # ---------------------------------------------------------------- connecting
    Capability(
        "local_tracking_uri",
        "Local tracking URIs (sqlite:, file:) without a server",
        'MlflowClient("sqlite:///mlflow.db")',
        "none: MlflowClient(String) refuses local URIs",
        GAP,
        "stock_local_tracking_uri",
        issue="mlflow#2407",
    ),
    Capability(
        "credentials_env",
        "Credentials from MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN for http(s) servers",
        "read from the environment",
        "none: new MlflowClient(uri) sends no credentials; BasicMlflowHostCreds by hand",
        BRIDGED,
        "stock_credentials_env",
        bridge="mlflowbridge.Mlflow.fromEnv / forUri(uri)",
        workaround="bridge_credentials_env",
        requires=("mlflowbridge.Mlflow#fromEnv", "mlflowbridge.Mlflow#forUri"),
        note="clientFor also reads MLFLOW_TRACKING_INSECURE_TLS; not checked live (it needs an https server)",
    ),
    Capability(
        "raw_rest",
        "Raw REST calls under /api/2.0/mlflow/, and closing the client",
        "mlflow.utils.rest_utils.http_request",
        "sendGet, sendPost, sendPatch, close",
        PARITY,
        "parity_raw_rest",
        java_methods=_m("sendGet sendPost sendPatch close"),
        note="Java has no sendDelete and cannot reach /api/3.0",
    ),
]

BY_ID: dict[str, Capability] = {c.id: c for c in CATALOG}


def counts() -> dict[str, int]:
    return {s: sum(1 for c in CATALOG if c.status == s) for s in STATUSES}


def reach_counts() -> dict[str, int]:
    return {r: sum(1 for c in CATALOG if c.reach == r) for r in REACHES}


def classified_python() -> dict[str, str]:
    """Python MlflowClient method -> catalog id."""
    return {m: c.id for c in CATALOG for m in c.py_methods}


def classified_java() -> dict[str, str]:
    """Java MlflowClient method name -> catalog id."""
    return {m: c.id for c in CATALOG for m in c.java_methods}
