"""Optional dependencies (setup.py's extras): the commands that need one check for it first."""

from __future__ import annotations

import importlib.util

from .errors import BridgeError

# extra -> (import name, distribution name) of what its command imports; setup.py pins the same names.
EXTRAS: dict[str, tuple[tuple[str, str], ...]] = {
    "demo": (("sklearn", "scikit-learn"), ("matplotlib", "matplotlib")),
    "bench": (
        ("psutil", "psutil"),
        ("pyinstrument", "pyinstrument"),
        ("sklearn", "scikit-learn"),
        ("skl2onnx", "skl2onnx"),
        ("onnxruntime", "onnxruntime"),
        ("grpc", "grpcio"),  # P11's Spark Connect client
    ),
}


class MissingExtraError(BridgeError):
    """A command needs an optional dependency that is not installed."""


def require(extra: str) -> None:
    """Raise MissingExtraError naming the extra and what is missing, before the command starts."""
    missing = [dist for module, dist in EXTRAS[extra] if importlib.util.find_spec(module) is None]
    if missing:
        raise MissingExtraError(f"needs the '{extra}' extra ({', '.join(missing)} not installed): pip install 'mlflow-bridge[{extra}]'")
