"""The shipped models are reproducible: rebuilding from the open sources with seed 13 gives the same files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from civicpulse.understand.classify.defaults import shipped_dir
from civicpulse.understand.classify.shipped import train_shipped
from tests.conftest import SHARED_DATA

OPEN = SHARED_DATA / "open"


@pytest.mark.skipif(not OPEN.is_dir(), reason="needs ../shared/data/open")
@pytest.mark.parametrize("task", ["concern", "scam"])
def test_rebuild_matches_the_shipped_files(task: str, tmp_path: Path) -> None:
    train_shipped(task, tmp_path, open_dir=OPEN, vihos_dir=SHARED_DATA / "toxicity", seed=13)
    shipped = shipped_dir(task)
    rebuilt, original = (json.loads((d / "model.json").read_text()) for d in (tmp_path, shipped))
    assert rebuilt == original
    if (shipped / "weights.npz").exists():
        with np.load(tmp_path / "weights.npz") as new, np.load(shipped / "weights.npz") as old:
            assert set(new.files) == set(old.files)
            for name in old.files:
                assert np.array_equal(new[name], old[name]), name
