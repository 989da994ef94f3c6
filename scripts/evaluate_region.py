"""Region accuracy on dev.jsonl + the seeds, weights learned in grouped 5-fold CV.

Prints province accuracy, city accuracy where the city is labeled, county accuracy where
the county is labeled, and empty-city / empty-county correctness where they are not; then
(unless --no-compare) the province accuracy and speed of cpca and jionlp taken as they come
(the table of scripts/compare_region.py).

Usage: python scripts/evaluate_region.py [--corpus ../shared/corpus/dev.jsonl] [--seeds seeds] [--errors]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from classifier.evaluation import compare_region_recognisers, region_out_of_fold, region_scores
from classifier.io import read_labeled
from classifier.normalize import normalize

SEED = 0


def main() -> None:
    """Print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus/dev.jsonl"))
    ap.add_argument("--seeds", type=Path, default=Path("seeds"), help="seed articles (labels: ../labels/seeds.csv)")
    ap.add_argument("--errors", action="store_true", help="list the articles predicted wrong")
    ap.add_argument("--no-compare", action="store_true", help="skip cpca / jionlp")
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    records = read_labeled([args.corpus, args.seeds])
    texts = [r["text"] for r in records]
    pred = region_out_of_fold(texts, records, seed=SEED)
    print(f"RegionResolver, grouped 5-fold CV (seed {SEED}), {len(texts)} articles")
    for name, (a, n) in region_scores(records, pred).items():
        print(f"  {name:<26} {a:.3f}  (n={n})")
    if args.errors:
        for i, (y, p) in enumerate(zip(records, pred)):
            if (y["region"], y["city"], y["county"]) != (p["region"], p["city"], p["county"]):
                print(
                    i,
                    y["region"],
                    y["city"],
                    y["county"],
                    "->",
                    p["region"],
                    p["city"],
                    p["county"],
                    "|",
                    normalize(texts[i])[:50].replace("\n", " "),
                )
    if not args.no_compare:
        print(f"\n{'method':<36} {'province acc':>12} {'articles/s':>11}")
        for name, acc, speed in compare_region_recognisers(texts, records, pred):
            print(f"{name:<36} {acc:>12.3f} {speed:>11.0f}")


if __name__ == "__main__":
    main()
