"""The report as terminal summary, Markdown and JSON files."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ._plots import _display, _fmt, report_figures


def _ci(pair: Sequence[float] | None) -> str:
    return f"[{_fmt(pair[0])}, {_fmt(pair[1])}]" if pair else ""


def _per_class_table(fig: Mapping[str, Any], md: bool) -> list[str]:
    head = ["label", "precision", "recall", "f1", "support"]
    rows = [
        [lab, _fmt(v["precision"]), _fmt(v["recall"]), _fmt(v["f1"]), str(v["support"])]
        for lab, v in fig["per_class"].items()
    ]
    return _table(head, rows, md)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], md: bool) -> list[str]:
    if md:
        cell = lambda c: str(c).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")  # noqa: E731
        return ["| " + " | ".join(map(cell, head)) + " |", "|" + "---|" * len(head)] + [
            "| " + " | ".join(map(cell, r)) + " |" for r in rows
        ]
    widths = [max(_width(str(c)) for c in col) for col in zip(head, *rows)]
    fmt = lambda r: "  ".join(str(c) + " " * (w - _width(str(c))) for c, w in zip(r, widths))  # noqa: E731
    return [fmt(head)] + [fmt(r) for r in rows]


def _width(s: str) -> int:
    return sum(2 if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in s)


def _confusion_table(fig: Mapping[str, Any], md: bool, max_labels: int = 12) -> list[str]:
    labels = fig["labels"]
    cm = np.asarray(fig["confusion"])
    if len(labels) > max_labels:
        return [f"({len(labels)} labels: see the confusion PNG / report.json)"]
    short = [_display(lab) for lab in labels]
    head = ["gold \\ pred", *short]
    rows = [[short[i], *[str(v) for v in cm[i]]] for i in range(len(labels))]
    return _table(head, rows, md)


def _headline(name: str, fig: Mapping[str, Any] | None) -> str:
    if not fig:
        return f"{name}: -"
    line = f"{name}: accuracy {_fmt(fig['accuracy'])} {_ci(fig['accuracy_ci'])}"
    if "macro_f1" in fig:
        line += f"  macro-F1 {_fmt(fig['macro_f1'])} {_ci(fig['macro_f1_ci'])}"
    return line + f"  (n={fig['n']})"


def _date_headline(fig: Mapping[str, Any]) -> str:
    return (
        f"date  : exact {_fmt(fig['exact'])}  year-month {_fmt(fig['year_month'])}  (n={fig['n_dated']} with a date)"
        f"  no date right {_fmt(fig['no_date'])}  (n={fig['n_undated']} without)"
    )


def _md_date(report: Mapping[str, Any], limit: int = 40) -> list[str]:
    fig = report.get("date")
    if not fig:
        return []
    out = [
        "## Date",
        "",
        "The reported event's date (LABELING.md, section Date): exact agreement and year-month agreement over",
        "articles whose label gives a date, and the share of articles labeled without a date that got none.",
        "",
        *_table(
            ["figure", "value", "articles"],
            [
                ["exact", _fmt(fig["exact"]), str(fig["n_dated"])],
                ["year-month", _fmt(fig["year_month"]), str(fig["n_dated"])],
                ["no date right", _fmt(fig["no_date"]), str(fig["n_undated"])],
            ],
            True,
        ),
        "",
    ]
    if fig.get("errors"):
        out += [
            "Disagreements:",
            "",
            *_table(
                ["id", "gold", "predicted"], [[e["id"], e["gold"], e["pred"]] for e in fig["errors"][:limit]], True
            ),
            "",
        ]
    return out


def format_summary(report: Mapping[str, Any]) -> str:
    """What the terminal shows: headline figures with 95% intervals, per-class table, confusion matrix."""
    setup = report["setup"]
    mode = {
        "cv": f"grouped {setup['n_splits']}-fold cross-validation",
        "holdout": f"model {setup['model']}",
        "train_test": "train on A, test on B",
    }[setup["mode"]]
    sources = f" ({', '.join(setup['sources'])})" if setup.get("sources") else ""
    lines = [
        f"{report['data']['n_articles']} articles{sources}; {mode}; 95% bootstrap intervals",
        "",
        _headline("topic ", report["topic"]),
        _headline("region", report["region"]),
    ]
    for field in ("city", "county"):
        if report.get(field) and report[field]["n"]:
            lines.append(_headline(f"{field:6s}", report[field]))
    if report.get("date"):
        lines.append(_date_headline(report["date"]))
    if report.get("calibration"):
        lines.append(f"topic expected calibration error {_fmt(report['calibration']['ece'])}")
    lines += [
        "",
        "topic per class:",
        *_per_class_table(report["topic"], False),
        "",
        "topic confusion (rows gold, columns predicted):",
        *_confusion_table(report["topic"], False),
    ]
    if report.get("baselines"):
        lines += ["", "baselines on the same folds:" if setup["mode"] == "cv" else "baselines on the same articles:"]
        for name, b in report["baselines"].items():
            lines.append("  " + _headline(f"{name} topic", b["topic"]))
            if b.get("region"):
                lines.append("  " + _headline(f"{name} region", b["region"]))
    if report.get("robustness"):
        rob = report["robustness"]
        lines += ["", "robustness (drop in topic macro-F1 / region accuracy):"]
        for name, s in rob["perturbations"].items():
            drops = f"{_fmt(s['topic_macro_f1_drop']):>7s} / {_fmt(s.get('region_accuracy_drop')):>7s}"
            lines.append(f"  {name:16s} {drops}")
    if report.get("seed_loo"):
        for name, loo in report["seed_loo"].items():
            lines.append(
                f"seed LOO ({name}): topic {_fmt(loo['topic_accuracy'])}, region "
                f"{_fmt(loo['region_accuracy'])} over {loo['n']} seeds"
                + (f"  [{loo['error']}]" if loo["error"] else "")
            )
    return "\n".join(lines)


def _atomic_write_text(path: Path, text: str) -> None:
    from ..io import atomic_write

    with atomic_write(path, "w") as fh:
        fh.write(text)


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, float) and math.isnan(obj):
        return None
    if isinstance(obj, Mapping):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return _json_safe(float(obj))
    return obj


def _md_data(report: Mapping[str, Any]) -> list[str]:
    data = report["data"]
    return [
        "## Data",
        "",
        f"{data['n_articles']} articles in {data['n_groups']} near-duplicate groups; "
        f"{len(data['duplicate_groups'])} groups hold more than one article.",
        "",
        *_table(["topic", "articles"], [[k, str(v)] for k, v in data["topic_counts"].items()], True),
        "",
        *_table(
            ["region", "code", "articles"], [[k, _display(k), str(v)] for k, v in data["region_counts"].items()], True
        ),
        "",
        "![articles per region](region_counts.png)",
        "",
    ]


def _md_labels(report: Mapping[str, Any], field: str) -> list[str]:
    fig = report.get(field)
    if not fig:
        return []
    out = [f"## {field.capitalize()}", "", _headline(field, fig), "", *_per_class_table(fig, True), ""]
    if len(fig["labels"]) <= 12:
        out += ["Confusion (rows gold, columns predicted):", "", *_confusion_table(fig, True), ""]
    out += [f"![{field} confusion]({field}_confusion.png)", ""]
    if field == "region":
        for sub in ("city", "county"):
            if report.get(sub) and report[sub]["n"]:
                out += [f"{sub.capitalize()} (where labeled): " + _headline(sub, report[sub]), ""]
    return out


def _md_calibration(report: Mapping[str, Any]) -> list[str]:
    cal = report.get("calibration")
    if not cal:
        return []
    return [
        "## Calibration",
        "",
        f"Expected calibration error of the top topic probability: {_fmt(cal['ece'])}",
        "",
        *_table(
            ["bin", "count", "mean confidence", "accuracy"],
            [
                [f"{b['lower']:.1f}-{b['upper']:.1f}", str(b["count"]), _fmt(b["confidence"]), _fmt(b["accuracy"])]
                for b in cal["bins"]
                if b["count"]
            ],
            True,
        ),
        "",
        "Abstaining below a confidence threshold:",
        "",
        *_table(
            ["threshold", "coverage", "accuracy"],
            [[f"{c['threshold']:.2f}", _fmt(c["coverage"]), _fmt(c["accuracy"])] for c in cal["coverage"][::2]],
            True,
        ),
        "",
        "![reliability](reliability.png)",
        "",
    ]


def _md_baselines(report: Mapping[str, Any]) -> list[str]:
    if not report.get("baselines"):
        return []
    rows = [
        [
            "this model",
            _fmt(report["topic"]["accuracy"]),
            _fmt(report["topic"]["macro_f1"]),
            _ci(report["topic"]["macro_f1_ci"]),
            _fmt((report.get("region") or {}).get("accuracy")),
        ]
    ]
    rows += [
        [
            name,
            _fmt(b["topic"]["accuracy"]),
            _fmt(b["topic"]["macro_f1"]),
            _ci(b["topic"]["macro_f1_ci"]),
            _fmt((b.get("region") or {}).get("accuracy")),
        ]
        for name, b in report["baselines"].items()
    ]
    return [
        "## Baselines (same folds)",
        "",
        *_table(["model", "topic accuracy", "topic macro-F1", "95% interval", "region accuracy"], rows, True),
        "",
    ]


def _md_robustness(report: Mapping[str, Any]) -> list[str]:
    rob = report.get("robustness")
    if not rob:
        return []
    rows = [["clean", _fmt(rob["clean"]["topic_macro_f1"]), "", _fmt(rob["clean"].get("region_accuracy")), ""]]
    rows += [
        [
            name,
            _fmt(s["topic_macro_f1"]),
            _fmt(s["topic_macro_f1_drop"]),
            _fmt(s.get("region_accuracy")),
            _fmt(s.get("region_accuracy_drop")),
        ]
        for name, s in rob["perturbations"].items()
    ]
    return [
        "## Robustness (same fold models, perturbed test text)",
        "",
        *_table(["text", "topic macro-F1", "drop", "region accuracy", "drop"], rows, True),
        "",
        "![robustness](robustness.png)",
        "",
    ]


def _md_learning_curve(report: Mapping[str, Any]) -> list[str]:
    if not report.get("learning_curve"):
        return []
    return [
        "## Learning curve",
        "",
        *_table(
            ["training articles", "topic macro-F1", "std", "region accuracy", "folds"],
            [
                [
                    str(r["train_size"]),
                    _fmt(r["topic_macro_f1"]),
                    _fmt(r["topic_macro_f1_std"]),
                    _fmt(r["region_accuracy"]),
                    str(r["n_folds"]),
                ]
                for r in report["learning_curve"]
            ],
            True,
        ),
        "",
        "![learning curve](learning_curve.png)",
        "",
    ]


def _md_seed_loo(report: Mapping[str, Any]) -> list[str]:
    if not report.get("seed_loo"):
        return []
    out = ["## Seed articles, leave-one-out", ""]
    for name, loo in report["seed_loo"].items():
        out += [
            f"**{name}**: topic accuracy {_fmt(loo['topic_accuracy'])}, region accuracy "
            f"{_fmt(loo['region_accuracy'])}" + (f" (stopped: {loo['error']})" if loo["error"] else ""),
            "",
        ]
        if loo["rows"]:
            out += [
                *_table(
                    [
                        "seed",
                        "gold topic",
                        "pred topic",
                        "gold region",
                        "pred region",
                        "gold city",
                        "pred city",
                        "confidence",
                    ],
                    [
                        [
                            r["id"],
                            r["gold_topic"],
                            r["pred_topic"],
                            r["gold_region"],
                            r["pred_region"],
                            r["gold_city"],
                            r["pred_city"],
                            _fmt(r["confidence"]),
                        ]
                        for r in loo["rows"]
                    ],
                    True,
                ),
                "",
            ]
    return out


def _md_errors(report: Mapping[str, Any], limit: int = 40) -> list[str]:
    if not report.get("errors"):
        return []
    return [
        "## Errors (most confident first)",
        "",
        *_table(
            ["id", "gold topic", "pred topic", "gold region", "pred region", "confidence", "topic terms"],
            [
                [
                    e["id"],
                    e["gold_topic"],
                    e["pred_topic"],
                    e["gold_region"],
                    e["pred_region"],
                    _fmt(e["confidence"]),
                    " ".join(e["evidence"].get("topic_terms", [])[:5]),
                ]
                for e in report["errors"][:limit]
            ],
            True,
        ),
        "",
    ]


#: Sections of :func:`markdown_section`, in report order.
SECTIONS: tuple[str, ...] = (
    "data",
    "topic",
    "region",
    "date",
    "calibration",
    "baselines",
    "robustness",
    "learning_curve",
    "seed_loo",
    "errors",
)


def markdown_section(report: Mapping[str, Any], section: str, images: bool = True) -> str:
    """One section of the Markdown report ("" when the report lacks it); names in ``SECTIONS``.

    ``images=False`` leaves out the links to the PNG files (for a notebook, which shows the plots).
    """
    makers: dict[str, Callable[[Mapping[str, Any]], list[str]]] = {
        "data": _md_data,
        "topic": lambda r: _md_labels(r, "topic"),
        "region": lambda r: _md_labels(r, "region"),
        "date": _md_date,
        "calibration": _md_calibration,
        "baselines": _md_baselines,
        "robustness": _md_robustness,
        "learning_curve": _md_learning_curve,
        "seed_loo": _md_seed_loo,
        "errors": _md_errors,
    }
    if section not in makers:
        raise InputError(f"markdown_section: unknown section {section!r}; expected one of {', '.join(SECTIONS)}")
    lines = makers[section](report)
    if not images:
        lines = [line for line in lines if not line.startswith("![")]
    return "\n".join(lines)


def format_markdown(report: Mapping[str, Any]) -> str:
    """The whole report as Markdown (summary, then every section with its tables and plots)."""
    parts = ["# Evaluation report", "", "```", format_summary(report), "```", ""]
    parts += [markdown_section(report, name) for name in SECTIONS]
    return "\n".join(p for p in parts if p is not None)


def write_report(report: Mapping[str, Any], out_dir: str | Path) -> dict[str, Path]:
    """Write report.json, report.md and the PNG plots to ``out_dir``; return the paths by name."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create the report folder ({exc.strerror})") from None
    paths = {"report.json": out / "report.json", "report.md": out / "report.md"}
    _atomic_write_text(paths["report.json"], json.dumps(_json_safe(report), ensure_ascii=False, indent=2) + "\n")
    _atomic_write_text(paths["report.md"], format_markdown(report) + "\n")
    for name, fig in report_figures(report).items():
        fig.savefig(out / name)
        paths[name] = out / name
    return paths
