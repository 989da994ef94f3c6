"""Custom topic schemes built from a labeled corpus by rules, to try training on your own topics.

``six`` splits ``other`` into ``document`` (policy documents, notices, plans, lists: a
document number such as 〔2017〕 or 印发 / 通知 / 实施意见 / 规划 / 办法 / 公示 / 名单 in the
first 200 characters of the clean text), ``statistics`` (at least 8 counted quantities:
percentages, 所 / 个 / 万 / 人 ...) and ``other``, and keeps the three event topics.
``events`` has two topics: ``event`` (the three event topics) and ``other``.

Usage (writes JSONL outside the repository: never commit corpus text)::

    python scripts/topic_schemes.py six ../shared/corpus/dev.jsonl /tmp/six.jsonl
    classifier evaluate /tmp/six.jsonl --cv 5 --no-robustness --no-baselines --no-learning-curve
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from classifier.normalize import normalize

_DOCUMENT = re.compile(r"[〔\[]\d{4}[〕\]]|印发|通知|实施意见|实施方案|规划|办法|公示|名单")
_QUANTITY = re.compile(r"\d+(?:\.\d+)?\s*(?:%|个|所|万|亿|人|处|名|县|元)")
EVENTS = ("supervision_visit", "symposium", "progress_qa")


def six(record: dict[str, Any]) -> str:
    """The six-topic label of a record labeled with the default topics."""
    if record["topic"] != "other":
        return record["topic"]
    text = normalize(record["text"])
    if _DOCUMENT.search(text[:200]):
        return "document"
    if len(_QUANTITY.findall(text)) >= 8:
        return "statistics"
    return "other"


def events(record: dict[str, Any]) -> str:
    """``event`` for the three event topics, else ``other``."""
    return "event" if record["topic"] in EVENTS else "other"


SCHEMES: dict[str, Callable[[dict[str, Any]], str]] = {"six": six, "events": events}


def relabel(records: Iterable[dict[str, Any]], scheme: str) -> list[dict[str, Any]]:
    """Copies of ``records`` with the topic of ``scheme``."""
    rule = SCHEMES[scheme]
    return [{**r, "topic": rule(r)} for r in records]


def main(argv: list[str]) -> None:
    if len(argv) != 3 or argv[0] not in SCHEMES:
        sys.exit(f"usage: topic_schemes.py {{{','.join(SCHEMES)}}} IN.jsonl OUT.jsonl")
    scheme, src, out = argv
    with open(src, encoding="utf-8") as f:
        records = relabel((json.loads(line) for line in f if line.strip()), scheme)
    Path(out).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    print(f"{out}: {len(records)} articles, {dict(Counter(r['topic'] for r in records))}")


if __name__ == "__main__":
    main(sys.argv[1:])
