"""Model subcommands (demo, score, compare, parity) are registered here as they land."""
from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    pass
