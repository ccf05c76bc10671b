"""One Spark Connect server with the bridge's plugin (and the custom stage's jar) for the whole
session: the Connect tests and the parity row "MLflow spark flavor from a Spark Connect client"
share it (it takes about two minutes to start on a busy machine)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def connect_server(custom_stage_jar, tmp_path_factory):
    from bridge.spark_connect.server import ConnectServer

    with ConnectServer(extra_jars=[str(custom_stage_jar)], log_dir=tmp_path_factory.mktemp("connect-server")) as server:
        yield server
