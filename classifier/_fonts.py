"""The CJK font shipped with the package, for plots and report pages.

Noto Sans CJK SC cut down to every character of the division names and the 3,755 commonest
characters (GB2312 level 1) by ``scripts/build_plot_font.py``; SIL Open Font License 1.1, text
in ``data/fonts/OFL.txt``. Shipping it means Chinese names render on any machine, whatever
fonts it has.
"""

from __future__ import annotations

import io
from importlib import resources
from pathlib import Path

#: File name of the shipped font in ``classifier/data/fonts/``.
CJK_FONT_FILE = "NotoSansCJKsc-subset.otf"


def cjk_font_path() -> Path:
    """Path of the shipped CJK font (OpenType)."""
    return Path(str(resources.files("classifier") / "data" / "fonts" / CJK_FONT_FILE))


def cjk_font_subset(text: str) -> bytes:
    """The shipped font cut down to the characters of ``text`` (OpenType bytes), for embedding.

    Characters the font lacks are left out; a page falls back to the viewer's fonts for them.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(cjk_font_path()))
    options = subset.Options()
    options.name_IDs = ["*"]  # keeps the copyright and licence notices
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
