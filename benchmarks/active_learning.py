"""Active learning simulation: does the review app's teach order need fewer labels than random order?

On the dev corpus with grouped folds (near-duplicates on one side; ``classifier.evaluation``):
for each of ``--starts`` random starts and each fold, the "analyst" starts from the seed
articles plus 20 random articles of the training part, then labels batches of 10 chosen
either by the teach order (``classifier.review.teach_order``: smallest topic margin and least
sure region first, near-duplicates of labeled or queued articles skipped) or at random. After
every batch a model is fitted on the labels so far and scored on the held-out fold; the
folds' predictions are pooled into one grouped-CV topic macro-F1 and province accuracy per
number of labels. Prints the labels each order needs to reach topic macro-F1 0.85 (mean
curve, linear interpolation) and their ratio; writes the curves as JSON and a PNG plot.

    python benchmarks/active_learning.py                       # 5 starts x 5 folds, ~12 min on one core
    python benchmarks/active_learning.py --starts 2 --folds 3  # a quick look

The label counts are corpus articles labeled; the 5 seed articles come free on top.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from classifier import ArticleClassifier, read_labeled
from classifier.evaluation import grouped_folds, near_duplicate_groups
from classifier.labels import TOPICS
from classifier.review import score_texts, teach_order

ROOT = Path(__file__).resolve().parents[1]

CORPUS = ROOT.parent / "shared" / "corpus" / "dev.jsonl"
OUT = ROOT / "benchmarks" / "results"
TARGET = 0.85
#: Further macro-F1 levels reported (from the mean curves) when the first is reached at the start.
MORE_TARGETS = (0.88, 0.90)


def macro_f1(gold: list[str], pred: list[str]) -> float:
    f1s = []
    for t in TOPICS:
        tp = sum(g == t and p == t for g, p in zip(gold, pred))
        n_gold, n_pred = gold.count(t), pred.count(t)
        if n_gold + n_pred:
            f1s.append(2 * tp / (n_gold + n_pred))
    return float(np.mean(f1s))


def run_fold(records, seeds, train_idx, test_idx, strategy, rng, start_n, batch, steps, region_weight):
    """Per step: (n labels, predicted topics and regions of the test fold)."""
    pool = list(train_idx)
    labeled = list(rng.choice(pool, size=start_n, replace=False))
    rest = [i for i in pool if i not in set(labeled)]
    test_texts = [records[i]["text"] for i in test_idx]
    out = []
    for step in range(steps + 1):
        train = seeds + [records[i] for i in labeled]
        model = ArticleClassifier().fit([r["text"] for r in train], train)
        pred = model.predict(test_texts)
        out.append((len(labeled), [p["topic"] for p in pred], [p["region"] for p in pred]))
        if step == steps or not rest:
            break
        if strategy == "random":
            pick = list(rng.choice(rest, size=min(batch, len(rest)), replace=False))
        else:
            texts = [records[i]["text"] for i in rest]
            scored = score_texts(model.predictor_, texts, region_weight=region_weight)
            order = teach_order(scored, texts, [records[i]["text"] for i in labeled], n=batch)
            if len(order) < batch:  # only near-duplicates left: take them in uncertainty order
                extra = sorted(
                    (j for j in range(len(rest)) if j not in set(order)), key=lambda j: -scored[j].uncertainty
                )
                order += extra[: batch - len(order)]
            pick = [rest[j] for j in order]
        labeled += pick
        rest = [i for i in rest if i not in set(pick)]
    return out


def _ratio(teach, rand):
    return round(teach / rand, 3) if teach is not None and rand else None


def crossing(xs, ys, target=TARGET):
    """First number of labels where the curve reaches ``target`` (linear interpolation), or None."""
    for k in range(len(xs)):
        if ys[k] >= target:
            if k == 0:
                return float(xs[0])
            x0, x1, y0, y1 = xs[k - 1], xs[k], ys[k - 1], ys[k]
            return float(x0 + (target - y0) * (x1 - x0) / (y1 - y0))
    return None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--starts", type=int, default=5, help="random starts (default 5)")
    ap.add_argument("--folds", type=int, default=5, help="grouped folds (default 5)")
    ap.add_argument("--start", type=int, default=20, help="random articles labeled at the start (default 20)")
    ap.add_argument("--batch", type=int, default=10, help="labels per batch (default 10)")
    ap.add_argument("--max-labels", type=int, default=120, help="stop after this many corpus labels (default 120)")
    ap.add_argument("--region-weight", type=float, default=0.5, help="weight of region uncertainty in teach order")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="labeled JSONL (default ../shared/corpus/dev.jsonl)")
    ap.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="seed articles (labels in ../labels/<name>.csv)")
    ap.add_argument("--out", type=Path, default=OUT, help="folder for active_learning.json and .png")
    args = ap.parse_args(argv)
    if not args.corpus.exists():
        print(f"{args.corpus} is not there (--corpus)", file=sys.stderr)
        return 1
    records = read_labeled(args.corpus)
    seeds = read_labeled(args.seeds, labels_csv=args.seeds.parent / "labels" / f"{args.seeds.name}.csv")
    groups = near_duplicate_groups([r["text"] for r in records])
    topics = [r["topic"] for r in records]
    steps = (args.max_labels - args.start) // args.batch
    t0 = time.perf_counter()
    curves: dict[str, dict[str, list[list[float]]]] = {
        s: {"n": [], "topic_macro_f1": [], "province_accuracy": []} for s in ("teach", "random")
    }
    for start in range(args.starts):
        folds = grouped_folds(topics, groups, n_splits=args.folds, seed=start)
        for strategy in ("teach", "random"):
            per_fold = [
                run_fold(
                    records,
                    seeds,
                    tr,
                    te,
                    strategy,
                    np.random.default_rng(1000 * start + f),
                    args.start,
                    args.batch,
                    steps,
                    args.region_weight,
                )
                for f, (tr, te) in enumerate(folds)
            ]
            n_steps = min(len(p) for p in per_fold)
            ns, f1s, accs = [], [], []
            for k in range(n_steps):
                gold_t, pred_t, gold_r, pred_r = [], [], [], []
                for (_, te), steps_out in zip(folds, per_fold):
                    _, pt, pr = steps_out[k]
                    gold_t += [records[i]["topic"] for i in te]
                    gold_r += [records[i]["region"] for i in te]
                    pred_t += pt
                    pred_r += pr
                ns.append(float(np.mean([p[k][0] for p in per_fold])))
                f1s.append(macro_f1(gold_t, pred_t))
                accs.append(float(np.mean([g == p for g, p in zip(gold_r, pred_r)])))
            for key, vals in (("n", ns), ("topic_macro_f1", f1s), ("province_accuracy", accs)):
                curves[strategy][key].append(vals)
            print(
                f"start {start} {strategy:6s}: macro-F1 "
                + " ".join(f"{v:.3f}" for v in f1s)
                + f"  ({time.perf_counter() - t0:.0f} s)",
                flush=True,
            )
    summary = {}
    for strategy, c in curves.items():
        k = min(len(v) for v in c["n"])
        n = np.mean([v[:k] for v in c["n"]], axis=0)
        f1 = np.array([v[:k] for v in c["topic_macro_f1"]])
        acc = np.array([v[:k] for v in c["province_accuracy"]])
        reach = [crossing(list(n), list(run)) for run in f1]
        summary[strategy] = {
            "n_labels": [round(float(x), 1) for x in n],
            "topic_macro_f1_mean": [round(float(x), 4) for x in f1.mean(axis=0)],
            "topic_macro_f1_sd": [round(float(x), 4) for x in f1.std(axis=0)],
            "province_accuracy_mean": [round(float(x), 4) for x in acc.mean(axis=0)],
            "province_accuracy_sd": [round(float(x), 4) for x in acc.std(axis=0)],
            "labels_to_target": crossing(list(n), list(f1.mean(axis=0))),
            "labels_to_target_per_start": reach,
            "labels_to": {str(t): crossing(list(n), list(f1.mean(axis=0)), t) for t in (TARGET, *MORE_TARGETS)},
        }
    teach, rand = summary["teach"]["labels_to_target"], summary["random"]["labels_to_target"]
    ratio = round(teach / rand, 3) if teach is not None and rand else None
    result = {
        "target_macro_f1": TARGET,
        "starts": args.starts,
        "folds": args.folds,
        "start_labels": args.start,
        "batch": args.batch,
        "region_weight": args.region_weight,
        "n_corpus": len(records),
        "n_seeds": len(seeds),
        "seconds": round(time.perf_counter() - t0),
        "curves": summary,
        "ratio_teach_to_random": ratio,
        "ratios": {
            t: _ratio(summary["teach"]["labels_to"][t], summary["random"]["labels_to"][t])
            for t in summary["teach"]["labels_to"]
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "active_learning.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    plot(result).savefig(args.out / "active_learning.png", dpi=110, bbox_inches="tight")
    for s in ("teach", "random"):
        x = summary[s]["labels_to_target"]
        print(
            f"{s:6s}: topic macro-F1 {TARGET} reached at {'never' if x is None else f'{x:.0f}'} labels "
            f"(per start: {summary[s]['labels_to_target_per_start']})"
        )
    print(
        "labels to reach (mean curves):",
        json.dumps({s: summary[s]["labels_to"] for s in summary}),
        "ratios:",
        json.dumps(result["ratios"]),
    )
    print(
        f"teach / random = {ratio} (target <= 0.70); {result['seconds']} s; "
        f"written {args.out / 'active_learning.json'} and .png"
    )
    return 0


def plot(result):
    """Topic macro-F1 and province accuracy against labels, mean ± sd over the starts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for ax, key, title in (
        (axes[0], "topic_macro_f1", "topic macro-F1"),
        (axes[1], "province_accuracy", "province accuracy"),
    ):
        for s, color in (("teach", "tab:blue"), ("random", "tab:gray")):
            c = result["curves"][s]
            x, m, sd = (np.array(c["n_labels"]), np.array(c[f"{key}_mean"]), np.array(c[f"{key}_sd"]))
            ax.plot(x, m, color=color, label=f"{s} order")
            ax.fill_between(x, m - sd, m + sd, color=color, alpha=0.2)
        if key == "topic_macro_f1":
            ax.axhline(result["target_macro_f1"], color="tab:red", lw=0.8, ls="--")
        ax.set_xlabel(f"corpus articles labeled (+{result['n_seeds']} seeds)")
        ax.set_title(f"grouped {result['folds']}-fold CV {title}")
        ax.legend(loc="lower right")
    fig.suptitle(f"teach vs random order, mean ± sd over {result['starts']} random starts")
    fig.tight_layout()
    return fig


if __name__ == "__main__":
    sys.exit(main())
