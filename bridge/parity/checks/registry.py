"""Checks of the catalog's section: the model registry."""

from __future__ import annotations

import json
import warnings

from .base import ONE, Ctx, GapConfirmed, check, require_stock, stock_offers


def _registered_version(ctx: Ctx) -> tuple[str, str]:
    """A registered model (Python-made) with version 1 pointing at a run's artifacts; cached per ctx."""
    if "registered" not in ctx.cache:
        py = ctx.py
        name = ctx.unique("reg")
        rid = py.create_run(ctx.experiment_id).info.run_id
        py.create_registered_model(name, description="made by Python")
        py.create_model_version(name, f"runs:/{rid}/model", run_id=rid)
        ctx.cache["registered"] = (name, rid)
    return ctx.cache["registered"]


@check()
def parity_registry_reads(ctx: Ctx) -> None:
    """Registry reads of a Python-registered model agree between the clients."""
    c, py = ctx.client, ctx.py
    name, rid = _registered_version(ctx)
    rm = c.getRegisteredModel(name)
    assert (str(rm.getName()), str(rm.getDescription())) == (name, py.get_registered_model(name).description)
    jv, pv = c.getModelVersion(name, "1"), py.get_model_version(name, "1")
    assert (str(jv.getVersion()), str(jv.getSource()), str(jv.getRunId())) == (pv.version, pv.source, pv.run_id)
    j = [str(v.getVersion()) for v in c.searchModelVersions(f"name = '{name}'").getItems()]
    p = [v.version for v in py.search_model_versions(f"name = '{name}'")]
    assert j == p == ["1"], (j, p)
    assert str(c.getModelVersionDownloadUri(name, "1")) == py.get_model_version_download_uri(name, "1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # get_latest_versions is deprecated in Python
        p_latest = [v.version for v in py.get_latest_versions(name)]
    assert [str(v.getVersion()) for v in c.getLatestVersions(name)] == p_latest == ["1"]


@check()
def bridge_register_model(ctx: Ctx) -> None:
    """registry.register (create the model, then a READY version); Python sees the model and version."""
    py = ctx.py
    name = ctx.unique("bridge-reg")
    rid = ctx.java_run()
    mv = ctx.jvm.registry.register(f"runs:/{rid}/model", name)
    pv = py.get_model_version(name, "1")
    assert (pv.name, pv.run_id, pv.status) == (name, rid, "READY")
    assert (mv.name, mv.version, mv.run_id, mv.status, mv.source) == (pv.name, pv.version, pv.run_id, pv.status, pv.source)


@check()
def bridge_aliases(ctx: Ctx) -> None:
    """registry set/get/delete alias agree with Python."""
    reg, py = ctx.jvm.registry, ctx.py
    name, _ = _registered_version(ctx)
    reg.set_registered_model_alias(name, "champion", "1")
    assert py.get_model_version_by_alias(name, "champion").version == "1"
    assert reg.get_model_version_by_alias(name, "champion").aliases == ["champion"]
    # The stock protobufs do carry aliases: reads work with the stock client (the catalog's Java column).
    stock = ctx.client.getRegisteredModel(name).getAliasesList()
    assert [(str(a.getAlias()), str(a.getVersion())) for a in stock] == [("champion", "1")]
    assert [str(a) for a in ctx.client.getModelVersion(name, "1").getAliasesList()] == ["champion"]
    reg.delete_registered_model_alias(name, "champion")
    assert "champion" not in py.get_registered_model(name).aliases


@check()
def bridge_search_registered_models(ctx: Ctx) -> None:
    """registry.search_registered_models finds what Python's search_registered_models finds."""
    py = ctx.py
    name, _ = _registered_version(ctx)
    flt = f"name = '{name}'"
    names = [m.name for m in ctx.jvm.registry.search_registered_models(flt)]
    assert names == [m.name for m in py.search_registered_models(flt)] == [name]


@check(backends=ONE)
def stock_delete_registered_model(ctx: Ctx) -> None:
    """Delete a registered model with what the stock client has (no sendDelete: sendPost)."""
    if stock_offers(ctx, r"^(deleteRegisteredModel|sendDelete)$"):
        return
    name = ctx.unique("del")
    ctx.py.create_registered_model(name)
    try:
        ctx.client.sendPost("registered-models/delete", json.dumps({"name": name}))
    except Exception as e:  # noqa: BLE001
        err = str(e).splitlines()[0]
    else:
        err = "no error"
    try:
        ctx.py.get_registered_model(name)
    except Exception:  # noqa: BLE001 - gone: the stock client did delete it
        return
    raise GapConfirmed(f"no deleteRegisteredModel/sendDelete; sendPost('registered-models/delete') -> {err[:120]}; '{name}' still exists")


@check()
def bridge_delete_registered_model(ctx: Ctx) -> None:
    """registry.delete_registered_model deletes; Python no longer finds the model."""
    py = ctx.py
    name = ctx.unique("bridge-del")
    py.create_registered_model(name)
    ctx.jvm.registry.delete_registered_model(name)
    assert py.search_registered_models(f"name = '{name}'") == []


def _model_with_two_versions(ctx: Ctx, prefix: str) -> str:
    """A new registered model (made by Python) with versions 1 and 2; returns its name."""
    name = ctx.unique(prefix)
    rid = ctx.java_run()
    ctx.py.create_registered_model(name)
    for _ in range(2):
        ctx.py.create_model_version(name, f"runs:/{rid}/model", run_id=rid)
    return name


@check()
def bridge_delete_model_version(ctx: Ctx) -> None:
    """registry.delete_model_version deletes one version; Python no longer finds it."""
    py = ctx.py
    name = _model_with_two_versions(ctx, "bridge-delver")
    ctx.jvm.registry.delete_model_version(name, "2")
    assert [v.version for v in py.search_model_versions(f"name = '{name}'")] == ["1"]


@check()
def bridge_stage_transitions(ctx: Ctx) -> None:
    """registry stage transitions (archiving the others) and get_model_version_stages agree with Python."""
    reg, py = ctx.jvm.registry, ctx.py
    name = _model_with_two_versions(ctx, "bridge-stage")
    assert reg.transition_model_version_stage(name, "1", "Production").current_stage == "Production"
    reg.transition_model_version_stage(name, "2", "Production", archive_existing_versions=True)
    stages = reg.get_model_version_stages(name, "1")
    assert (py.get_model_version(name, "1").current_stage, py.get_model_version(name, "2").current_stage) == ("Archived", "Production")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # stages are deprecated in Python
        assert stages == py.get_model_version_stages(name, "1")


@check(backends=ONE)
def stock_registry_updates(ctx: Ctx) -> None:
    require_stock(
        ctx,
        r"^(updateRegisteredModel|renameRegisteredModel|updateModelVersion|setRegisteredModelTag|"
        r"deleteRegisteredModelTag|setModelVersionTag|deleteModelVersionTag)$",
        "registry updates",
    )


@check()
def bridge_registry_updates(ctx: Ctx) -> None:
    """registry rename, descriptions and model/version tags; Python sees each change."""
    reg, py = ctx.jvm.registry, ctx.py
    name = ctx.unique("bridge-upd")
    rid = ctx.java_run()
    py.create_registered_model(name)
    py.create_model_version(name, f"runs:/{rid}/model", run_id=rid)
    reg.update_registered_model(name, "model described by the JVM")
    reg.update_model_version(name, "1", "version described by the JVM")
    reg.set_registered_model_tag(name, "owner", "jvm")
    reg.set_registered_model_tag(name, "tmp", "x")
    reg.delete_registered_model_tag(name, "tmp")
    reg.set_model_version_tag(name, "1", "validated", "yes")
    reg.set_model_version_tag(name, "1", "tmp", "x")
    reg.delete_model_version_tag(name, "1", "tmp")
    reg.rename_registered_model(name, name + "-renamed")
    new = name + "-renamed"
    rm, mv = py.get_registered_model(new), py.get_model_version(new, "1")
    assert (rm.description, rm.tags) == ("model described by the JVM", {"owner": "jvm"}), (rm.description, rm.tags)
    assert (mv.description, mv.tags) == ("version described by the JVM", {"validated": "yes"}), (mv.description, mv.tags)
    assert py.search_registered_models(f"name = '{name}'") == []


@check()
def bridge_copy_model_version(ctx: Ctx) -> None:
    """registry.copy_model_version by alias: the copy Python's copy_model_version makes (source, run, tags, description)."""
    py = ctx.py
    name, rid = _registered_version(ctx)
    py.set_model_version_tag(name, "1", "validated", "yes")
    py.set_registered_model_alias(name, "copy-me", "1")
    ours = ctx.jvm.registry.copy_model_version(f"models:/{name}@copy-me", ctx.unique("copy-jvm"))
    theirs = py.copy_model_version(f"models:/{name}@copy-me", ctx.unique("copy-py"))

    def shape(v):
        return (v.version, v.source, v.run_id, v.description, v.tags, v.status)

    assert shape(py.get_model_version(ours.name, ours.version)) == shape(py.get_model_version(theirs.name, theirs.version))
    assert (ours.version, ours.source, ours.run_id, ours.tags) == ("1", f"models:/{name}/1", rid, {"validated": "yes"})


@check(backends=ONE)
def parity_download_model_uri(ctx: Ctx) -> None:
    """models:/name@alias and models:/m-... download through the stock CLI repository the same files as Python's download_artifacts."""
    import tempfile
    from pathlib import Path

    import mlflow.artifacts

    py = ctx.py
    src = Path(tempfile.mkdtemp(prefix="parity-dl-src-"))
    (src / "MLmodel").write_text("artifact_path: model\nflavors: {}\n")
    (src / "weights.bin").write_bytes(bytes(range(256)) * 4)
    model = py.create_logged_model(ctx.experiment_id, name="dl")
    py.log_model_artifacts(model.model_id, str(src))
    name = ctx.unique("dl")
    py.create_registered_model(name)
    mv = py.create_model_version(name, f"models:/{model.model_id}", model_id=model.model_id)
    py.set_registered_model_alias(name, "champion", mv.version)
    creds = ctx.cls("org.mlflow.tracking.creds.BasicMlflowHostCreds")(ctx.tracking_uri)
    repo = ctx.cls("org.mlflow.artifacts.CliBasedArtifactRepository")(tempfile.mkdtemp(), None, creds)
    for uri in (f"models:/{name}@champion", f"models:/{model.model_id}"):
        stock = Path(str(repo.downloadArtifactFromUri(uri).getPath()))
        python = Path(mlflow.artifacts.download_artifacts(uri, tracking_uri=ctx.tracking_uri, dst_path=tempfile.mkdtemp()))
        files = {p.relative_to(stock).as_posix(): p.read_bytes() for p in stock.rglob("*") if p.is_file()}
        assert files == {p.relative_to(python).as_posix(): p.read_bytes() for p in python.rglob("*") if p.is_file()}, uri
        assert {"MLmodel", "weights.bin"} <= set(files), (uri, sorted(files))  # models:/name@alias adds registered_model_meta
