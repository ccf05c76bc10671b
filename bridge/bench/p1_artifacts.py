"""P1 artifacts: 1 KB, 100 MB and a 1,000-file tree, up and down, for each artifact root.

Contenders: ours (`jvm.artifacts.log` / `download`, JPype), the stock Java client
(`logArtifact(s)` / `downloadArtifacts`, each forking `python -m mlflow.store.artifact.cli`: on
1 KB only, at most 2 repeats, since a call takes seconds), Python's `MlflowClient`, and `cp` of
the same bytes (a `cp -r` child: the local-copy floor, fork included).
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

from .context import BenchContext
from .core import Contender, RowResult, speedup, time_side_by_side, within
from .roots import ROOTS, ArtifactRoot

ID = "P1"
TITLE = "artifacts up and down"
STOCK_JAVA_REPEAT = 2
KB = 1024
PROFILE_NOTE = (
    "JFR (a jdk.jfr.Recording started from Python in the JPype JVM) and each process' CPU (psutil), 100 MB, proxied: the JVM "
    "sat idle (the JDK HttpClient's selector thread in epoll) while it passed 16 KB buffers between its threads, 0.42 s CPU up / "
    "0.87 s down against Python's 0.09 / 0.19 s, on 2 cores shared with the server (0.4-0.5 s CPU either way: the floor); files "
    "now go over a blocking HttpURLConnection on the caller's thread (0.18 / 0.33 s). S3: the SDK's aws-chunked signing (a "
    "signature per 128 KB chunk) took 1.15 s CPU to boto3's 0.39 s and moto 1.32 s to 0.84 s decoding it; now one signed body. "
    "1 KB: a run's artifact root is kept, as Python's client keeps it (one request, not two)"
)


def make_data(where: Path) -> dict[str, Path]:
    """The three payloads, random bytes (nothing compresses): name -> file or folder."""
    one_kb = where / "one-kb.bin"
    one_kb.write_bytes(os.urandom(KB))
    big = where / "hundred-mb.bin"
    with open(big, "wb") as f:
        for _ in range(100):
            f.write(os.urandom(1024 * KB))
    tree = where / "tree"
    for d in range(10):
        (tree / f"d{d}").mkdir(parents=True)
        for i in range(100):
            (tree / f"d{d}" / f"f{i:03d}.bin").write_bytes(os.urandom(4 * KB))
    return {"1 KB": one_kb, "100 MB": big, "1,000-file tree (4 KB each)": tree}


def run(ctx: BenchContext, repeat: int, roots: Iterable[ArtifactRoot] = ROOTS.values()) -> RowResult:
    row = RowResult(ID, TITLE, profile_note=PROFILE_NOTE)
    data_dir = ctx.tmp("p1-data-")
    payloads = make_data(data_dir)
    roots = list(roots)
    # Every root's servers (and the settings they put in the environment, e.g. S3's) before the
    # first JVM: a JVM keeps the environment it started with, and the stock Java client hands it
    # to the Python it forks.
    for root in roots:
        ctx.tracking_uri(root)
    for root in roots:
        _run_root(ctx, row, root, payloads, repeat)
    shutil.rmtree(data_dir, ignore_errors=True)
    row.notes.append(f"stock Java client: 1 KB only, {min(repeat, STOCK_JAVA_REPEAT)} repeat(s) (each call forks Python)")
    row.notes.append(
        "ours: the JVM through JPype; cp: a `cp -r` child process, the local-copy floor; one untimed call of each first on 1 KB (the stock Java client forks a fresh Python per call: not warmed)"
    )
    return row


def _run_root(ctx: BenchContext, row: RowResult, root: ArtifactRoot, payloads: dict[str, Path], repeat: int) -> None:
    jvm = ctx.session("jpype", root)
    client = ctx.client(root)
    unique = itertools.count()
    for size, src in payloads.items():
        run_id = ctx.new_run(root, f"p1-{size}")
        small = size == "1 KB"
        up = f"{root.name}: {size} upload"
        uploads = [
            Contender("ours", lambda dst: jvm.artifacts.log_artifacts(run_id, src, dst), setup=lambda: f"ours/{next(unique)}", warm=small),
            Contender("python", lambda dst: _python_log(client, run_id, src, dst), setup=lambda: f"python/{next(unique)}", warm=small),
        ]
        if small:
            uploads.append(
                Contender(
                    "stock Java",
                    lambda dst: jvm.client.logArtifact(run_id, jvm.java_file(src), dst),
                    setup=lambda: f"stock/{next(unique)}",
                    repeat=STOCK_JAVA_REPEAT,
                    warm=False,
                )
            )
        uploads.append(_cp(ctx, src, small))
        row.measurements += time_side_by_side(up, uploads, repeat, ctx.progress)

        _python_log(client, run_id, src, "src")  # what the downloads fetch
        remote = f"src/{src.name}" if src.is_file() else "src"
        down = f"{root.name}: {size} download"
        downloads = [
            Contender("ours", lambda dst: jvm.artifacts.download(run_id, remote, dst), setup=_fresh_dir(ctx), teardown=_remove, warm=small),
            Contender("python", lambda dst: client.download_artifacts(run_id, remote, str(dst)), setup=_fresh_dir(ctx), teardown=_remove, warm=small),
        ]
        if small:
            downloads.append(_stock_download(jvm, run_id, remote))
        downloads.append(_cp(ctx, src, small))
        row.measurements += time_side_by_side(down, downloads, repeat, ctx.progress)

        for case in (up, down):
            if small:
                row.targets.append(
                    speedup(f"{case}: ours vs stock Java client (speed-up)", row.median(case, "stock Java"), row.median(case, "ours"), 100)
                )
            else:
                row.targets.append(within(f"{case}: ours / Python client (time)", row.median(case, "ours"), row.median(case, "python"), 1.1))


def _python_log(client: Any, run_id: str, src: Path, dst: str) -> None:
    if src.is_file():
        client.log_artifact(run_id, str(src), dst)
    else:
        client.log_artifacts(run_id, str(src), dst)


def _cp(ctx: BenchContext, src: Path, warm: bool) -> Contender:
    return Contender(
        "cp", lambda dst: subprocess.run(["cp", "-r", str(src), str(dst)], check=True), setup=_fresh_dir(ctx), teardown=_remove, warm=warm
    )


def _fresh_dir(ctx: BenchContext) -> Callable[[], Path]:
    return lambda: ctx.tmp("p1-dst-")


def _remove(path: Any) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _stock_download(jvm: Any, run_id: str, remote: str) -> Contender:
    """The stock client downloads into a fresh system temp folder (made by the Python it forks)
    and returns the path under it; the teardown removes that folder."""

    def run(holder: list[Path]) -> None:
        holder.append(Path(str(jvm.client.downloadArtifacts(run_id, remote).getAbsolutePath())))

    def teardown(holder: list[Path]) -> None:
        for returned in holder:
            folder = returned.parents[len(remote.split("/")) - 1]
            if folder.name.startswith("tmp") and Path(tempfile.gettempdir()).resolve() in folder.resolve().parents:
                shutil.rmtree(folder, ignore_errors=True)

    return Contender("stock Java", run, setup=list, teardown=teardown, repeat=STOCK_JAVA_REPEAT, warm=False)
