"""Time RegionResolver.predict per article against jieba.lcut per article on dev.jsonl.

Both run on the same normalised texts (the ArticleClassifier normalises once and passes
clean text, so the resolver runs with normalize=False); best of 3 passes; jieba's and the
place table's one-off loading are excluded.  Prints both times and their ratio (the
issue asks region to add at most 20% to the whole predict, of which jieba is the largest
part), and the ratio to normalize + jieba, a lower bound of the rest of predict.

Usage: .venv/bin/python benchmarks/region_overhead.py [--corpus ../shared/corpus/dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import timeit
from pathlib import Path

import jieba

from classifier.normalize import normalize
from classifier.region import RegionResolver, find_places

ROOT = Path(__file__).resolve().parents[1]  # default data paths only


def per_article(fn, texts, repeats: int = 3) -> float:
    """Best-of-repeats mean seconds per text (garbage collection on, as in a real run)."""
    return min(timeit.repeat(lambda: [fn(x) for x in texts], "gc.enable()", repeat=repeats, number=1)) / len(texts)


def main() -> None:
    """Print the timings."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "dev.jsonl")
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    rows = [json.loads(line) for line in open(args.corpus, encoding="utf-8")]
    texts = [normalize(r["text"]) for r in rows]
    t = time.perf_counter()
    find_places("")
    build = time.perf_counter() - t
    model = RegionResolver(normalize=False).fit(texts, [{k: r[k] for k in ("region", "city", "county")} for r in rows])
    jieba.lcut("预热")
    region = per_article(lambda x: model.predict([x]), texts)
    seg = per_article(jieba.lcut, texts)
    norm = per_article(normalize, [r["text"] for r in rows])
    print(f"articles: {len(texts)}, mean length {sum(map(len, texts)) / len(texts):.0f} chars")
    print(f"place table + name index load (once per process): {build * 1000:.0f} ms")
    print(f"RegionResolver.predict per article: {region * 1000:.3f} ms")
    print(f"jieba.lcut per article:             {seg * 1000:.3f} ms")
    print(f"normalize per article:              {norm * 1000:.3f} ms")
    print(f"ratio region / jieba:               {region / seg:.1%}")
    print(f"ratio region / (normalize + jieba): {region / (norm + seg):.1%}  (a lower bound of the rest of predict)")
    try:
        from classifier.model import ArticleClassifier
    except ImportError:  # the article model is not there yet
        return
    labels = [{k: r.get(k) or "" for k in ("topic", "region", "city", "county")} for r in rows]
    full = ArticleClassifier().fit([r["text"] for r in rows], labels)
    whole = per_article(lambda x: full.predict([x]), [r["text"] for r in rows])
    print(
        f"ArticleClassifier.predict per article: {whole * 1000:.3f} ms, of which region "
        f"{region * 1000:.3f} ms: region adds {region / (whole - region):.1%} to the rest"
    )


if __name__ == "__main__":
    main()
