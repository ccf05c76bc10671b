"""One Spark Connect server with the bridge's plugin for the session (and the custom stage's jar)."""

from __future__ import annotations

import pytest

# client/ runs in .venv-connect (no JVM), started by test_connect.py; never in this interpreter.
collect_ignore = ["client"]


@pytest.fixture(scope="session")
def connect_server(custom_stage_jar, tmp_path_factory):
    from bridge.spark_connect.server import ConnectServer

    with ConnectServer(extra_jars=[str(custom_stage_jar)], log_dir=tmp_path_factory.mktemp("connect-server")) as server:
        yield server
