"""The default models shipped inside the package, trained only on openly licensed data."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from civicpulse.errors import ConfigError
from civicpulse.understand.classify.base import Classifier
from civicpulse.understand.classify.storage import MODEL_JSON, load_model

SHIPPED = ("sentiment", "toxicity", "concern", "scam")


def shipped_dir(name: str) -> Path:
    """Return the directory of the shipped model `name` (inside the installed package)."""
    return Path(str(resources.files("civicpulse") / "data" / "models" / name))


@cache
def load_default(name: str) -> Classifier:
    """Return the shipped model `name`, loaded once per process."""
    directory = shipped_dir(name)
    if not (directory / MODEL_JSON).exists():
        raise ConfigError(
            f"the shipped {name} model is missing from {directory}; "
            "rebuild it with `python scripts/train_shipped_models.py`"
        )
    return load_model(directory)


def load_defaults(names: tuple[str, ...] = SHIPPED) -> list[Classifier]:
    """Return the shipped models in `names`, in that order."""
    return [load_default(name) for name in names]
