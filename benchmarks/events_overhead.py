"""Time extract_date and extract_title per article against jieba segmentation on dev.jsonl.

Dates run on the raw texts (as the predictor passes them: the publication-date lines are
there), titles on the normalised texts; jieba's own ``lcut(text, HMM=False)`` on the
normalised texts is the yardstick (the prediction throughput target is ≥ 0.8 × jieba alone, so
everything added to prediction has to stay a small share of it). Best of 5 passes, one core;
one-off loading excluded. Prints µs per article and the share of jieba's time.

Usage: PYTHONPATH=. python benchmarks/events_overhead.py [--corpus ../shared/corpus/dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
import timeit
from pathlib import Path

import jieba

from classifier.events import extract_date, extract_title
from classifier.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]  # default data paths only


def per_article(fn, texts, repeats: int = 5) -> float:
    """Best-of-repeats mean seconds per text (garbage collection on, as in a real run)."""
    return min(timeit.repeat(lambda: [fn(x) for x in texts], "gc.enable()", repeat=repeats, number=1)) / len(texts)


def main() -> None:
    """Print the timings."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = next(
        (
            p / "shared" / "corpus" / "dev.jsonl"
            for p in ROOT.parents
            if (p / "shared" / "corpus" / "dev.jsonl").exists()
        ),
        ROOT.parent / "shared" / "corpus" / "dev.jsonl",
    )
    ap.add_argument("--corpus", type=Path, default=default)
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    raw = [json.loads(line)["text"] for line in open(args.corpus, encoding="utf-8")]
    clean = [normalize(t) for t in raw]
    tokenizer = jieba.Tokenizer()
    tokenizer.lcut("预热", HMM=False)
    date = per_article(extract_date, raw)
    title = per_article(extract_title, clean)
    seg = per_article(lambda x: tokenizer.lcut(x, HMM=False), clean, repeats=3)
    print(f"articles: {len(raw)}, mean length {sum(map(len, raw)) / len(raw):.0f} raw chars")
    print(f"extract_date  (raw text):   {date * 1e6:7.1f} µs/article  ({date / seg:.1%} of jieba)")
    print(f"extract_title (clean text): {title * 1e6:7.1f} µs/article  ({title / seg:.1%} of jieba)")
    print(f"jieba lcut, HMM=False:      {seg * 1e6:7.1f} µs/article")


if __name__ == "__main__":
    main()
