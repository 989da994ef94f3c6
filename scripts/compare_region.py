"""Province accuracy and speed of cpca and jionlp taken as they come, beside RegionResolver.

Each baseline reads the normalised text; its region is the most-mentioned province, else
全国.  Speed is articles per second of the recogniser alone (normalisation excluded; the
first call, which loads the baseline's dictionaries, is not timed).  RegionResolver's
accuracy here comes from grouped 5-fold CV (scripts/evaluate_region.py); its speed is that
of a resolver fitted on all articles.

Usage: .venv/bin/python scripts/compare_region.py [--corpus ../shared/corpus/dev.jsonl]
Needs the optional packages cpca and jionlp (extra ``compare``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from classifier.labels import NATIONAL, PROVINCES  # noqa: E402
from classifier.normalize import normalize  # noqa: E402
from classifier.region import RegionResolver  # noqa: E402


def _official(name: str) -> str | None:
    """The official province name for a baseline's province string (or None)."""
    if name in PROVINCES:
        return name
    for full in PROVINCES:
        if name and (full.startswith(name) or name.startswith(full[:2])):
            return full
    return None


def _most_mentioned(provinces: Counter) -> str:
    provinces.pop(None, None)
    return provinces.most_common(1)[0][0] if provinces else NATIONAL


def cpca_region(text: str) -> str:
    """Most-mentioned province among cpca's addresses in the text, else 全国."""
    import cpca

    try:
        df = cpca.transform_text_with_addrs(text)
    except KeyError:  # cpca fails on a text with no address at all
        return NATIONAL
    return _most_mentioned(Counter(_official(p) for p in df["省"] if isinstance(p, str)))


def jionlp_region(text: str) -> str:
    """Most-mentioned province of jionlp's recognize_location, else 全国."""
    import jionlp

    found = jionlp.recognize_location(text).get("domestic") or []
    c: Counter = Counter()
    for loc, n in found:
        c[_official(loc.get("province") or "")] += n
    return _most_mentioned(c)


def _run(fn: Callable[[str], str], clean: Sequence[str]) -> tuple[list[str], float]:
    fn(clean[0])  # loads the dictionaries
    t = time.perf_counter()
    out = [fn(x) for x in clean]
    return out, len(clean) / (time.perf_counter() - t)


def compare(texts: Sequence[str], labels: Sequence[dict], ours: Sequence[dict] | None = None) -> None:
    """Print province accuracy and articles/second of cpca, jionlp and RegionResolver."""
    clean = [normalize(t) for t in texts]
    gold = [y["region"] for y in labels]
    rows = []
    for name, fn in (("cpca (most-mentioned province)", cpca_region),
                     ("jionlp recognize_location", jionlp_region)):
        pred, speed = _run(fn, clean)
        rows.append((name, sum(p == g for p, g in zip(pred, gold)) / len(gold), speed))
    model = RegionResolver(normalize=False).fit(clean, labels)
    pred, speed = _run(lambda x: model.predict([x])[0]["region"], clean)
    acc = (sum(p["region"] == g for p, g in zip(ours, gold)) / len(gold)) if ours is not None else float("nan")
    rows.append(("RegionResolver (grouped 5-fold CV)", acc, speed))
    print(f"\n{'method':<36} {'province acc':>12} {'articles/s':>11}")
    for name, acc, speed in rows:
        print(f"{name:<36} {acc:>12.3f} {speed:>11.0f}")


def main() -> None:
    """Print the comparison table."""
    from evaluate_region import cross_validate, load_labeled

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "dev.jsonl")
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    texts, labels = load_labeled(args.corpus)
    compare(texts, labels, cross_validate(texts, labels))


if __name__ == "__main__":
    main()
