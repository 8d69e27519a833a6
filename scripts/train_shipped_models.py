"""Rebuild the shipped classifier models in src/civicpulse/data/models/ from their open sources.

Runs `civicpulse train TASK --shipped --seed 13 --out src/civicpulse/data/models/TASK` for every task;
the sources are ../shared/data/open (openly licensed) and ViHOS (MIT), plus the seed lists in the package.
The cards report the public dev splits (evaluation only; never trained on) or the project's gate sets.
Usage: .venv/bin/python scripts/train_shipped_models.py [--seed 13] [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GATES = ROOT / "tests" / "fixtures" / "classify"
TASKS = ("sentiment", "toxicity", "concern", "scam")


def dev_file(task: str, shared: Path) -> Path:
    """Return the file the card reports on: the public dev split, else the project's gate set."""
    public = {"sentiment": "sentiment/uit_vsfc_dev.jsonl", "toxicity": "toxicity/vihsd_dev.jsonl"}
    if task in public and (shared / public[task]).exists():
        return shared / public[task]
    return GATES / f"{task}_gate.jsonl"


def main() -> None:
    """Train every shipped model, one `civicpulse train` process each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    for task in TASKS:
        out = Path("src/civicpulse/data/models") / task
        command = [
            sys.executable, "-m", "civicpulse", "train", task, "--shipped", "--seed", str(args.seed),
            "--open-data", str(args.shared / "open"), "--vihos", str(args.shared / "toxicity"),
            "--out", str(out), "--dev", str(dev_file(task, args.shared)),
        ]  # fmt: skip
        print("$", " ".join(command[2:]), file=sys.stderr)
        subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 (our own interpreter and arguments)


if __name__ == "__main__":
    main()
