"""A Spark Connect session for the bridge's commands (the client side: no JVM)."""

from __future__ import annotations

from typing import Any

from ..errors import BadInputError


def remote_session(url: str) -> Any:
    """A new session of `SparkSession.builder.remote(url)`, the caller's to stop: only sc:// URLs
    (a `local[...]` one would start a JVM here)."""
    if not url.startswith("sc://"):
        raise BadInputError(f"--remote {url!r} is not a Spark Connect URL; give sc://host:port")
    from pyspark.sql import SparkSession

    return SparkSession.builder.remote(url).create()
