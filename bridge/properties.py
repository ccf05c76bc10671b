"""Java-style .properties files that Python and the jar both read (versions, rules)."""

from __future__ import annotations

from pathlib import Path


def read(path: Path) -> dict[str, str]:
    """Key/value pairs (comments and blank lines skipped)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            out[key.strip()] = value.strip()
    return out
