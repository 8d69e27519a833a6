"""The city's active models: a retrained model that was accepted lives in `<models_dir>/<task>/`.

`<models_dir>` is DATA_DIR/classifiers (`city_models_dir`).

Without one, the shipped default is used. Installing a model keeps the one it replaces under
`<models_dir>/archive/`, so a swap can be undone by copying it back.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from civicpulse.understand.classify.base import Classifier
from civicpulse.understand.classify.card import ModelCard, read_card, write_card
from civicpulse.understand.classify.defaults import SHIPPED, load_default, shipped_dir
from civicpulse.understand.classify.storage import MODEL_JSON, load_model

ARCHIVE = "archive"


def city_models_dir(data_dir: Path) -> Path:
    """Return where the city's accepted classifiers live under the data directory."""
    return data_dir / "classifiers"


def active_dir(models_dir: Path | None, task: str) -> Path:
    """Return the directory of the model `task` uses now: the city's if installed, else the shipped one."""
    if models_dir is not None and (models_dir / task / MODEL_JSON).exists():
        return models_dir / task
    return shipped_dir(task)


def describe_active(models_dir: Path | None, task: str) -> str:
    """Return a short name of the active model: its directory, or `shipped:<task>`."""
    directory = active_dir(models_dir, task)
    return f"shipped:{task}" if directory == shipped_dir(task) else str(directory)


def load_active(models_dir: Path | None, task: str) -> Classifier:
    """Return the model `task` uses now."""
    directory = active_dir(models_dir, task)
    return load_default(task) if directory == shipped_dir(task) else load_model(directory)


def load_active_set(models_dir: Path | None, tasks: tuple[str, ...] = SHIPPED) -> list[Classifier]:
    """Return the active model of every task in `tasks`, in that order."""
    return [load_active(models_dir, task) for task in tasks]


def active_card(models_dir: Path | None, task: str) -> ModelCard | None:
    """Return the card of the active model, if it has one."""
    return read_card(active_dir(models_dir, task))


def install(candidate: Path, models_dir: Path, task: str, card: ModelCard, stamp: str) -> Path:
    """Make `candidate` the active model of `task`, with `card`; the replaced one moves to the archive.

    The copy is written beside the target first and then renamed, so a reader never sees half a model.
    """
    target = models_dir / task
    incoming = models_dir / f".incoming-{task}"
    if incoming.exists():
        shutil.rmtree(incoming)
    models_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(candidate, incoming)
    write_card(card, incoming)
    if target.exists():
        archived = models_dir / ARCHIVE / f"{task}-{stamp}"
        archived.parent.mkdir(parents=True, exist_ok=True)
        target.rename(archived)
    incoming.rename(target)
    return target
