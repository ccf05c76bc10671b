"""s3:// artifact roots from the JVM (mlflowbridge.store.S3Store), against moto's S3 server on loopback.

A tracking server of its own hands out s3://<bucket>/mlruns/... roots without proxying them
(--no-serve-artifacts): the JVM and stock Python (boto3) both talk to S3 directly and must read
each other's files byte for byte. moto checks credentials and signatures (IAM on), so a wrong
secret is refused as real S3 refuses it. No test here may fork `python -m mlflow.store.artifact.cli`
(the stock Java client's way to reach S3): a watcher fails any test during which one runs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import mlflow
import pytest
from conftest import BACKENDS, python_starts, unique

from bridge import AccessDeniedError, BadInputError, NotFoundError, ServerUnreachableError, connect
from bridge.classpath import full_classpath
from bridge.java import jvm_options
from bridge.models import data, train
from bridge.s3local import LocalS3, local_s3
from bridge.server import TrackingServer, free_port

pytestmark = [pytest.mark.reliability]  # make test-reliability runs this group

BUCKET = "bridge-artifacts"
PART = 8 * 1024 * 1024  # boto3's multipart threshold and part size, which the JVM follows


Moto = LocalS3


@pytest.fixture(scope="session")
def moto(tmp_path_factory) -> Iterator[Moto]:
    """`moto_server` on a free loopback port with one IAM user allowed everything, and the bucket."""
    with local_s3(tmp_path_factory.mktemp("moto"), (BUCKET,)) as s3:
        yield s3


@contextmanager
def environ(changes: dict[str, str | None]) -> Iterator[None]:
    """os.environ with `changes` (None removes a name) for the block."""
    old = {k: os.environ.get(k) for k in changes}
    try:
        for k, v in changes.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def s3_env(moto) -> Iterator[dict[str, str]]:
    """The S3 settings in this process's environment: stock Python (boto3) and new sessions read them."""
    with environ({**moto.env, "AWS_SESSION_TOKEN": None}):
        yield moto.env


@pytest.fixture(scope="module")
def s3_tracking(s3_env, tmp_path_factory) -> Iterator[str]:
    """A tracking server whose runs store artifacts at s3://<bucket>/mlruns, not proxied."""
    server = TrackingServer(
        root=tmp_path_factory.mktemp("s3-server"), env=s3_env, default_artifact_root=f"s3://{BUCKET}/mlruns", serve_artifacts=False
    )
    with server:
        yield server.uri


@pytest.fixture(scope="module")
def s3_sessions(s3_tracking, spark) -> Iterator[dict[str, Any]]:
    opened = {"jpype": connect("jpype", s3_tracking), "py4j": connect("py4j", s3_tracking, spark=spark)}
    yield opened
    for s in opened.values():
        s.close()


@pytest.fixture(params=BACKENDS)
def s3jvm(request, s3_sessions):
    return s3_sessions[request.param]


@pytest.fixture(scope="module")
def py_client(s3_tracking):
    return mlflow.tracking.MlflowClient(s3_tracking)


@pytest.fixture(scope="module")
def experiment(py_client) -> str:
    return py_client.create_experiment(unique("s3"))


@pytest.fixture(autouse=True)
def no_python_fork() -> Iterator[None]:
    """Fails the test if a process of ours ran the stock client's artifact CLI meanwhile (every
    Python process of the session logs its start: tests/conftest.py)."""
    before = len(python_starts())
    yield
    seen = [cmd for cmd in python_starts()[before:] if "mlflow.store.artifact.cli" in cmd]
    assert not seen, f"the stock Java client forked Python for artifacts: {seen[0]}"


def sha256_tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def payload(tmp_path_factory) -> Path:
    """A small file, and a tree: nested, empty, non-ASCII, and 20 MiB of random bytes (3 parts)."""
    root = tmp_path_factory.mktemp("s3-payload")
    (root / "small.txt").write_text("hello, s3\n")
    tree = root / "tree"
    (tree / "a" / "b").mkdir(parents=True)
    (tree / "a" / "b" / "deep.json").write_text('{"k": [1, 2, 3]}')
    (tree / "empty.txt").write_bytes(b"")
    (tree / "déjà vu").mkdir()
    (tree / "déjà vu" / "ünïcødé 名前.txt").write_text("grüße, 世界", encoding="utf-8")
    (tree / "big.bin").write_bytes(os.urandom(20 * 1024 * 1024))
    return root


def s3_key(artifact_uri: str, rel: str) -> str:
    """The object key of `rel` under a run's s3://<bucket>/... artifact root."""
    assert artifact_uri.startswith(f"s3://{BUCKET}/"), artifact_uri
    return f"{artifact_uri.removeprefix(f's3://{BUCKET}/')}/{rel}"


def py_listing(py_client, run_id: str, path: str | None) -> list[tuple[str, bool, int]]:
    return sorted((f.path, f.is_dir, f.file_size or 0) for f in py_client.list_artifacts(run_id, path))


# -- 1. byte-identical both ways, listings agree ------------------------------------------------


def test_jvm_uploads_are_read_by_stock_python(s3jvm, py_client, experiment, payload, moto, tmp_path):
    run = py_client.create_run(experiment).info
    assert run.artifact_uri.startswith(f"s3://{BUCKET}/mlruns/")
    s3jvm.artifacts.log_artifacts(run.run_id, payload / "small.txt")
    s3jvm.artifacts.log_artifacts(run.run_id, payload / "tree", "tree")

    got = Path(
        mlflow.artifacts.download_artifacts(
            run_id=run.run_id, artifact_path="tree", dst_path=str(tmp_path / "py"), tracking_uri=py_client.tracking_uri
        )
    )
    assert sha256_tree(got) == sha256_tree(payload / "tree")
    small = Path(py_client.download_artifacts(run.run_id, "small.txt", str(tmp_path / "py-small")))
    assert small.read_bytes() == (payload / "small.txt").read_bytes()
    # Above boto3's threshold the JVM uploaded in 8 MiB parts: S3 says so in the ETag ("...-3").
    etag = moto.client().head_object(Bucket=BUCKET, Key=s3_key(run.artifact_uri, "tree/big.bin"))["ETag"]
    assert etag.strip('"').endswith("-3"), etag
    for path in (None, "tree", "tree/a", "tree/déjà vu"):
        assert sorted(s3jvm.artifacts.list(run.run_id, path)) == py_listing(py_client, run.run_id, path), path


@pytest.fixture(scope="module")
def python_run(py_client, experiment, payload) -> str:
    """A run whose artifacts stock Python (boto3) uploaded: small.txt and tree/."""
    run_id = py_client.create_run(experiment).info.run_id
    py_client.log_artifact(run_id, str(payload / "small.txt"))
    py_client.log_artifacts(run_id, str(payload / "tree"), "tree")
    return run_id


def test_python_uploads_are_read_by_the_jvm(s3jvm, python_run, py_client, payload, tmp_path):
    everything = s3jvm.artifacts.download(python_run, None, tmp_path / "all")
    assert everything == tmp_path / "all" / "artifacts"
    expected = {"small.txt": sha256_tree(payload)["small.txt"], **{f"tree/{k}": v for k, v in sha256_tree(payload / "tree").items()}}
    assert sha256_tree(everything) == expected
    big = s3jvm.artifacts.download(python_run, "tree/big.bin", tmp_path / "one")
    assert big == tmp_path / "one" / "big.bin" and big.read_bytes() == (payload / "tree" / "big.bin").read_bytes()
    # An s3:// URI directly, as Python's download_artifacts(artifact_uri=...) takes it.
    root = py_client.get_run(python_run).info.artifact_uri
    tree = s3jvm.artifacts.download_uri(f"{root}/tree", tmp_path / "uri")
    assert sha256_tree(tree) == sha256_tree(payload / "tree")
    for path in (None, "tree", "tree/a/b"):
        assert sorted(s3jvm.artifacts.list(python_run, path)) == py_listing(py_client, python_run, path), path
    assert s3jvm.artifacts.list(python_run, "no/such/dir") == py_listing(py_client, python_run, "no/such/dir") == []
    with pytest.raises(NotFoundError, match="no artifact 'missing.txt'"):
        s3jvm.artifacts.download(python_run, "missing.txt", tmp_path / "missing")


# -- 2. models: JVM-logged into an s3 run, loaded by stock Python and by our loader ----------------


@pytest.fixture(scope="module")
def jvm_model(spark, s3_sessions, py_client, experiment) -> dict[str, Any]:
    """A linear pipeline logged from the JVM (py4j) into an s3 run and registered as <name>@champion."""
    pdf = data.diabetes()
    model = train.fit(spark, pdf, "linear")
    sdf = spark.createDataFrame(pdf)
    jvm = s3_sessions["py4j"]
    run_id = py_client.create_run(experiment).info.run_id
    info = jvm.models.log(run_id, model, "model", example=sdf.limit(3), training=sdf)
    name = unique("s3-model")
    version = jvm.registry.register(info.model_uri, name, "champion").version
    return {"uri": info.model_uri, "run_id": run_id, "name": name, "version": str(version), "frame": sdf}


def predictions(model: Any, sdf: Any) -> list[float]:
    return [row.prediction for row in model.transform(sdf).select("prediction").collect()]


def test_jvm_logged_model_loads_in_stock_python_and_in_scala(jvm_model, s3_sessions, py_client, s3_tracking, tmp_path):
    uri, name, sdf = jvm_model["uri"], jvm_model["name"], jvm_model["frame"]
    files = {f.path for f in py_client.list_artifacts(jvm_model["run_id"], "model")}
    assert {"model/MLmodel", "model/sparkml", "model/requirements.txt"} <= files
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(s3_tracking)
    try:
        expected = predictions(mlflow.spark.load_model(uri), sdf)
    finally:
        mlflow.set_tracking_uri(previous)
    assert len(expected) == sdf.count()
    for model_uri in (uri, f"models:/{name}/{jvm_model['version']}", f"models:/{name}@champion"):
        assert predictions(s3_sessions["py4j"].models.load(model_uri), sdf) == expected, model_uri
    # JPype's JVM fetches the same files (runs:/ and the alias) as stock Python downloads them.
    stock = Path(py_client.download_artifacts(jvm_model["run_id"], "model", str(tmp_path / "py")))
    for i, model_uri in enumerate((uri, f"models:/{name}@champion")):
        got = s3_sessions["jpype"].models.download(model_uri, tmp_path / f"jpype-{i}")
        assert sha256_tree(got) == sha256_tree(stock), model_uri


# -- 3. no Python: a JVM of its own whose MLFLOW_PYTHON_EXECUTABLE does not exist --------------------


def test_a_jvm_without_python_uploads_and_downloads(s3_tracking, s3_env, py_client, experiment, payload, tmp_path):
    """tests/jvm/LargeArtifact.java (Mlflow.fromEnv, logArtifacts, download) with no Python to fork, in 256 MB of heap."""
    javac, java = shutil.which("javac"), shutil.which("java")
    assert javac and java, "the tests need a JDK (javac and java on PATH)"
    classpath = os.pathsep.join(full_classpath())
    src = Path(__file__).parent / "LargeArtifact.java"
    r = subprocess.run(
        [javac, "--release", "17", "-d", str(tmp_path / "classes"), "-cp", classpath, str(src)], capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr[-3000:]
    run_id = py_client.create_run(experiment).info.run_id
    env = dict(os.environ, **s3_env, MLFLOW_TRACKING_URI=s3_tracking, MLFLOW_PYTHON_EXECUTABLE=str(tmp_path / "no-such-python"))
    options = [o for o in jvm_options() if not o.startswith("-Xmx")] + ["-Xmx256m"]
    big = payload / "tree" / "big.bin"
    r = subprocess.run([java, *options, "-cp", os.pathsep.join([str(tmp_path / "classes"), classpath]), "LargeArtifact",
                        run_id, str(big), "alone", str(tmp_path / "back")], capture_output=True, text=True, timeout=300, env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    out = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    assert Path(out["downloaded"]).read_bytes() == big.read_bytes()
    assert Path(py_client.download_artifacts(run_id, "alone/big.bin", str(tmp_path / "py"))).read_bytes() == big.read_bytes()


# -- 4. bad input ----------------------------------------------------------------------------------


@contextmanager
def session_with(backend: str, uri: str, spark: Any, changes: dict[str, str | None]) -> Iterator[Any]:
    """A session connected while os.environ had `changes` (a session takes its S3 settings then)."""
    with environ(changes):
        s = connect("py4j", uri, spark=spark) if backend == "py4j" else connect("jpype", uri)
    try:
        yield s
    finally:
        s.close()


def one_line_no_trace(e: pytest.ExceptionInfo) -> str:
    msg = str(e.value)
    assert "\n" not in msg and "software.amazon" not in msg and "\tat " not in msg, msg
    return msg


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_secret_is_access_denied_naming_the_bucket(backend, s3_tracking, spark, python_run, payload, moto, tmp_path):
    with session_with(backend, s3_tracking, spark, {"AWS_SECRET_ACCESS_KEY": "not-the-secret"}) as bad:
        with pytest.raises(AccessDeniedError) as up:
            bad.artifacts.log_artifacts(python_run, payload / "small.txt", "denied")
        with pytest.raises(AccessDeniedError) as down:
            bad.artifacts.download(python_run, "tree", tmp_path / "dst")
    for e in (up, down):
        msg = one_line_no_trace(e)
        assert f"bucket '{BUCKET}'" in msg and moto.endpoint in msg and "AWS_SECRET_ACCESS_KEY" in msg, msg
    assert not (tmp_path / "dst" / "tree").exists()


def test_missing_bucket_is_not_found_naming_it(s3jvm, py_client, payload, tmp_path):
    bucket = unique("no-such-bucket")
    exp = py_client.create_experiment(unique("s3-missing"), artifact_location=f"s3://{bucket}/x")
    run_id = py_client.create_run(exp).info.run_id
    with pytest.raises(NotFoundError) as up:
        s3jvm.artifacts.log_artifacts(run_id, payload / "small.txt")
    with pytest.raises(NotFoundError) as down:
        s3jvm.artifacts.download(run_id, None, tmp_path)
    with pytest.raises(NotFoundError) as listing:
        s3jvm.artifacts.list(run_id, None)
    for e in (up, down, listing):
        assert f"S3 bucket '{bucket}' does not exist" in one_line_no_trace(e)


@pytest.mark.parametrize("backend", BACKENDS)
def test_unreachable_endpoint_names_it(backend, s3_tracking, spark, python_run, tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}"
    with session_with(backend, s3_tracking, spark, {"MLFLOW_S3_ENDPOINT_URL": nowhere}) as lost:
        with pytest.raises(ServerUnreachableError) as e:
            lost.artifacts.download(python_run, "small.txt", tmp_path)
    assert f"S3 endpoint {nowhere} is unreachable" in one_line_no_trace(e)


def test_unsafe_artifact_path_is_refused_before_s3(s3jvm, python_run, payload):
    with pytest.raises(BadInputError, match="not a safe relative path"):
        s3jvm.artifacts.log_artifacts(python_run, payload / "small.txt", "../outside")


@pytest.mark.parametrize("hostile", ["../../evil.txt", "sub/../../../evil.txt", "..\\evil.txt", "a//evil.txt"])
def test_hostile_key_in_a_listing_is_refused_and_nothing_is_written(s3jvm, py_client, experiment, moto, hostile, tmp_path):
    run = py_client.create_run(experiment).info
    s3 = moto.client()
    s3.put_object(Bucket=BUCKET, Key=s3_key(run.artifact_uri, "dir/ok.txt"), Body=b"fine")
    s3.put_object(Bucket=BUCKET, Key=s3_key(run.artifact_uri, f"dir/{hostile}"), Body=b"pwned!")
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=s3_key(run.artifact_uri, "dir/"))["Contents"]]
    assert s3_key(run.artifact_uri, f"dir/{hostile}") in listed  # stored as given, not normalized
    dst = tmp_path / "dst" / "inner"
    with pytest.raises(BadInputError, match="refusing artifact name") as e:
        s3jvm.artifacts.download(run.run_id, "dir", dst)
    assert f"s3://{BUCKET}/" in one_line_no_trace(e)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
