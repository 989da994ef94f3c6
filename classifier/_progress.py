"""What a long command is doing, on a terminal: one tqdm bar per stage, with elapsed time.

``Progress`` is handed down by the CLI to ``training.train`` and ``evaluation.run_evaluation``;
library callers pass nothing and get :data:`QUIET` (no output). On anything that is not a
terminal (a pipe, a file, CI logs) the bars are off unless forced with ``enabled=True``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def _size(stream: Any) -> tuple[int, int]:
    """(columns, lines) of the terminal behind ``stream``; (80, 24) where unknown, as for a new
    pseudo-terminal whose size is 0 x 0 (tqdm would then draw nothing)."""
    try:
        columns, lines = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError):
        columns, lines = 0, 0
    return (min(columns, 160) if columns >= 40 else 80), (lines if lines >= 2 else 24)


class Step:
    """One stage in progress: ``advance`` moves its bar (a no-op when progress is off)."""

    def __init__(self, bar: Any = None):
        self._bar = bar

    def advance(self, n: int = 1, status: str | None = None) -> None:
        """Count ``n`` items done; ``status`` (e.g. ``"fold 2/5"``) is shown beside the bar."""
        if self._bar is None:
            return
        if status is not None:
            self._bar.set_postfix_str(status, refresh=False)
        self._bar.update(n)

    def status(self, text: str) -> None:
        """Show ``text`` beside the bar without counting an item."""
        if self._bar is not None:
            self._bar.set_postfix_str(text)


class Progress:
    """Progress of a command on ``stream`` (default stderr).

    Parameters
    ----------
    enabled : bool or None, default=None
        None: on when ``stream`` is a terminal; False: silent (``--quiet``); True: always.
    stream : text stream or None, default=None
        Where bars are drawn (None: ``sys.stderr`` at the time of the call).
    """

    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _isatty(self.stream) if enabled is None else bool(enabled)
        self.started = time.perf_counter()

    @contextmanager
    def stage(self, what: str, total: int | None = None, unit: str = "step") -> Iterator[Step]:
        """A bar for one stage (``total`` items, or None when unknown), closed at the end."""
        if not self.enabled:
            yield Step()
            return
        from tqdm import tqdm

        fmt = "{desc}: {n_fmt}/{total_fmt} {unit} |{bar:20}| {elapsed}{postfix}"
        if total is None:
            fmt = "{desc}: {n_fmt} {unit} {elapsed}{postfix}"
        ncols, nrows = _size(self.stream)
        bar = tqdm(
            total=total,
            desc=what,
            unit=unit,
            file=self.stream,
            bar_format=fmt,
            leave=True,
            ncols=ncols,
            nrows=nrows,
        )
        try:
            yield Step(bar)
        finally:
            bar.close()

    def done(self, what: str = "done") -> None:
        """One closing line with the total elapsed time."""
        if self.enabled:
            print(f"{what} in {time.perf_counter() - self.started:.1f} s", file=self.stream, flush=True)


#: Progress that draws nothing (the default of library calls).
QUIET = Progress(enabled=False)
