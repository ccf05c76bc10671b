"""`mlflow.artifacts`: mlflowbridge's ArtifactStore member."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from . import convert
from .wrapper import JvmObject


class Artifacts(JvmObject):
    """Run and model artifacts over the server's REST API (mlflow-artifacts:) or S3 (s3://): no forked Python per call."""

    def log_artifacts(self, run_id: str, local: str | os.PathLike, artifact_path: str | None = None) -> None:
        """A file lands at `<artifact_path>/<name>`, a directory's contents under `<artifact_path>/`."""
        self._call("logArtifacts", run_id, convert.local_path(local), artifact_path)

    def list(self, run_id: str, path: str | None = None) -> convert.Entries:
        """(path, is_dir, size) of the run's artifacts directly under `path`."""
        return convert.artifact_entries(self._call("list", run_id, path))

    def list_uri(self, artifact_uri: str) -> convert.Entries:
        """(path, is_dir, size) of the entries directly under an artifact URI (mlflow-artifacts:/..., s3://..., runs:/...)."""
        return convert.artifact_entries(self._call("listUri", artifact_uri))

    def download(self, run_id: str, path: str | None, dst: str | os.PathLike) -> Path:
        """The run's artifact `path` (None: all) copied under `dst`; returns the local path."""
        return Path(str(self._call("download", run_id, path, str(dst))))

    def download_uri(self, artifact_uri: str, dst: str | os.PathLike) -> Path:
        return Path(str(self._call("downloadUri", artifact_uri, str(dst))))

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        """`MlflowClient.log_text`: UTF-8 text at `artifact_file` (e.g. "notes/summary.txt")."""
        self._call("logText", run_id, text, artifact_file)

    def log_dict(self, run_id: str, dictionary: dict[str, Any], artifact_file: str) -> None:
        """`MlflowClient.log_dict`: JSON (.json or no extension) or YAML (.yml, .yaml); what json can't hold as str()."""
        self._call("logDict", run_id, convert.json_tree(self._t, json.loads(json.dumps(dictionary, default=str))), artifact_file)

    def log_image(self, run_id: str, image: Any, artifact_file: str) -> None:
        """`log_image`/`log_figure`: PNG or JPEG bytes, or a PIL image (saved as the extension says)."""
        if not isinstance(image, (bytes, bytearray)):
            buf = io.BytesIO()
            image.save(buf, format="PNG" if artifact_file.lower().endswith(".png") else "JPEG")
            image = buf.getvalue()
        self._call("logImage", run_id, convert.java_bytes(self._t, image), artifact_file)

    def log_table(self, run_id: str, data: Any, artifact_file: str) -> None:
        """`MlflowClient.log_table` (.json): a pyspark/Java DataFrame, a pandas DataFrame or a dict of columns;
        appended to the table already there."""
        if isinstance(data, dict) or type(data).__module__.startswith("pandas"):
            import pandas as pd

            frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
            # pandas' own JSON turns numpy values into plain ones (NaN -> null) before they cross.
            split = json.loads(frame.to_json(orient="split", index=False, date_format="iso"))
            rows = convert.json_tree(self._t, split["data"])
            self._call("logTable", run_id, convert.string_list(self._t, split["columns"]), rows, artifact_file)
        else:
            self._call("logTable", run_id, convert.dataframe(self._t, data), artifact_file)
