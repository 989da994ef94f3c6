"""``classifier predict``: label articles to a file, stdout or an aligned terminal table."""

from __future__ import annotations

import os
import sys
import time
import unicodedata
from collections.abc import Iterable
from typing import Any

import click

from ..errors import ClassifierError
from ..io import FORMATS as FILE_FORMATS
from ..io import OUTPUT_FORMATS, format_of, unknown_suffix_message
from ..labels import DATE_FIELD, ERROR_FIELD, TEXT_COLUMN, TITLE_FIELD, TOPIC_PROBA
from ._common import (
    _MODEL,
    _TRUST_HELP,
    EXIT_ERRORS,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    FORMATS,
    _fail,
    _on_sigterm,
    _Terminated,
)


@click.command()
@click.argument("sources", nargs=-1, type=click.Path(allow_dash=True))
@_MODEL
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
def predict(**params: Any) -> None:
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
    if not params["sources"] and sys.stdin.isatty():
        click.echo(ctx.get_help(), err=True)
        ctx.exit(EXIT_USAGE)
    _on_sigterm()
    try:
        _predict(**params)
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
    from .. import batch

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
            from ..io import iter_records

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
    from ..events import MirrorDetector

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
