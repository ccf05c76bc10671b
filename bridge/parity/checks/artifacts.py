"""Checks of the catalog's section: run artifacts."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .base import _CHILD_RESULTS, ONE, Ctx, GapConfirmed, _run_child, check, class_exists, fluent


@check()
def parity_artifacts(ctx: Ctx) -> None:
    """An artifact logged by Java (through its Python fork) lists and reads the same from both clients."""
    c, py = ctx.client, ctx.py
    rid = ctx.java_run()
    d = Path(tempfile.mkdtemp(prefix="parity-art-"))
    (d / "hello.txt").write_text("hello from the JVM\n")
    c.logArtifact(rid, ctx.jvm.java_file(d / "hello.txt"), "docs")
    j = [(str(f.getPath()), bool(f.getIsDir())) for f in c.listArtifacts(rid, "docs")]
    p = [(f.path, f.is_dir) for f in py.list_artifacts(rid, "docs")]
    assert j == p == [("docs/hello.txt", False)], (j, p)
    local = py.download_artifacts(rid, "docs/hello.txt", str(d / "dl"))
    assert Path(local).read_text() == "hello from the JVM\n"


@check(backends=ONE)
def stock_artifacts_no_python(ctx: Ctx) -> None:
    """The stock logArtifact in a JVM where no Python can be executed (MLFLOW_PYTHON_EXECUTABLE=/nonexistent)."""
    rid = ctx.java_run()
    out = _run_child(
        {"tracking_uri": ctx.tracking_uri, "steps": ["stock_log_artifact"], "run_id": rid}, {"MLFLOW_PYTHON_EXECUTABLE": "/nonexistent/python"}
    )["stock_log_artifact"]
    repos = [c for c in ("org.mlflow.artifacts.CliBasedArtifactRepository",) if class_exists(ctx, c)]
    if not out["ok"]:
        # Only the stock repository's own "cannot run the Python artifact CLI" failure is the gap.
        if "needed to access artifacts within the non-Java-native artifact store" not in out["error"]:
            raise AssertionError(f"logArtifact without Python failed for another reason: {out['error']}")
        raise GapConfirmed(f"logArtifact without Python: {out['error']} (artifact repositories in the jar: {repos})")
    assert [f.path for f in ctx.py.list_artifacts(rid, "docs")] == ["docs/stock.txt"]


@check()
def bridge_artifacts_no_python(ctx: Ctx) -> None:
    """artifacts uploads, lists and downloads over HTTP: in this JVM, and in one that cannot run Python."""
    py = ctx.py
    rid = ctx.java_run()
    src = Path(tempfile.mkdtemp(prefix="parity-store-"))
    (src / "a.txt").write_text("native a\n")
    (src / "sub").mkdir()
    (src / "sub" / "b.txt").write_text("native b\n")
    ctx.jvm.artifacts.log_artifacts(rid, src, "native")
    listed = sorted(path for path, _, _ in ctx.jvm.artifacts.list(rid, "native"))
    local = ctx.jvm.artifacts.download(rid, "native", tempfile.mkdtemp(prefix="parity-store-dl-"))
    assert listed == sorted(f.path for f in py.list_artifacts(rid, "native")), listed
    assert sorted(str(p.relative_to(local)) for p in local.rglob("*") if p.is_file()) == ["a.txt", "sub/b.txt"]
    assert (local / "sub" / "b.txt").read_text() == "native b\n"
    # The proof that no Python is needed: a JVM that cannot exec any.
    key = ("no_python", ctx.tracking_uri)  # one child JVM per server, whichever backend asks first
    if key not in _CHILD_RESULTS:
        crid = ctx.java_run()
        _CHILD_RESULTS[key] = (
            crid,
            _run_child(
                {"tracking_uri": ctx.tracking_uri, "steps": ["bridge_artifacts"], "run_id": crid, "content": "no python\n"},
                {"MLFLOW_PYTHON_EXECUTABLE": "/nonexistent/python"},
            )["bridge_artifacts"],
        )
    crid, out = _CHILD_RESULTS[key]
    assert out["ok"], out
    assert out["value"]["downloaded"] == ["a.txt", "sub/b.txt"] and out["value"]["content"] == "no python\n", out
    assert sorted(f.path for f in py.list_artifacts(crid, "native")) == out["value"]["listed"]


# A 2x1 PNG (red, blue) written by PIL: the bytes a figure rendered to PNG would be.
def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    img = Image.new("RGB", (2, 1))
    img.putpixel((0, 0), (255, 0, 0))
    img.putpixel((1, 0), (0, 0, 255))
    img.save(buf, format="PNG")
    return buf.getvalue()


@check()
def bridge_log_text_etc(ctx: Ctx) -> None:
    """artifacts.log_text/log_dict/log_image/log_table from the JVM; Python's load_text, load_dict, load_image and load_table read them."""
    import mlflow.artifacts
    import yaml

    rid = ctx.java_run()
    art = ctx.jvm.artifacts
    art.log_text(rid, "héllo from the JVM\n", "notes/hello.txt")
    art.log_dict(rid, {"b": [1, 2.5, None], "a": {"nested": "ü"}}, "config/params.json")
    art.log_dict(rid, {"b": 1, "a": "x"}, "config/params.yaml")
    art.log_image(rid, _png(), "plots/figure.png")
    art.log_table(rid, {"x": [1, 2], "label": ["a/b", "c"]}, "tables/t.json")
    art.log_table(rid, {"x": [3], "label": ["d"]}, "tables/t.json")
    assert mlflow.artifacts.load_text(f"runs:/{rid}/notes/hello.txt") == "héllo from the JVM\n"
    assert mlflow.artifacts.load_dict(f"runs:/{rid}/config/params.json") == {"b": [1, 2.5, None], "a": {"nested": "ü"}}
    assert yaml.safe_load(mlflow.artifacts.load_text(f"runs:/{rid}/config/params.yaml")) == {"b": 1, "a": "x"}  # load_dict is JSON only
    img = mlflow.artifacts.load_image(f"runs:/{rid}/plots/figure.png")
    assert (img.size, img.getpixel((0, 0)), img.getpixel((1, 0))) == ((2, 1), (255, 0, 0), (0, 0, 255))
    with fluent(ctx) as fl:
        fl.set_experiment(experiment_id=ctx.experiment_id)
        table = fl.load_table("tables/t.json", run_ids=[rid])
    assert table.to_dict("list") == {"x": [1, 2, 3], "label": ["a/b", "c", "d"]}, table
