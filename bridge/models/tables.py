"""Reading and writing score inputs/outputs with pandas: CSV, Parquet, JSON lines, chosen by extension (bridge/rules.properties)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BadInputError
from ..rules import format_of

if TYPE_CHECKING:  # pandas loads only where a frame is read or written (the score command reads none)
    import pandas as pd


def read(path: str | Path) -> pd.DataFrame:
    path = Path(path)
    fmt = format_of(path)
    if not path.exists():
        raise BadInputError(f"input file {path} does not exist")
    if path.stat().st_size == 0:
        raise BadInputError(f"input file {path} is empty")
    import pandas as pd

    try:
        if fmt == "csv":
            return pd.read_csv(path)
        if fmt == "parquet":
            return pd.read_parquet(path)
        return pd.read_json(path, lines=True)
    except (ValueError, OSError) as e:
        raise BadInputError(f"input file {path} is not valid {fmt}: {e}") from None


def write(df: pd.DataFrame, path: str | Path) -> None:
    path = Path(path)
    fmt = format_of(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        df.to_csv(path, index=False)
    elif fmt == "parquet":
        df.to_parquet(path, index=False)
    else:
        df.to_json(path, orient="records", lines=True)
