"""Save docs/report.png: the top of report.html for 20,000 synthetic prediction records, in headless Chromium.

Usage (from the repo root; needs Debian's chromium and the playwright package)::

    python scripts/report_screenshot.py [--out docs/report.png] [--n 20000]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from classifier.report import build_report, chromium_path, launch_chromium, write_synthetic_predictions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/report.png"))
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--chromium", default=chromium_path())
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        src = write_synthetic_predictions(Path(tmp) / "predictions.jsonl", args.n, seed=7)
        build_report(src, Path(tmp) / "out")
        with sync_playwright() as p:
            browser = launch_chromium(p, args.chromium)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto((Path(tmp) / "out" / "report.html").as_uri())
            page.wait_for_selector("#events tbody tr")
            page.evaluate(
                "document.querySelector('h1 + p').textContent = 'From predictions.jsonl (20,000 synthetic records)'"
            )
            page.screenshot(path=str(args.out))
            browser.close()
    print(f"{args.out}: {args.out.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
