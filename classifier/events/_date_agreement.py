"""Agreement of predicted dates with labeled ones (the ``date`` column, LABELING.md "Date")."""

from __future__ import annotations

from collections.abc import Sequence

from ..labels import ISO_DATE

__all__ = ["date_agreement"]


def _year_month(value: str, where: str) -> tuple[str, str]:
    m = ISO_DATE.fullmatch(value)
    if m is None:
        raise ValueError(f"{where}: {value!r} is not an ISO date (YYYY-MM-DD, YYYY-MM, YYYY, --MM-DD or '')")
    return m.group("year") or "", m.group("month") or m.group("day_month") or ""


def date_agreement(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float | int | None]:
    """How far predicted dates agree with gold dates.

    Parameters
    ----------
    gold, pred : sequence of str
        ISO dates as ``extract_date`` writes them ("" for no date), in the same order.

    Returns
    -------
    dict
        ``n``, ``n_dated`` (gold has a date), ``n_undated``; ``exact``: share of dated items
        predicted exactly; ``year_month``: share of dated items whose year and month agree
        (both absent counts as agreeing, so ``2018`` matches ``2018`` and ``--05-09`` matches
        ``--05-10``); ``no_date``: share of undated items predicted with no date. A share is None
        when it has no items.

    Examples
    --------
    >>> date_agreement(["2018-05-10", "--05-09", ""], ["2018-05-10", "--05-10", ""])["year_month"]
    1.0
    """
    gold, pred = list(gold), list(pred)
    if len(gold) != len(pred):
        raise ValueError(f"date_agreement(): {len(gold)} gold dates but {len(pred)} predicted")
    exact = year_month = no_date = n_dated = 0
    for i, (g, p) in enumerate(zip(gold, pred)):
        g = "" if g is None else str(g)
        p = "" if p is None else str(p)
        gp, pp = _year_month(g, f"gold[{i}]"), _year_month(p, f"pred[{i}]")
        if g:
            n_dated += 1
            exact += g == p
            year_month += bool(p) and gp == pp
        else:
            no_date += p == ""
    n_undated = len(gold) - n_dated
    return {
        "n": len(gold),
        "n_dated": n_dated,
        "n_undated": n_undated,
        "exact": exact / n_dated if n_dated else None,
        "year_month": year_month / n_dated if n_dated else None,
        "no_date": no_date / n_undated if n_undated else None,
    }
