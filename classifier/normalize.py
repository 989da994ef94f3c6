"""Scrape debris → clean simplified text.  (Placeholder: being written.)"""

from __future__ import annotations

import opencc

_T2S = opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Return the clean simplified text of a scraped article."""
    return _T2S.convert(text)
