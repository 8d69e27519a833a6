"""Take PNGs of the main pages at desktop and phone widths into docs/screenshots (`make screenshots`).

Serves the app with the showcase data (demo stream, a few hotspots, topics, a claim) on a free loopback port,
signs in as an analyst in Debian's Chromium and saves each page's first screen; PNGs use 256 colours.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the showcase data lives with the browser tests

from tests.browser.conftest import CHROMIUM_ARGS, chromium_path, serve_showcase, sign_in  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def pages(ids: dict[str, int]) -> dict[str, str]:
    """Name → path of the pages to photograph."""
    return {
        "overview": "/",
        "story": f"/stories/{ids['story']}",
        "alert": f"/alerts/{ids['alert']}",
        "stories": "/stories?since=720",
        "topic": f"/topics/{ids['topic']}",
        "units": "/units",
        "search": "/search?q=covid",
        "sources": "/sources?window=7d",
        "labels": "/labels?task=sentiment",
    }


def optimise(path: Path) -> None:
    """Quantise to a 256-colour palette: dashboards have few colours, so the PNG shrinks several times."""
    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve_showcase(Path(tmp)) as app,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for width_name, (width, height) in WIDTHS.items():
            context = browser.new_context(
                base_url=app.url, viewport={"width": width, "height": height}, locale="vi-VN"
            )
            page = context.new_page()
            sign_in(page)
            for name, path in pages(app.ids).items():
                page.goto(path)
                target = OUT / f"{name}-{width_name}.png"
                page.screenshot(path=str(target))
                optimise(target)
                print(f"Saved {target.relative_to(ROOT)} ({target.stat().st_size // 1024} KiB)")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
