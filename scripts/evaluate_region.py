"""Region accuracy on dev.jsonl + the seeds, weights learned in grouped 5-fold CV.

Prints province accuracy, city accuracy where the city is labeled, county accuracy where
the county is labeled, and empty-city / empty-county correctness where they are not; then
(unless --no-compare) the province accuracy and speed of cpca and jionlp taken as they come
(see scripts/compare_region.py).

Usage: .venv/bin/python scripts/evaluate_region.py [--corpus ../shared/corpus/dev.jsonl] [--errors]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifier.evaluation import near_duplicate_groups  # noqa: E402
from classifier.normalize import normalize  # noqa: E402
from classifier.region import RegionResolver  # noqa: E402

SEED = 0


def load_labeled(corpus: Path) -> tuple[list[str], list[dict]]:
    """Texts and region labels of the corpus articles and of the five seeds."""
    texts, labels = [], []
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            texts.append(r["text"])
            labels.append({k: r.get(k) or "" for k in ("region", "city", "county")})
    with open(ROOT / "labels" / "seeds.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            texts.append((ROOT / "seeds" / r["file"]).read_text(encoding="utf-8"))
            labels.append({k: r[k] or "" for k in ("region", "city", "county")})
    return texts, labels


def cross_validate(texts: list[str], labels: list[dict], n_splits: int = 5, **params) -> list[dict]:
    """Out-of-fold predictions of RegionResolver, folds grouped by near-duplicates."""
    groups = near_duplicate_groups(texts)
    clean = [normalize(t) for t in texts]
    pred: list[dict] = [{}] * len(texts)
    cv = GroupKFold(n_splits=n_splits, shuffle=True, random_state=SEED)
    for train, test in cv.split(clean, groups=groups):
        model = RegionResolver(normalize=False, **params).fit([clean[i] for i in train], [labels[i] for i in train])
        for i, p in zip(test, model.predict([clean[i] for i in test])):
            pred[i] = p
    return pred


def scores(labels: list[dict], pred: list[dict]) -> dict[str, tuple[float, int]]:
    """(accuracy, n) per measure."""
    def acc(pairs):
        pairs = list(pairs)
        return (float(np.mean([a == b for a, b in pairs])) if pairs else float("nan"), len(pairs))

    return {
        "province": acc((y["region"], p["region"]) for y, p in zip(labels, pred)),
        "city (labeled)": acc((y["city"], p["city"]) for y, p in zip(labels, pred) if y["city"]),
        "city empty (unlabeled)": acc(("", p["city"]) for y, p in zip(labels, pred) if not y["city"]),
        "county (labeled)": acc((y["county"], p["county"]) for y, p in zip(labels, pred) if y["county"]),
        "county empty (unlabeled)": acc(("", p["county"]) for y, p in zip(labels, pred) if not y["county"]),
    }


def main() -> None:
    """Print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "dev.jsonl")
    ap.add_argument("--errors", action="store_true", help="list the articles predicted wrong")
    ap.add_argument("--no-compare", action="store_true", help="skip cpca / jionlp")
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    texts, labels = load_labeled(args.corpus)
    pred = cross_validate(texts, labels)
    print(f"RegionResolver, grouped 5-fold CV (seed {SEED}), {len(texts)} articles")
    for name, (a, n) in scores(labels, pred).items():
        print(f"  {name:<26} {a:.3f}  (n={n})")
    if args.errors:
        for i, (y, p) in enumerate(zip(labels, pred)):
            if (y["region"], y["city"], y["county"]) != (p["region"], p["city"], p["county"]):
                print(i, y["region"], y["city"], y["county"], "->", p["region"], p["city"], p["county"],
                      "|", normalize(texts[i])[:50].replace("\n", " "))
    if not args.no_compare:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from compare_region import compare  # noqa: E402 (sibling script)

        compare(texts, labels, pred)


if __name__ == "__main__":
    main()
