"""Plots of a report (matplotlib, for the notebook and the Markdown report)."""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from .._fonts import cjk_font_path
from ..labels import NATIONAL, NATIONAL_CODE, PROVINCES


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family of the shipped CJK font (``classifier._fonts``), registered with matplotlib;
    None if it cannot be loaded (plots then show GB/T 2260 codes instead of names)."""
    from matplotlib import font_manager

    path = str(cjk_font_path())
    try:
        font_manager.fontManager.addfont(path)
        return font_manager.FontProperties(fname=path).get_name()
    except (OSError, RuntimeError, ValueError):
        return None


_F = TypeVar("_F", bound=Callable[..., Any])


def _cjk_text(plot: _F) -> _F:
    """Draw every text of the returned figure with the CJK font (DejaVu Sans for the rest)."""

    @functools.wraps(plot)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        family = cjk_font()
        if not family:
            return plot(*args, **kwargs)
        import matplotlib
        from matplotlib.text import Text

        with matplotlib.rc_context({"font.family": [family, "DejaVu Sans"]}):  # texts made (and laid out) now
            fig = plot(*args, **kwargs)
        for text in fig.findobj(Text):
            text.set_fontfamily([family, "DejaVu Sans"])
        return fig

    return wrapper  # type: ignore[return-value]


def _figure(width: float = 6.0, height: float = 4.5) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


@_cjk_text
def plot_confusion(fig_data: Mapping[str, Any], title: str, top_k: int = 15) -> Any:
    """Confusion-matrix heat map (most frequent ``top_k`` gold labels, the rest pooled as "rest")."""
    labels = list(fig_data["labels"])
    cm = np.asarray(fig_data["confusion"], dtype=int)
    if len(labels) > top_k:
        keep = sorted(np.argsort(-cm.sum(axis=1), kind="stable")[:top_k])
        rest = [i for i in range(len(labels)) if i not in keep]
        small = np.zeros((top_k + 1, top_k + 1), dtype=int)
        pos = {old: new for new, old in enumerate(keep)}
        for i in range(len(labels)):
            for j in range(len(labels)):
                small[pos.get(i, top_k), pos.get(j, top_k)] += cm[i, j]
        cm, labels = small, [labels[i] for i in keep] + ["rest"]
        del rest
    names = [_display(lab) for lab in labels]
    size = max(4.5, 0.45 * len(names) + 2)
    fig = _figure(size + 1, size)
    ax = fig.add_subplot()
    ax.imshow(cm, cmap="Blues")
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            if cm[i, j]:
                ax.text(
                    j,
                    i,
                    str(cm[i, j]),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if cm[i, j] > cm.max() / 2 else "black",
                )
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    fig.tight_layout()
    return fig


@_cjk_text
def plot_reliability(cal: Mapping[str, Any]) -> Any:
    """Reliability curve (accuracy vs confidence per bin) and accuracy vs coverage."""
    fig = _figure(10, 4.5)
    ax1, ax2 = fig.subplots(1, 2)
    bins = [b for b in cal["bins"] if b["count"]]
    ax1.plot([0, 1], [0, 1], ls="--", color="grey", label="perfect")
    ax1.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], marker="o", label="model")
    for b in bins:
        ax1.annotate(
            str(b["count"]), (b["confidence"], b["accuracy"]), fontsize=7, xytext=(3, -9), textcoords="offset points"
        )
    ax1.set_xlabel("top-class probability")
    ax1.set_ylabel("accuracy")
    ax1.set_title(f"reliability (ECE {_fmt(cal['ece'])})")
    ax1.legend(loc="upper left")
    cov = [c for c in cal["coverage"] if c["accuracy"] == c["accuracy"]]
    ax2.plot([c["coverage"] for c in cov], [c["accuracy"] for c in cov], marker=".")
    ax2.set_xlabel("coverage (share of articles answered)")
    ax2.set_ylabel("accuracy on answered")
    ax2.set_title("abstaining below a confidence threshold")
    ax2.invert_xaxis()
    fig.tight_layout()
    return fig


@_cjk_text
def plot_learning_curve(rows: Sequence[Mapping[str, Any]]) -> Any:
    """Topic macro-F1 (± std over folds) and region accuracy against training-set size."""
    fig = _figure()
    ax = fig.add_subplot()
    x = [r["train_size"] for r in rows]
    y = np.array([r["topic_macro_f1"] for r in rows])
    sd = np.array([r["topic_macro_f1_std"] for r in rows])
    ax.plot(x, y, marker="o", label="topic macro-F1")
    ax.fill_between(x, y - sd, y + sd, alpha=0.2)
    if all(r["region_accuracy"] is not None for r in rows):
        ax.plot(x, [r["region_accuracy"] for r in rows], marker="s", label="region accuracy")
    ax.set_xlabel("training articles")
    ax.set_ylabel("score on held-out folds")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right")
    ax.set_title("learning curve")
    fig.tight_layout()
    return fig


@_cjk_text
def plot_robustness(rob: Mapping[str, Any]) -> Any:
    """Bars: the drop of topic macro-F1 and region accuracy from clean text, per perturbation."""
    fig = _figure(8, 4.5)
    ax = fig.add_subplot()
    clean = rob["clean"]
    names = list(rob["perturbations"])
    rows = list(rob["perturbations"].values())
    x = np.arange(len(names))
    series = [("topic_macro_f1", "topic macro-F1")]
    if "region_accuracy" in clean and all("region_accuracy" in r for r in rows):
        series.append(("region_accuracy", "region accuracy"))
    width = 0.8 / len(series)
    for k, (key, label) in enumerate(series):
        drops = [r[key] - clean[key] for r in rows]
        bars = ax.bar(x + (k - (len(series) - 1) / 2) * width, drops, width, label=f"{label} (clean {clean[key]:.3f})")
        ax.bar_label(bars, labels=[f"{d:+.3f}" for d in drops], fontsize=7, padding=2)
    ax.axhline(0, color="black", linewidth=0.8)
    low = min([0.0, *(r[key] - clean[key] for r in rows for key, _ in series)])
    ax.set_ylim(min(low * 1.3, -0.02), max(0.02, -low * 0.3))
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylabel("change from clean text")
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title("robustness: drop from clean text (same fold models, perturbed test text)")
    fig.tight_layout()
    return fig


@_cjk_text
def plot_region_counts(data: Mapping[str, Any]) -> Any:
    """Articles per region (GB/T 2260 codes; 000000 = national)."""
    counts = data["region_counts"]
    fig = _figure(max(6, 0.3 * len(counts) + 2), 4)
    ax = fig.add_subplot()
    names = [_display(r) for r in counts]
    ax.bar(range(len(names)), list(counts.values()))
    ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    ax.set_ylabel("articles")
    ax.set_title("articles per region" if cjk_font() else "articles per region (GB/T 2260 code)")
    fig.tight_layout()
    return fig


def report_figures(report: Mapping[str, Any]) -> dict[str, Any]:
    """The report's plots as matplotlib Figures, by PNG file name."""
    figs: dict[str, Any] = {"topic_confusion.png": plot_confusion(report["topic"], "topic")}
    if report.get("region"):
        figs["region_confusion.png"] = plot_confusion(
            report["region"], "region (top 15)" if cjk_font() else "region (top 15, GB/T 2260 codes)"
        )
    if report.get("calibration"):
        figs["reliability.png"] = plot_reliability(report["calibration"])
    if report.get("learning_curve"):
        figs["learning_curve.png"] = plot_learning_curve(report["learning_curve"])
    if report.get("robustness"):
        figs["robustness.png"] = plot_robustness(report["robustness"])
    figs["region_counts.png"] = plot_region_counts(report["data"])
    return figs


def _fmt(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if isinstance(x, float):
        return f"{x:.3f}"
    return str(x)


def _display(label: str) -> str:
    """Axis label: the name itself with a CJK font; else ASCII (topics as they are, regions as
    GB/T 2260 codes, other labels as a short code)."""
    if cjk_font():
        return label
    if label in PROVINCES:
        return PROVINCES[label]
    if label == NATIONAL:
        return NATIONAL_CODE
    return label if label.isascii() else f"?{zlib.crc32(label.encode()) % 1000:03d}"
