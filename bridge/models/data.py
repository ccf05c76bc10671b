"""Data sets that installed packages ship (scikit-learn); nothing is downloaded."""

from __future__ import annotations

import re

import pandas as pd


def _clean(name: str) -> str:
    # Column names travel through CSV, Spark and MLmodel signatures: keep them plain.
    return re.sub(r"[^0-9a-zA-Z]+", "_", name).strip("_").lower()


def _frame(bunch, label: str, label_values=None) -> pd.DataFrame:
    df = pd.DataFrame(bunch.data, columns=[_clean(c) for c in bunch.feature_names]).astype("float64")
    y = bunch.target
    df[label] = [str(label_values[i]) for i in y] if label_values is not None else y.astype("float64")
    return df


def diabetes() -> pd.DataFrame:
    """442 rows, 10 numeric features, numeric `label` (regression)."""
    from sklearn.datasets import load_diabetes

    return _frame(load_diabetes(), "label")


def wine() -> pd.DataFrame:
    """178 rows, 13 numeric features, string `label` class_0/1/2 (classification)."""
    from sklearn.datasets import load_wine

    b = load_wine()
    return _frame(b, "label", list(b.target_names))


def breast_cancer() -> pd.DataFrame:
    """569 rows, 30 numeric features, string `label` malignant/benign (classification)."""
    from sklearn.datasets import load_breast_cancer

    b = load_breast_cancer()
    return _frame(b, "label", list(b.target_names))


def features(df: pd.DataFrame, label: str = "label") -> list[str]:
    return [c for c in df.columns if c != label]
