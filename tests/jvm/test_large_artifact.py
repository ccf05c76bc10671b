"""A 1 GB artifact goes up and down through mlflowbridge in a JVM whose heap is capped at 256 MB:
the transfer streams, it never holds the file in memory."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from bridge.classpath import full_classpath
from bridge.java import jvm_options

pytestmark = pytest.mark.reliability  # make test-reliability runs this group

GIB = 1 << 30


def _write_one_gib(path: Path) -> str:
    """1 GiB of varied bytes (each MiB block differs), written in blocks; returns its sha256."""
    digest, block = hashlib.sha256(), bytearray(os.urandom(1 << 20))
    with open(path, "wb") as f:
        for i in range(GIB >> 20):
            block[:8] = i.to_bytes(8, "big")
            f.write(block)
            digest.update(block)
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@pytest.mark.slow
def test_one_gib_up_and_down_with_a_256_mb_heap(tracking_uri, tmp_path):
    javac, java = shutil.which("javac"), shutil.which("java")
    assert javac and java, "the tests need a JDK (javac and java on PATH)"
    classpath = os.pathsep.join(full_classpath())
    src = Path(__file__).parent / "LargeArtifact.java"
    r = subprocess.run(
        [javac, "--release", "17", "-d", str(tmp_path / "classes"), "-cp", classpath, str(src)], capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, r.stderr[-3000:]
    big = tmp_path / "big.bin"
    expected = _write_one_gib(big)
    client = MlflowClient(tracking_uri)
    run_id = client.create_run(client.create_experiment(f"large-{os.getpid()}-{tmp_path.name}")).info.run_id
    options = [o for o in jvm_options() if not o.startswith("-Xmx")] + ["-Xmx256m"]
    env = dict(os.environ, MLFLOW_TRACKING_URI=tracking_uri, MLFLOW_PYTHON_EXECUTABLE=sys.executable)
    r = subprocess.run([java, *options, "-cp", os.pathsep.join([str(tmp_path / "classes"), classpath]), "LargeArtifact",
                        run_id, str(big), "large", str(tmp_path / "back")], capture_output=True, text=True, timeout=900, env=env)  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    out = dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)
    assert int(out["max_heap_bytes"]) <= 256 * (1 << 20)
    big.unlink()  # room for the copy
    back = Path(out["downloaded"])
    assert back.stat().st_size == GIB and _sha256(back) == expected
    assert [(f.path, f.file_size) for f in client.list_artifacts(run_id, "large")] == [("large/big.bin", GIB)]
