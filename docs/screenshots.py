"""Build the documentation and render its main pages to PNG with headless Chromium, so that a
reviewer can look at the site without a browser.

Renders the landing page, the quickstart, one estimator page and every gallery example into
``docs/_build/screenshots/`` (full pages, 1280 px wide). Needs Debian's ``chromium`` (or
``--chromium PATH``) and the ``docs`` extra.

Usage:
  python docs/screenshots.py                 # build, then render
  python docs/screenshots.py --no-build      # render an existing build
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
HTML = DOCS / "_build" / "html"
OUT = DOCS / "_build" / "screenshots"
TALLEST = 16000  # px; a longer page is cut here
BLANK = 600  # px of white that end a page
PAGES = ["index.html", "quickstart.html", "generated/skncvq.MaskGITSampler.html"]
# a fresh profile and no background traffic: the machine may have no network at all
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def build(html: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", str(DOCS), str(html)], check=True
    )


def render(chromium: str, page: Path, png: Path) -> None:
    """A full-page screenshot: rendered into a window taller than any page, then cut below the
    last row that is not background."""
    import numpy as np
    from PIL import Image

    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size=1280,{TALLEST}",
                f"--screenshot={png}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    image = Image.open(png).convert("RGB")
    pixels = np.asarray(image).astype(int)
    middle = pixels[:, pixels.shape[1] // 4 : 3 * pixels.shape[1] // 4]  # the article, not the sidebars
    content = np.flatnonzero(np.abs(middle - 255).sum(2).max(1) > 30)  # rows with something on
    if content.size:
        # the page ends where a blank stretch longer than any inside a page begins (the footer
        # of a window taller than the page sits at its bottom, after that stretch)
        gaps = np.flatnonzero(np.diff(content) > BLANK)
        bottom = int(content[gaps[0]] if gaps.size else content[-1]) + 40
        image.crop((0, 0, pixels.shape[1], min(bottom, pixels.shape[0]))).save(png)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="render the existing build")
    parser.add_argument("--html", type=Path, default=HTML, help="the built site (default docs/_build/html)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    if not args.no_build:
        build(args.html)
    html = args.html
    pages = PAGES + sorted(str(p.relative_to(html)) for p in (html / "auto_examples").glob("plot_*.html"))
    OUT.mkdir(parents=True, exist_ok=True)
    for name in pages:
        png = OUT / (name.replace("/", "__").removesuffix(".html") + ".png")
        render(args.chromium, html / name, png)
        print(png)


if __name__ == "__main__":
    main()
