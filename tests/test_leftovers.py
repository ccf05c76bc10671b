"""The process-table check that `make test` runs last (tests/leftovers.py) finds what it should."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import leftovers
import pytest

pytestmark = pytest.mark.reliability  # make test-reliability runs this group


def test_a_marked_process_is_found_until_it_ends():
    run = uuid.uuid4().hex
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=dict(os.environ, MLFLOW_BRIDGE_RUN=run))
    try:
        assert list(leftovers.marked(run)) == [child.pid]
        assert leftovers.marked(uuid.uuid4().hex) == {}
    finally:
        child.kill()
        child.wait()
    assert leftovers.marked(run) == {}
