"""A scikit-learn MLflow model's ONNX form, made on request so the JVM can score it (`models.loadOnnx`).

Where it goes: the sklearn model's run, as run artifacts at `<artifact_path>` (default
`<name>-onnx`, the name from a runs:/<run>/<name> URI, else `model-onnx`), a full MLflow model with the `onnx` and `python_function` flavors written
by stock `mlflow.onnx.save_model`, and the sklearn model's signature. The returned URI is
`runs:/<run_id>/<artifact_path>`. skl2onnx converts; the input is one float tensor `float_input`
of [N, k] fed from the signature's k columns in order.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..errors import BadInputError

INPUT_NAME = "float_input"


def convert_sklearn(model_uri: str, artifact_path: str | None = None, run_id: str | None = None) -> str:
    """Logs the ONNX form of the sklearn-flavor model at `model_uri`; returns its runs:/ URI."""
    import mlflow
    from mlflow.models import Model

    try:
        import skl2onnx
        from skl2onnx.common.data_types import FloatTensorType
    except ImportError:
        raise BadInputError("converting to ONNX needs skl2onnx and onnx: pip install 'mlflow-bridge[onnx]'") from None
    with tempfile.TemporaryDirectory(prefix="bridge-onnx-") as tmp:
        local = Path(mlflow.artifacts.download_artifacts(model_uri, dst_path=str(Path(tmp) / "src")))
        meta = Model.load(str(local / "MLmodel"))
        if "sklearn" not in meta.flavors:
            raise BadInputError(
                f"model {model_uri} has no sklearn flavor (flavors: {', '.join(sorted(meta.flavors))}); only scikit-learn models are converted to ONNX"
            )
        if meta.signature is None or meta.signature.inputs is None or not meta.signature.inputs.has_input_names():
            raise BadInputError(f"model {model_uri} has no column signature: the ONNX input's columns cannot be named; log it with a signature")
        run = run_id or meta.run_id
        if not run:
            raise BadInputError(f"model {model_uri} belongs to no run: pass run_id= to say where its ONNX form goes")
        columns = meta.signature.inputs.input_names()
        model = mlflow.sklearn.load_model(str(local))
        try:
            onx = skl2onnx.to_onnx(model, initial_types=[(INPUT_NAME, FloatTensorType([None, len(columns)]))])
        except Exception as e:  # noqa: BLE001 - skl2onnx names the estimator it has no converter for
            raise BadInputError(f"model {model_uri} cannot be converted to ONNX: {str(e).splitlines()[0]}") from None
        path = artifact_path or f"{_name(model_uri)}-onnx"
        out = Path(tmp) / "onnx"
        mlflow.onnx.save_model(onx, str(out), signature=mlflow.models.ModelSignature(inputs=meta.signature.inputs))
        mlflow.MlflowClient().log_artifacts(run, str(out), path)
    return f"runs:/{run}/{path}"


def _name(model_uri: str) -> str:
    """The model's name in its URI (runs:/<run>/<name>), else "model" (models:/..., a folder)."""
    if model_uri.startswith("runs:"):
        parts = model_uri.removeprefix("runs:").strip("/").split("/", 1)
        if len(parts) == 2 and parts[1]:
            return parts[1].rstrip("/")
    return "model"
