"""What the commands share: exit codes, error mapping, signal handling, option decorators, warnings."""

from __future__ import annotations

import signal
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from ..errors import ClassifierError, UsageError
from ..io import FORMATS as FILE_FORMATS

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
#: DATA of train and evaluate: labeled files or folders, as many as you like.
_DATA = click.argument("data", nargs=-1, required=True, type=click.Path(exists=True))
_LABELS_CSV = click.option(
    "--labels",
    "labels_csv",
    type=click.Path(exists=True, dir_okay=False),
    help="Labels CSV (file,topic,region,city,county) for folders of .txt files.",
)
#: A model file to use (predict, info); suggest and review take one that must exist.
_MODEL = click.option("-m", "--model", type=click.Path(dir_okay=False), help="Model file (default: the shipped model).")
_EXISTING_MODEL = click.option(
    "-m", "--model", type=click.Path(exists=True, dir_okay=False), help="Model file (default: the shipped model)."
)
_QUIET = click.option("-q", "--quiet", is_flag=True, help="No progress bars (they are shown on a terminal only).")


def _progress(quiet: bool) -> Any:
    from .._progress import Progress

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


@contextmanager
def _progress_run(quiet: bool) -> Iterator[Any]:
    """A long command's run (train, evaluate): its progress bars, its warnings on stderr, its errors as
    click errors; the bars are closed when it succeeds."""
    progress = _progress(quiet)
    try:
        with _warnings_to_stderr():
            yield progress
    except ClassifierError as exc:
        raise _fail(exc) from None
    progress.done()
