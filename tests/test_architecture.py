"""Imports point one way (DESIGN.md): a small check instead of a linter plug-in."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "civicpulse"
STAGES = ("collect", "understand", "stories", "detect", "respond", "pipeline")
# What each package may import from civicpulse, beyond models and errors.
ALLOWED = {
    "store": {"store", "understand.text"},
    "access": {"access", "store", "config"},
    "web": {"web", "store", "config", "demo", "access"},
}


def civicpulse_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("civicpulse."):
            found.add(node.module.removeprefix("civicpulse."))
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("civicpulse.") for a in node.names if a.name.startswith("civicpulse.")
            )
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_point_one_way(package: str) -> None:
    allowed = ALLOWED[package] | {"models", "errors", "__init__"}
    wrong = {}
    for path in (SRC / package).rglob("*.py"):
        bad = {
            m for m in civicpulse_imports(path) if not any(m == a or m.startswith(f"{a}.") for a in allowed)
        }
        if bad:
            wrong[str(path.relative_to(SRC))] = sorted(bad)
    assert wrong == {}


def test_models_and_errors_import_nothing_from_civicpulse() -> None:
    assert civicpulse_imports(SRC / "models.py") == set()
    assert civicpulse_imports(SRC / "errors.py") == set()


def test_web_never_imports_a_stage() -> None:
    for path in (SRC / "web").rglob("*.py"):
        assert not {m for m in civicpulse_imports(path) if m.split(".")[0] in STAGES}, path
