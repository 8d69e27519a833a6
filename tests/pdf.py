"""Check that a PDF the project wrote renders: its first page converted to PNG."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def assert_renders(pdf: Path, tmp_path: Path) -> None:
    """Convert the first page to PNG: with poppler's pdftoppm when installed, else with pdfium."""
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
            check=True,
        )
        (png,) = tmp_path.glob("page*.png")
        assert png.read_bytes().startswith(b"\x89PNG")
        return
    import pypdfium2  # type: ignore[import-untyped]

    document = pypdfium2.PdfDocument(str(pdf))
    image = document[0].render(scale=0.5).to_pil()
    image.save(tmp_path / "page.png")
    assert image.width > 100 and image.getextrema() != ((255, 255), (255, 255), (255, 255))
    document.close()
