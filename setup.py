"""Dependencies are computed from bridge/versions.properties so each version is written once."""
from pathlib import Path

from setuptools import setup


def _versions() -> dict[str, str]:
    text = (Path(__file__).parent / "bridge" / "versions.properties").read_text(encoding="utf-8")
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.lstrip().startswith("#"))
    return {k.strip(): v.strip() for k, v in pairs}


v = _versions()
# ONNX models (bridge.onnx): scikit-learn to ONNX, and Python's ONNX Runtime that the tests compare the JVM's with.
onnx = [f"onnx=={v['onnx']}", f"skl2onnx=={v['skl2onnx']}", f"onnxruntime=={v['onnxruntime']}"]
demo = ["scikit-learn", "matplotlib"]
# What pyspark's Connect client needs besides pyspark itself (pyspark[connect] without pyspark).
connect_protocol = ["grpcio", "grpcio-status", "googleapis-common-protos", "zstandard"]
bench = ["psutil", "pyinstrument", "scikit-learn", *onnx, *connect_protocol]
connect = [f"pyspark-client=={v['spark']}", *connect_protocol, "pandas>=2.2,<3", "pyarrow"]
setup(
    install_requires=[
        f"pyspark=={v['spark']}",
        f"mlflow=={v['mlflow.python']}",
        f"jpype1=={v['jpype']}",
        "pandas>=2.2,<3",  # pyspark 4.2 warns that it does not yet support pandas 3
        "pyarrow",
    ],
    # mlflow[auth]: the basic-auth tracking server the credential tests start; cryptography: their TLS
    # certificate; psycopg: the tracking server on PostgreSQL (SQLAlchemy's default driver for postgresql://);
    # moto[server]: the S3 server (and boto3) of the s3:// artifact tests.
    # demo: `mlflow-bridge demo` (scikit-learn's wine data, matplotlib's plots); bench: `mlflow-bridge bench`
    # (psutil samples its children's memory, pyinstrument profiles, the ONNX row, the Spark Connect row's
    # client). bridge/extras.py names the same.
    # The tests run the demo's and the benchmarks' code, so the test extra has both.
    # connect: a Spark Connect client with no JVM (bridge.spark_connect, docs/connect.md) installs
    # the bridge without its dependencies and this extra: pyspark-client instead of pyspark.
    extras_require={"connect": connect, "onnx": onnx, "demo": demo, "bench": bench, "test": ["pytest>=8", "pytest-timeout", "ruff==0.17.6", "mypy==2.4.1", f"mlflow[auth]=={v['mlflow.python']}", "cryptography", "psycopg[binary]", f"moto[server]=={v['moto']}", *demo, *bench]},
)
