"""The ``classifier`` command: train, predict, evaluate, report, info (a thin layer over the API)."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .errors import ClassifierError, UsageError
from .io import FORMATS as FILE_FORMATS
from .io import OUTPUT_FORMATS, format_of, unknown_suffix_message
from .labels import DATE_FIELD, ERROR_FIELD, TEXT_COLUMN, TITLE_FIELD, TOPIC_PROBA

# Heavy modules (scikit-learn, jieba, pyarrow) are imported inside the commands so that
# `--help` is instant and `predict` pays only for what it uses.

FORMATS = ("table", *FILE_FORMATS)


#: Exit codes of ``classifier predict`` (documented in --help and the README).
EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143


def _fail(exc: ClassifierError) -> click.ClickException:
    if isinstance(exc, UsageError):
        return click.UsageError(str(exc))
    return click.ClickException(str(exc))


_TRUST_HELP = "Allow a pickled (joblib) --model file: loading a pickle can run code; only for files you trust."


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so that the run stops like on Ctrl-C (journal kept)."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise _Terminated


def _on_sigterm() -> None:
    try:
        signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:  # pragma: no cover - not the main thread (embedded use)
        pass


_LABEL_COLUMN = click.option(
    "--label-column",
    default="topic",
    show_default=True,
    help="Field (or labels-CSV column) holding the topic label, e.g. corrected_topic of a corrected prediction file.",
)
_TOPICS = click.option(
    "--topics",
    metavar="A,B,C",
    help="Declare the topic set (column order); a label outside it is an error. Default: the labels in DATA.",
)
_QUIET = click.option("-q", "--quiet", is_flag=True, help="No progress bars (they are shown on a terminal only).")


def _progress(quiet: bool) -> Any:
    from ._progress import Progress

    return Progress(enabled=False if quiet else None)


@contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    """Show the warnings of a command (e.g. tiny topics) as ``warning: ...`` lines on stderr, when raised."""
    seen: set[str] = set()

    def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, UserWarning) and str(message) not in seen:
            seen.add(str(message))
            click.echo(f"warning: {message}", err=True)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="classifier")
def main() -> None:
    """Label scraped Chinese education news articles with topic and region.

    \b
    Topic: one of the model's topics (`classifier info` lists them); the shipped
    model has the default four, `classifier train` learns any set.
    Region: the province-level division (or 全国), with city and county.
    """


@main.command()
@click.argument("sources", nargs=-1, type=click.Path(allow_dash=True))
@click.option("-m", "--model", type=click.Path(dir_okay=False), help="Model file (default: the shipped model).")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format (default: table on a terminal, JSONL when piped, else from --out's suffix: "
    ".jsonl .json .csv .tsv .xlsx .parquet; any other suffix is an error).",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write records to this file (atomically) instead of stdout.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--dask", "dask_address", metavar="ADDRESS", help="Run on a Dask cluster, e.g. tcp://scheduler:8786.")
@click.option("--resume", is_flag=True, help="Skip records whose id is already in --out, keep them, add the rest.")
@click.option(
    "--drop-foreign",
    is_flag=True,
    help="With --resume: drop records of --out whose id is not in the input (else such a resume is refused).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary line.")
@click.option("--explain", is_flag=True, help="Add the terms and place mentions that decided each record.")
@click.option(
    "--text-column",
    default=TEXT_COLUMN,
    show_default=True,
    help="Text column of JSONL/JSON/CSV/TSV/Parquet/XLSX input.",
)
@click.option(
    "--keep-text",
    is_flag=True,
    help="Copy each article's text into the output (last column): a corrected output file is training data.",
)
@click.option(
    "--excel",
    is_flag=True,
    help="Start CSV/TSV output with a UTF-8 byte-order mark so that Excel reads the Chinese right (off by default: "
    "other tools may take the mark for part of the first column name).",
)
@click.option(
    "--dedup/--no-dedup",
    default=True,
    show_default=True,
    help="Mark mirror copies: duplicate_of is empty for an article's first copy in the input, else that copy's id.",
)
@click.option("--trust-pickle", is_flag=True, help=_TRUST_HELP)
def predict(
    sources: tuple[str, ...],
    model: str | None,
    fmt: str | None,
    out: str | None,
    jobs: int | None,
    dask_address: str | None,
    resume: bool,
    drop_foreign: bool,
    quiet: bool,
    explain: bool,
    text_column: str,
    keep_text: bool,
    excel: bool,
    dedup: bool,
    trust_pickle: bool,
) -> None:
    """Label articles: files, folders, .jsonl/.csv/.parquet with a text column, or stdin.

    One output record per input record, in input order, with the input's id (or path) and
    pass-through columns, and either the prediction or an `error` field.

    \b
    Examples:
      classifier predict seeds/000_ad498b8498174c2f.txt
      classifier predict scraped/ --out labels.jsonl --jobs 2
      classifier predict dump.csv --format csv > labels.csv
      cat article.txt | classifier predict -
      classifier predict articles.jsonl --out labels.parquet --resume
      classifier predict dump.jsonl --out labels.xlsx --keep-text   # correct in Excel, then train on it
      classifier predict dump.jsonl --out labels.csv --excel         # CSV with a BOM, for Excel

    \b
    Exit codes: 0 every record labelled; 1 some records carry an error (or the
    run failed: model, disk); 2 usage error (missing input, --out is an input,
    --out locked by another run); 130 interrupted (Ctrl-C); 143 terminated
    (SIGTERM). An interrupted run keeps its journal: --resume continues it.
    """
    ctx = click.get_current_context()
    if not sources and sys.stdin.isatty():
        click.echo(ctx.get_help(), err=True)
        ctx.exit(EXIT_USAGE)
    _on_sigterm()
    try:
        _predict(**ctx.params)
    except KeyboardInterrupt:
        click.echo("interrupted: run again with --resume to continue", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except _Terminated:
        click.echo("terminated: run again with --resume to continue", err=True)
        sys.exit(EXIT_TERMINATED)


def _predict(
    sources: tuple[str, ...],
    model: str | None,
    fmt: str | None,
    out: str | None,
    jobs: int | None,
    dask_address: str | None,
    resume: bool,
    drop_foreign: bool,
    quiet: bool,
    explain: bool,
    text_column: str,
    keep_text: bool,
    excel: bool,
    dedup: bool,
    trust_pickle: bool,
) -> None:
    from . import batch

    out = None if out == "-" else out
    if fmt is None:
        if out:
            fmt = format_of(out)
            if fmt is None:
                raise click.UsageError(unknown_suffix_message(out) + "; or pass --format")
        else:
            fmt = "table" if sys.stdout.isatty() else "jsonl"
    if fmt == "table":
        if out:
            raise click.UsageError(
                f"--format table writes to the terminal; use one of {', '.join(FILE_FORMATS)} with --out"
            )
        if keep_text or excel:
            raise click.UsageError("--keep-text and --excel are for file output (--out or --format), not the table")
    elif OUTPUT_FORMATS[fmt].binary and not out:
        raise click.UsageError(f"--format {fmt} needs --out FILE")
    if excel and fmt != "table" and not OUTPUT_FORMATS[fmt].bom:
        raise click.UsageError(f"--excel puts a byte-order mark in CSV or TSV output, not {fmt} (xlsx is Excel's own)")
    paths = list(sources) or ["-"]
    for path in paths:
        if path != "-" and not os.path.lexists(path):
            raise click.BadParameter(f"{path!r}: no such file or folder", param_hint="SOURCES")
    try:
        if fmt == "table":
            from .io import iter_records

            start = time.perf_counter()
            records = batch.predict_records(
                iter_records(paths, text_column=text_column),
                model_path=model,
                jobs=jobs,
                explain=explain,
                trust_pickle=trust_pickle,
            )
            n, errors = _print_table(batch.progress(records, paths, quiet), explain)
            if not quiet and sys.stderr.isatty():
                seconds = time.perf_counter() - start
                click.echo(str(batch.Summary(records=n, errors=errors, seconds=seconds)), err=True)
        else:
            summary = batch.run_batch(
                paths,
                out=out,
                fmt=fmt,
                model_path=model,
                jobs=jobs,
                resume=resume,
                drop_foreign=drop_foreign,
                trust_pickle=trust_pickle,
                quiet=quiet,
                explain=explain,
                dask=dask_address,
                text_column=text_column,
                keep_text=keep_text,
                bom=excel,
                mirrors=_mirror_detector() if dedup else None,
            )
            n, errors = summary.records, summary.errors
            if not quiet:
                click.echo(str(summary), err=True)
            if n == 0 and not summary.skipped:
                where = f"; {out} left as it was" if out else ""
                click.echo(f"no records found in {', '.join(paths)}{where}", err=True)
                sys.exit(EXIT_ERRORS)
    except ClassifierError as exc:
        raise _fail(exc) from None
    if errors:
        click.echo(f"{errors} of {n} records could not be labelled (see their `{ERROR_FIELD}` field)", err=True)
        sys.exit(EXIT_ERRORS)


def _mirror_detector() -> Any:
    # events sits above batch: the command builds the detector and hands it down.
    from .events import MirrorDetector

    return MirrorDetector()


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * max(width - _width(s), 0)


_TITLE_CELL = 24  # characters of the title shown in the terminal table


def _print_table(records: Iterable[dict[str, Any]], explain: bool) -> tuple[int, int]:
    """Print records as an aligned table (a person at a terminal); return (records, errors)."""
    heads = ["id", "topic", "p", "region", "city", "county", "date", "title"]
    rows, details, errors = [], [], 0
    for rec in records:
        rid = str(rec.get("id", ""))
        if rec.get(ERROR_FIELD):
            errors += 1
            rows.append([rid, "ERROR", "", str(rec[ERROR_FIELD]), "", "", "", ""])
            continue
        p = rec.get(TOPIC_PROBA, {}).get(rec["topic"], 0.0)
        title = str(rec.get(TITLE_FIELD) or "")
        title = title if len(title) <= _TITLE_CELL else title[: _TITLE_CELL - 1] + "…"
        row = [rid, rec["topic"], f"{p:.2f}", rec["region"], rec["city"], rec["county"], rec.get(DATE_FIELD) or ""]
        rows.append([*row, title])
        if explain:
            details.append((rid, rec))
    widths = [max([_width(h)] + [_width(r[i]) for r in rows if r[1] != "ERROR" or i < 4]) for i, h in enumerate(heads)]
    widths[0] = min(widths[0], 60)
    click.echo("  ".join(_pad(h, w) for h, w in zip(heads, widths)).rstrip())
    for r in rows:
        click.echo("  ".join(_pad(c, w) for c, w in zip(r, widths)).rstrip())
    for rid, rec in details:
        why = rec.get("explain") or {}
        terms = ", ".join(f"{t} ({w:+.2f})" for t, w in why.get("topic_terms", []))
        places = ", ".join(str(e.get("surface", e)) for e in why.get("region_evidence", [])[:8])
        click.echo(f"\n{rid}\n  topic terms: {terms}\n  places: {places}")
    return len(rows), errors


@main.command()
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="Where to write the model.")
@click.option(
    "--labels",
    "labels_csv",
    type=click.Path(exists=True, dir_okay=False),
    help="Labels CSV (file,topic,region,city,county) for folders of .txt files.",
)
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
    from .training import train as train_model

    progress = _progress(quiet)
    try:
        with _warnings_to_stderr():
            model = train_model(
                list(data),
                out=out,
                labels_csv=labels_csv,
                cv=cv,
                topics=topics,
                label_column=label_column,
                progress=progress,
            )
    except ClassifierError as exc:
        raise _fail(exc) from None
    progress.done()
    scores = model.metadata_.get("cv_scores") or {}
    click.echo(f"trained on {model.n_train_} articles, topics {', '.join(map(str, model.classes_))} -> {out}")
    if scores:
        click.echo(json.dumps(scores, ensure_ascii=False, indent=2))


@main.command()
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True))
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
@click.option(
    "--labels", "labels_csv", type=click.Path(exists=True, dir_okay=False), help="Labels CSV for folders of .txt files."
)
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
    from .evaluation import format_summary, run_evaluation
    from .labels import parse_topics

    progress = _progress(quiet)
    try:
        declared = parse_topics(topics, "--topics") if topics else None
        with _warnings_to_stderr():
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
                topics=declared,
                progress=progress,
            )
    except ClassifierError as exc:
        raise _fail(exc) from None
    progress.done()
    click.echo(format_summary(report))
    if not cv and not train_paths:
        _warn_training_overlap(data, model, labels_csv, label_column)
    if report_dir:
        click.echo(f"\nreport written to {report_dir}/ (report.md, report.json, *.png)")


def _warn_training_overlap(
    data: tuple[str, ...], model: str | None, labels_csv: str | None, label_column: str = "topic"
) -> None:
    """Say loudly when the evaluated articles are part of the model's training data."""
    from .io import read_labeled
    from .model import load, overlap_count

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


@main.command()
@click.argument("src", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="The .npz model file to write.")
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(exists=True),
    help="The model's training data (repeatable): keeps per-article fingerprints for evaluate's overlap check.",
)
@click.option(
    "--labels", "labels_csv", type=click.Path(exists=True, dir_okay=False), help="Labels CSV for folders of .txt files."
)
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
    from .model import convert_model

    try:
        path = convert_model(src, out, data=list(data) or None, labels_csv=labels_csv)
    except ClassifierError as exc:
        raise _fail(exc) from None
    click.echo(f"{src} -> {path}")


@main.command()
@click.argument("labels", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder for report.html, events.csv and events.xlsx (created if missing).",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary line.")
def report(labels: tuple[str, ...], out: str, quiet: bool) -> None:
    """Report the events in prediction output: report.html, events.csv, events.xlsx.

    LABELS are files written by `classifier predict` (.jsonl .json .csv .tsv .xlsx .parquet), read as one
    stream. An event is a record whose `duplicate_of` is empty (mirror copies count once);
    records with an `error` are skipped and counted. report.html is one self-contained page
    (opens offline): events per province, year and topic, a map, top cities and counties, and
    the events table with filters; low-confidence predictions are marked.

    \b
    Examples:
      classifier predict dump.jsonl --out labels.jsonl && classifier report labels.jsonl --out report/
      classifier report part1.parquet part2.parquet --out report/
    """
    from .report import build_report

    try:
        summary = build_report(list(labels), out)
    except ClassifierError as exc:
        raise _fail(exc) from None
    if not quiet:
        click.echo(str(summary), err=True)


@main.command()
@click.option("-m", "--model", type=click.Path(dir_okay=False), help="Model file (default: the shipped model).")
@click.option("--trust-pickle", is_flag=True, help=_TRUST_HELP)
def info(model: str | None, trust_pickle: bool) -> None:
    """Show a model's metadata: its topics, versions, training data and cross-validated scores."""
    from .model import default_model_path, load

    try:
        loaded = load(model, trusted=trust_pickle)
    except ClassifierError as exc:
        raise _fail(exc) from None
    meta = {"path": str(model or default_model_path()), "topics": [str(c) for c in loaded.classes_]}
    meta.update({k: v for k, v in loaded.metadata_.items() if k != "topics"})
    click.echo(json.dumps(meta, ensure_ascii=False, indent=2))


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option(
    "-m", "--model", type=click.Path(exists=True, dir_okay=False), help="Model file (default: the shipped model)."
)
@click.option("-n", "count", type=click.IntRange(min=1), default=50, show_default=True, help="How many articles.")
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="Write the queue (JSONL) here, atomically (default: stdout).",
)
@click.option(
    "--labels",
    type=click.Path(dir_okay=False),
    help="A labels file (from `classifier review`): its articles and their near-duplicates are left out.",
)
def suggest(sources: tuple[str, ...], model: str | None, count: int, out: str, labels: str | None) -> None:
    """The articles worth labeling first: the review app's teach order, as JSONL.

    Most uncertain first (margin between the two best topics, region confidence), without
    near-duplicates of articles already labeled or already in the queue.

    \b
    Examples:
      classifier suggest scraped/ -n 50 --out queue.jsonl
      classifier suggest dump.jsonl --labels labels.jsonl -n 20
    """
    from . import load
    from .review import read_inputs
    from .review import suggest as rank

    try:
        queue = rank(read_inputs(list(sources)), load(model), n=count, labels=labels)
    except ClassifierError as exc:
        raise _fail(exc) from None
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in queue)
    if out == "-":
        click.echo(lines, nl=False)
    else:
        from .io import atomic_write

        with atomic_write(out) as fh:
            fh.write(lines)
        click.echo(f"{len(queue)} articles -> {out}", err=True)


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(allow_dash=False))
@click.option(
    "-m", "--model", type=click.Path(exists=True, dir_okay=False), help="Model file (default: the shipped model)."
)
@click.option(
    "--labels",
    default="labels.jsonl",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Labels file (JSONL): every decision is appended here; an existing one is resumed.",
)
@click.option(
    "--train",
    "base",
    multiple=True,
    type=click.Path(exists=True),
    help="Base training data for retraining (repeatable), e.g. the corpus the model was trained on.",
)
@click.option(
    "--new-model",
    type=click.Path(dir_okay=False),
    help="Where retraining writes the new model (default: LABELS with .model.npz; never the shipped one).",
)
@click.option(
    "--retrain-every",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also retrain after every N new labels (0: only with the button).",
)
@click.option("--cv", type=click.IntRange(min=2), default=5, show_default=True, help="Grouped-CV folds of retraining.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but 127.0.0.1/localhost exposes the app to the network.",
)
@click.option(
    "--port", type=click.IntRange(min=0, max=65535), default=8765, show_default=True, help="Port (0: any free one)."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the audit sample.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
def review(
    sources: tuple[str, ...],
    model: str | None,
    labels: str,
    base: tuple[str, ...],
    new_model: str | None,
    retrain_every: int,
    cv: int,
    host: str,
    port: int,
    seed: int,
    no_browser: bool,
) -> None:
    """Review predictions in a local web app, correct them by keyboard, and retrain.

    SOURCES is anything `predict` reads. The app prints its address with a one-time token;
    decisions go to the labels file at once (it trains as is: `classifier train labels.jsonl`).

    \b
    Examples:
      classifier review scraped/ --labels labels.jsonl
      classifier review dump.jsonl --train ../shared/corpus/dev.jsonl --train seeds/ --new-model my.npz
    """
    from .review._app import run_review

    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}: anyone who can reach it and has the token can read these "
            "articles and write labels",
            err=True,
        )
    if new_model is None:
        new_model = str(Path(labels).with_suffix(".model.npz"))
    try:
        run_review(
            list(sources),
            model=model,
            labels=labels,
            base=list(base),
            new_model=new_model,
            host=host,
            port=port,
            seed=seed,
            cv=cv,
            retrain_every=retrain_every,
            open_browser=not no_browser,
            echo=lambda m: click.echo(m),
        )
    except ClassifierError as exc:
        raise _fail(exc) from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


if __name__ == "__main__":  # pragma: no cover
    main()
