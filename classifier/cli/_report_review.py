"""``classifier report``, ``suggest`` and ``review``: what comes after prediction."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import ClassifierError
from ._common import _EXISTING_MODEL, _fail


@click.command()
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
    from ..report import build_report

    try:
        summary = build_report(list(labels), out)
    except ClassifierError as exc:
        raise _fail(exc) from None
    if not quiet:
        click.echo(str(summary), err=True)


@click.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(allow_dash=True))
@_EXISTING_MODEL
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
    from .. import load
    from ..review import read_inputs
    from ..review import suggest as rank

    try:
        queue = rank(read_inputs(list(sources)), load(model), n=count, labels=labels)
    except ClassifierError as exc:
        raise _fail(exc) from None
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in queue)
    if out == "-":
        click.echo(lines, nl=False)
    else:
        from ..io import atomic_write

        with atomic_write(out) as fh:
            fh.write(lines)
        click.echo(f"{len(queue)} articles -> {out}", err=True)


@click.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(allow_dash=False))
@_EXISTING_MODEL
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
    try:
        from ..review import run_review
    except ImportError as exc:
        raise click.ClickException(
            f"classifier review needs Starlette and uvicorn ({exc}): pip install 'classifier[review]'"
        ) from None

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
