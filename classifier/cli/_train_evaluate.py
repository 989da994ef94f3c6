"""``classifier train``, ``evaluate`` and ``convert``: fit, score and convert models."""

from __future__ import annotations

import json

import click

from ..errors import ClassifierError
from ._common import _DATA, _LABEL_COLUMN, _LABELS_CSV, _QUIET, _TOPICS, _fail, _progress_run


@click.command()
@_DATA
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="Where to write the model.")
@_LABELS_CSV
@click.option(
    "--cv",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Grouped cross-validation folds whose scores are stored in the model (0: skip).",
)
@_TOPICS
@_LABEL_COLUMN
@_QUIET
def train(
    data: tuple[str, ...],
    out: str,
    labels_csv: str | None,
    cv: int,
    topics: str | None,
    label_column: str,
    quiet: bool,
) -> None:
    """Train a model on labeled data and write it (.npz: arrays + JSON, no code on load; SHA-256 beside it).

    DATA are JSONL / CSV / Parquet files with text, topic, region (and optionally city,
    county), or folders of .txt files with a labels CSV (--labels, or labels.csv inside the
    folder), as many as you like. The model learns the topics in DATA (any names), or the
    set given with --topics.

    \b
    Examples:
      classifier train ../shared/corpus/dev.jsonl seeds/ --labels labels/seeds.csv --out model.npz
      classifier train mydata.jsonl --out model.npz --cv 0
      classifier train a.jsonl b.parquet --topics notice,plan,statistics,other --out custom.npz
      classifier train labels.csv --label-column corrected_topic --out model.npz
    """
    from ..training import train as train_model

    with _progress_run(quiet) as progress:
        model = train_model(
            list(data),
            out=out,
            labels_csv=labels_csv,
            cv=cv,
            topics=topics,
            label_column=label_column,
            progress=progress,
        )
    scores = model.metadata_.get("cv_scores") or {}
    click.echo(f"trained on {model.n_train_} articles, topics {', '.join(map(str, model.classes_))} -> {out}")
    if scores:
        click.echo(json.dumps(scores, ensure_ascii=False, indent=2))


@click.command()
@_DATA
@click.option(
    "-m", "--model", type=click.Path(dir_okay=False), help="Evaluate this fitted model on DATA (train-on-A/test-on-B)."
)
@click.option("--cv", type=click.IntRange(min=2), help="Cross-validate a fresh model on DATA with K grouped folds.")
@click.option(
    "--train",
    "train_paths",
    multiple=True,
    type=click.Path(exists=True),
    help="Fit a fresh model on this labeled data and test it on DATA (repeatable).",
)
@_LABELS_CSV
@click.option(
    "--report",
    "report_dir",
    type=click.Path(file_okay=False),
    help="Write report.json, report.md and PNG plots to this folder.",
)
@click.option("--robustness/--no-robustness", default=True, show_default=True, help="Perturbed-text figures.")
@click.option("--learning-curve/--no-learning-curve", default=True, show_default=True, help="Score vs training size.")
@click.option(
    "--baselines/--no-baselines",
    default=True,
    show_default=True,
    help="Keyword rules and textbook TF-IDF + LinearSVC on the same folds.",
)
@click.option(
    "--seed-loo/--no-seed-loo",
    default=True,
    show_default=True,
    help="Leave-one-out over the seed articles (with --cv).",
)
@click.option(
    "--seeds",
    "seeds_dir",
    default="seeds",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder of seed articles for --seed-loo (labels: labels.csv in it or ../labels/<name>.csv).",
)
@_TOPICS
@_LABEL_COLUMN
@_QUIET
def evaluate(
    data: tuple[str, ...],
    model: str | None,
    cv: int | None,
    train_paths: tuple[str, ...],
    labels_csv: str | None,
    report_dir: str | None,
    robustness: bool,
    learning_curve: bool,
    baselines: bool,
    seed_loo: bool,
    seeds_dir: str,
    topics: str | None,
    label_column: str,
    quiet: bool,
) -> None:
    """Accuracy, macro-F1, per-class figures and confusion matrices on labeled DATA.

    When DATA carries a date label (a ``date`` column), the event dates of the predictions are
    scored too: exact and year-month agreement, and "no date" right.

    \b
    Examples:
      classifier evaluate ../shared/corpus/dev.jsonl --cv 5 --report out/
      classifier evaluate mydata.jsonl                # the shipped model on your data
      classifier evaluate seeds/ --labels labels/seeds.csv --model model.npz
      classifier evaluate seeds/ --train ../shared/corpus/dev.jsonl   # train on A, test on B
      classifier evaluate a.jsonl b.csv --cv 5 --label-column corrected_topic
    """
    if cv and train_paths:
        raise click.UsageError("--cv and --train are two ways to evaluate: choose one")
    if topics and not (cv or train_paths):
        raise click.UsageError("--topics declares the topic set of a fresh model: use it with --cv or --train")
    from ..evaluation import format_summary, run_evaluation
    from ..labels import parse_topics

    if not cv and not train_paths:  # said first: the figures below would be flattering
        _warn_training_overlap(data, model, labels_csv, label_column)
    with _progress_run(quiet) as progress:
        report = run_evaluation(
            list(data),
            model=model,
            cv=cv,
            labels_csv=labels_csv,
            report_dir=report_dir,
            robustness=robustness,
            learning_curve=learning_curve,
            baselines=baselines,
            loo_seeds=seed_loo,
            train_paths=list(train_paths) or None,
            seeds_dir=seeds_dir,
            label_column=label_column,
            topics=parse_topics(topics, "--topics") if topics else None,
            progress=progress,
        )
    click.echo(format_summary(report))
    if report_dir:
        click.echo(f"\nreport written to {report_dir}/ (report.md, report.json, *.png)")


def _warn_training_overlap(
    data: tuple[str, ...], model: str | None, labels_csv: str | None, label_column: str = "topic"
) -> None:
    """Say loudly when the evaluated articles are part of the model's training data."""
    from ..io import read_labeled
    from ..model import load, overlap_count

    try:
        hashes = load(model).train_hashes_
        if hashes is None:
            click.echo("note: this model file keeps no training fingerprints; overlap with DATA unknown", err=True)
            return
        texts = [r["text"] for r in read_labeled(list(data), labels_csv, topics=None, label_column=label_column)]
    except ClassifierError:
        return
    n = overlap_count(hashes, texts)
    if n:
        bar = "!" * 78
        click.echo(
            f"\n{bar}\nWARNING: {n} of {len(texts)} evaluated articles are in the model's TRAINING data: these\n"
            "figures measure memory, not accuracy on new articles. Evaluate on held-out data, or\n"
            f"use --cv K to cross-validate.\n{bar}",
            err=True,
        )


@click.command()
@click.argument("src", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="The .npz model file to write.")
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(exists=True),
    help="The model's training data (repeatable): keeps per-article fingerprints for evaluate's overlap check.",
)
@_LABELS_CSV
def convert(src: str, out: str, data: tuple[str, ...], labels_csv: str | None) -> None:
    """Convert a model file you trust (e.g. an old pickled .joblib) to the .npz format.

    The .npz format holds arrays and JSON only: loading it runs no code. Predictions stay the
    same. Converting loads SRC once as a trusted pickle: only convert files you trust.

    \b
    Examples:
      classifier convert old.joblib --out model.npz
      classifier convert model.joblib --out classifier/data/model.npz \\
          --data ../shared/corpus/dev.jsonl --data seeds/ --labels labels/seeds.csv
    """
    from ..model import convert_model

    try:
        path = convert_model(src, out, data=list(data) or None, labels_csv=labels_csv)
    except ClassifierError as exc:
        raise _fail(exc) from None
    click.echo(f"{src} -> {path}")
