"""Province accuracy and speed of cpca and jionlp taken as they come, beside RegionResolver.

Each baseline reads the normalised text; its region is the most-mentioned province, else
全国.  Speed is articles per second of the recogniser alone (normalisation excluded; the
first call, which loads the baseline's dictionaries, is not timed).  RegionResolver's
accuracy here comes from grouped 5-fold CV (as in scripts/evaluate_region.py); its speed is
that of a resolver fitted on all articles.

Usage: python scripts/compare_region.py [--corpus ../shared/corpus/dev.jsonl] [--seeds seeds]
Needs the optional packages cpca and jionlp (extra ``compare``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from classifier.evaluation import compare_region_recognisers, region_out_of_fold
from classifier.io import read_labeled


def main() -> None:
    """Print the comparison table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus/dev.jsonl"))
    ap.add_argument("--seeds", type=Path, default=Path("seeds"), help="seed articles (labels: ../labels/seeds.csv)")
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    records = read_labeled([args.corpus, args.seeds])
    texts = [r["text"] for r in records]
    rows = compare_region_recognisers(texts, records, region_out_of_fold(texts, records))
    print(f"\n{'method':<36} {'province acc':>12} {'articles/s':>11}")
    for name, acc, speed in rows:
        print(f"{name:<36} {acc:>12.3f} {speed:>11.0f}")


if __name__ == "__main__":
    main()
