"""The embedded tracking server: starts on a free loopback port, answers, stops with its whole group."""

from __future__ import annotations

import os
import time

from bridge.server import TrackingServer, is_healthy


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def test_embedded_server_starts_and_stops_with_its_group(tmp_path):
    server = TrackingServer(tmp_path).start()
    try:
        assert server.uri.startswith("http://127.0.0.1:")
        assert is_healthy(server.uri)
        assert (tmp_path / "mlflow.db").is_file()
        pgid = server.pid
        assert os.getpgid(pgid) == pgid  # its own process group
        print(f"embedded server up in {server.startup_seconds:.1f}s")
    finally:
        server.stop()
    deadline = time.monotonic() + 20
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _group_alive(pgid)
    assert not is_healthy(server.uri)


def test_tracking_uses_a_given_uri_or_the_environment_and_starts_nothing(tracking_uri, monkeypatch):
    import pytest

    from bridge import BadInputError
    from bridge.server import tracking

    with tracking(tracking_uri) as t:
        assert (t.uri, t.server) == (tracking_uri, None)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)
    with tracking() as t:
        assert (t.uri, t.server) == (tracking_uri, None)
    with pytest.raises(BadInputError, match="tracking URI 'sqlite:///x.db' is not an http\\(s\\) tracking server"):
        with tracking("sqlite:///x.db"):
            pass
