"""Headless Debian chromium for looking at report pages: the screenshot script and browser tests.

Playwright's own browser downloads are not used: it drives the system's ``chromium``
(``apt-get install -y chromium fonts-noto-cjk``) with the flags a container needs.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

__all__ = ["CHROMIUM_ARGS", "chromium_path", "launch_chromium"]

#: Command-line flags for headless chromium in a container (no sandbox, no GPU, no network chatter).
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


def chromium_path() -> str:
    """The chromium executable: ``CLASSIFIER_CHROMIUM``, else ``chromium`` on the PATH, else ``/usr/bin/chromium``."""
    return os.environ.get("CLASSIFIER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def launch_chromium(playwright: Any, executable_path: str | None = None) -> Any:
    """A headless chromium ``Browser`` from a running ``sync_playwright()`` context.

    Parameters
    ----------
    playwright : playwright.sync_api.Playwright
        What ``with sync_playwright() as p`` gives.
    executable_path : str, optional
        The chromium to run; default :func:`chromium_path`.
    """
    return playwright.chromium.launch(executable_path=executable_path or chromium_path(), args=list(CHROMIUM_ARGS))
