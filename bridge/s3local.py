"""A local S3-compatible server (moto's server mode) on 127.0.0.1, for tests and benchmarks.

IAM checks are on: one user allowed everything, made at start; every later request needs its
key and a valid signature, so wrong keys are really refused.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ServerUnreachableError
from .server import free_port, stop_group

REGION = "us-east-1"


@dataclass
class LocalS3:
    endpoint: str
    key: str
    secret: str

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION, aws_access_key_id=self.key, aws_secret_access_key=self.secret)

    @property
    def env(self) -> dict[str, str]:
        """What a client of this S3 needs, as MLflow's Python client (and the JVM bridge) read it."""
        return {
            "MLFLOW_S3_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.key,
            "AWS_SECRET_ACCESS_KEY": self.secret,
            "AWS_DEFAULT_REGION": REGION,
        }


@contextmanager
def local_s3(log_dir: Path, buckets: tuple[str, ...] = ()) -> Iterator[LocalS3]:
    """`moto_server` on a free loopback port (its own process group, ended on exit), with `buckets`."""
    import boto3

    port = free_port()
    log_path = log_dir / "moto.log"
    env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3")  # the IAM set-up below goes unchecked
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise ServerUnreachableError(f"moto_server exited with {proc.returncode}: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise ServerUnreachableError(f"moto_server did not listen on {port} within 60 s") from None
                time.sleep(0.1)
        endpoint = f"http://127.0.0.1:{port}"
        iam = boto3.client("iam", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="setup", aws_secret_access_key="setup")
        iam.create_user(UserName="bridge")
        key = iam.create_access_key(UserName="bridge")["AccessKey"]
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        iam.put_user_policy(UserName="bridge", PolicyName="everything", PolicyDocument=json.dumps(policy))
        s3 = LocalS3(endpoint, key["AccessKeyId"], key["SecretAccessKey"])
        for bucket in buckets:
            s3.client().create_bucket(Bucket=bucket)
        yield s3
    finally:
        stop_group(proc)
