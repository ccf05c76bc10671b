"""`mlflow-bridge parity` (registered by bridge.cli)."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    pass
