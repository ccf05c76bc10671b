"""Look at the HTML report the way a person would: headless Chromium, a screenshot and the DOM.

`make test` installs Debian's `chromium` first, so the tests that use it always have it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
        if path:
            return path
    return None


def _run(html_file: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    exe = chromium()
    if exe is None:
        raise FileNotFoundError("no Chromium: apt-get install -y chromium")
    with tempfile.TemporaryDirectory(prefix="parity-chromium-") as profile:
        return subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={profile}", *args, html_file.resolve().as_uri()], capture_output=True, text=True, timeout=timeout
        )


def screenshot(html_file: Path, png: Path, width: int = 1400, height: int = 1800) -> Path:
    r = _run(html_file, f"--window-size={width},{height}", f"--screenshot={png}")
    if not png.is_file():
        raise RuntimeError(f"chromium wrote no screenshot (exit {r.returncode}): {r.stderr[-800:]}")
    return png


def dump_dom(html_file: Path) -> str:
    """The DOM after Chromium loaded the page (what it rendered from)."""
    r = _run(html_file, "--dump-dom")
    if r.returncode != 0 or "<html" not in r.stdout:
        raise RuntimeError(f"chromium --dump-dom failed (exit {r.returncode}): {r.stderr[-800:]}")
    return r.stdout
