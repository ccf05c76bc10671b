"""The wine classifier and data the model rows share (P2, P4, P5), made once per suite.

The pipeline is `bridge.models.train`'s classifier (StringIndexer, VectorAssembler, logistic
regression) on scikit-learn's wine data; the big scoring input is that data resampled with
noise, features only (scoring needs no label).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .context import BenchContext

NOISE = 0.05  # of each feature's standard deviation


def wine_frame() -> Any:
    from ..models import data

    return data.wine()


def fitted_pipeline(ctx: BenchContext) -> Any:
    """A pyspark PipelineModel (py4j's JVM)."""
    if "pipeline" not in ctx.shared:
        from ..models import train

        ctx.progress("fitting the wine classifier")
        ctx.shared["pipeline"] = train.fit(ctx.spark(), wine_frame(), "classifier")
    return ctx.shared["pipeline"]


def logged_model_uri(ctx: BenchContext) -> str:
    """The pipeline logged with stock `mlflow.spark.log_model` (requirements given, to skip
    their slow inference: the file layout is the same), as its model URI."""
    if "model_uri" not in ctx.shared:
        import mlflow

        from ..models import train

        model = fitted_pipeline(ctx)
        ctx.use_fluent()
        ctx.progress("logging the wine classifier with stock mlflow.spark.log_model")
        with mlflow.start_run(run_name="bench-wine-model"):
            ctx.shared["model_uri"] = train.log_stock(model, "model", pip_requirements=train.pinned_requirements())
    return ctx.shared["model_uri"]


def local_model_folder(ctx: BenchContext) -> Path:
    """The logged model downloaded to a local folder (an MLflow model directory)."""
    if "model_folder" not in ctx.shared:
        import mlflow.artifacts

        uri = logged_model_uri(ctx)
        dst = ctx.tmp("wine-model-")
        local = mlflow.artifacts.download_artifacts(uri, dst_path=str(dst), tracking_uri=ctx.tracking_uri())
        ctx.shared["model_folder"] = Path(local)
    return ctx.shared["model_folder"]


def scoring_input(ctx: BenchContext, rows: int, fmt: str = "parquet") -> Path:
    """`rows` rows of the 13 wine features: the data resampled with noise (seed 7)."""
    key = f"input-{rows}-{fmt}"
    if key not in ctx.shared:
        from ..models import data

        frame = wine_frame()
        cols = data.features(frame)
        base = frame[cols].to_numpy()
        rng = np.random.default_rng(7)
        sample = base[rng.integers(0, len(base), rows)] + rng.normal(0.0, NOISE, (rows, len(cols))) * base.std(axis=0)
        import pandas as pd

        out = pd.DataFrame(sample, columns=cols)
        path = ctx.tmp("wine-input-") / f"wine-{rows}.{fmt}"
        ctx.progress(f"writing {rows:,} rows of wine features to {path.name}")
        if fmt == "parquet":
            out.to_parquet(path, index=False)
        else:
            out.to_csv(path, index=False)
        ctx.shared[key] = path
    return ctx.shared[key]
