"""Choose the topic model by grouped 5-fold cross-validation on the dev corpus + the seeds.

Usage (from the repo root):
    python scripts/select_topic.py            # chosen defaults vs the textbook baseline
    python scripts/select_topic.py --grid     # also the small comparison grid
    python scripts/select_topic.py --speed    # also predict time against jieba.lcut alone

Folds: StratifiedGroupKFold(5, shuffle=True), repeated with seeds 0..N-1 (--repeats).
Mirror copies of one article (``classifier.evaluation.near_duplicate_groups``) never sit on
both sides of a fold (StratifiedGroupKFold, fixed seed).  Prints topic accuracy and
macro-F1, mean ± std over folds.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedGroupKFold, cross_validate
from threadpoolctl import threadpool_limits

from classifier.evaluation import near_duplicate_groups
from classifier.normalize import normalize
from classifier.topic import TopicClassifier, textbook_baseline

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "dev.jsonl"

# A small grid of departures from the defaults, one or two knobs at a time.
GRID: dict[str, dict] = {
    "defaults": {},
    "cue weight 1.5": {"cue_weight": 1.5},
    "no cue block": {"cue_weight": 0.0},
    "cue weight 1": {"cue_weight": 1.0},
    "cue weight 4": {"cue_weight": 4.0},
    "no lead block": {"lead_weight": 0.0},
    "lead weight 2": {"lead_weight": 2.0},
    "lead weight 2, cue weight 1": {"lead_weight": 2.0, "cue_weight": 1.0},
    "lead 250 chars": {"lead_chars": 250},
    "words 1-1": {"word_ngram_range": (1, 1)},
    "+ char 2-3": {"char_ngram_range": (2, 3)},
    "C=1": {"C": 1.0},
    "C=10": {"C": 10.0},
    "min_df=1": {"min_df": 1},
    "no sublinear tf": {"sublinear_tf": False},
    "no class weight": {"class_weight": None},
    "svm C=1 + sigmoid": {"linear_model": "svm", "C": 1.0, "calibration": "sigmoid"},
    "svm C=0.3 + sigmoid": {"linear_model": "svm", "C": 0.3, "calibration": "sigmoid"},
    "logreg + sigmoid": {"calibration": "sigmoid"},
}


def load_data() -> tuple[list[str], list[str]]:
    """Texts and topics of the dev corpus followed by the five seeds."""
    if not CORPUS.is_file():
        sys.exit(f"{CORPUS}: dev corpus not found (expected next to the repo, in ../shared/corpus)")
    texts, topics = [], []
    with CORPUS.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            texts.append(rec["text"])
            topics.append(rec["topic"])
    with (ROOT / "labels" / "seeds.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            texts.append((ROOT / "seeds" / row["file"]).read_text(encoding="utf-8"))
            topics.append(row["topic"])
    return texts, topics


def _log_loss(estimator, X, y) -> float:
    # sklearn's log_loss assumes sorted classes; TopicClassifier's classes_ are in TOPICS order.
    order = np.argsort(estimator.classes_)
    return -log_loss(y, estimator.predict_proba(X)[:, order], labels=estimator.classes_[order])


def score(estimator, X, y, cv) -> dict[str, np.ndarray]:
    """Per-fold accuracy, macro-F1 (and log-loss when the estimator has predict_proba)."""
    scoring = {"accuracy": "accuracy", "f1_macro": "f1_macro"}
    if hasattr(estimator, "predict_proba"):
        scoring["neg_log_loss"] = _log_loss
    return cross_validate(estimator, X, y, cv=cv, scoring=scoring, n_jobs=1)


def fmt(res: dict[str, np.ndarray]) -> str:
    out = (
        f"accuracy {res['test_accuracy'].mean():.3f} ± {res['test_accuracy'].std():.3f}   "
        f"macro-F1 {res['test_f1_macro'].mean():.3f} ± {res['test_f1_macro'].std():.3f}"
    )
    if "test_neg_log_loss" in res:
        out += f"   log-loss {-res['test_neg_log_loss'].mean():.3f}"
    return out


def speed(texts: list[str], topics: list[str], runs: int = 5) -> None:
    """Print predict time per article (raw text in, normalising included) against jieba.lcut alone."""
    import jieba

    from classifier.segment import dictionary

    model = TopicClassifier().fit(texts, topics)
    jieba.lcut("预热")  # both tokenizers loaded before timing
    dictionary()

    def best(fn) -> float:
        times = []
        for r in range(runs):
            batch = [f"{t}\n{r}" for t in texts]  # fresh strings each run: no cache helps
            start = time.perf_counter()
            fn(batch)
            times.append(time.perf_counter() - start)
        return min(times) / len(texts) * 1000

    t_jieba = best(lambda xs: [jieba.lcut(x) for x in xs])
    t_predict = best(model.predict)
    print(
        f"jieba.lcut alone {t_jieba:.2f} ms/article; TopicClassifier.predict {t_predict:.2f} ms/article "
        f"(normalise + segment + features + model); throughput ratio {t_jieba / t_predict:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", action="store_true", help="also score the comparison grid")
    ap.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="repetitions of the 5-fold split, with fold seeds 0..N-1 (default 3: 15 folds)",
    )
    ap.add_argument("--speed", action="store_true", help="also time predict against jieba.lcut alone")
    args = ap.parse_args()
    threadpool_limits(1)  # one BLAS thread: the grid is many tiny fits, threads only contend

    texts, topics = load_data()
    y = np.asarray(topics)
    groups = near_duplicate_groups(texts)
    folds = [
        fold
        for seed in range(args.repeats)
        for fold in StratifiedGroupKFold(5, shuffle=True, random_state=seed).split(texts, y, groups)
    ]
    print(
        f"{len(texts)} articles, {len(set(groups))} near-duplicate groups, "
        f"grouped 5-fold CV repeated {args.repeats}x (fold seeds 0..{args.repeats - 1}): mean ± std over folds"
    )

    # normalize() is deterministic per text, so normalising once up front equals normalize=True in every fold.
    clean = [normalize(t) for t in texts]
    configs = GRID if args.grid else {"defaults": {}}
    for name, params in configs.items():
        start = time.perf_counter()
        est = clone(TopicClassifier(normalize=False)).set_params(**params)
        print(f"TopicClassifier {name:<28} {fmt(score(est, clean, y, folds))}   ({time.perf_counter() - start:.0f} s)")
    print(f"{'textbook baseline':<44} {fmt(score(textbook_baseline(), texts, y, folds))}")
    if args.speed:
        speed(texts, topics)


if __name__ == "__main__":
    main()
