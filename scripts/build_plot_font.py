"""Build the CJK font the plots use: Noto Sans CJK SC cut down to the characters they draw.

The plots label provinces, cities and counties by name (and topics, which may be any user's
labels). A full CJK font is 16 MB; the names of every division in
``classifier/data/divisions.tsv``, the commonest Chinese characters and ASCII need about a
tenth of it. Noto Sans CJK is under the SIL Open Font License 1.1, which allows subsetting
and redistribution with the licence (``classifier/data/fonts/OFL.txt``).

Run once, from the repository root, with a Noto Sans CJK SC font (Debian's ``fonts-noto-cjk``
ships it in a collection)::

    python scripts/build_plot_font.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

OUT = Path("classifier/data/fonts/NotoSansCJKsc-subset.otf")
FAMILY = "Noto Sans CJK SC"


def characters(divisions: Path) -> str:
    """ASCII, CJK punctuation, every character of a division name, and the GB2312 level-1 hanzi."""
    chars = {chr(c) for c in range(0x20, 0x7F)} | set("，。、：；（）《》“”‘’—…·％")
    with divisions.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            chars.update(row["name"])
    # GB2312 level 1: the 3,755 commonest characters (rows 16-55), for user-defined labels.
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(sorted(chars))


def source_font(path: Path) -> TTFont:
    if path.suffix.lower() == ".ttc":
        for font in TTCollection(str(path)).fonts:
            if font["name"].getDebugName(4) == FAMILY:
                return font
        raise SystemExit(f"{path}: no {FAMILY} in this collection")
    return TTFont(str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="Noto Sans CJK SC (.otf) or Noto Sans CJK collection (.ttc)")
    parser.add_argument("--divisions", type=Path, default=Path("classifier/data/divisions.tsv"))
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    font = source_font(args.source)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters(args.divisions))
    subsetter.subset(font)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(args.out))
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
