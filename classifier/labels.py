"""The label sets, label and output fields, a labeled record and the one label check: defined
here once, imported everywhere else."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from .errors import InputError

#: The default topic set (the seed task and the shipped model), in the order used for
#: probability vectors. A model trained on other labels records its own set (``classes_``,
#: metadata ``topics``); code that handles predictions uses the model's set, never this one.
DEFAULT_TOPICS: tuple[str, ...] = ("supervision_visit", "symposium", "progress_qa", "other")
#: Alias of ``DEFAULT_TOPICS`` (the name before custom topic sets).
TOPICS = DEFAULT_TOPICS
#: Longest topic label accepted.
MAX_TOPIC_LENGTH = 64

#: Region label for national pieces.
NATIONAL = "全国"
#: Code written for ``NATIONAL`` in ``region_code`` (GB/T 2260 has none for the country).
NATIONAL_CODE = "000000"

#: Province-level divisions: official full name -> GB/T 2260 code.
PROVINCES = MappingProxyType(
    {
        "北京市": "110000",
        "天津市": "120000",
        "河北省": "130000",
        "山西省": "140000",
        "内蒙古自治区": "150000",
        "辽宁省": "210000",
        "吉林省": "220000",
        "黑龙江省": "230000",
        "上海市": "310000",
        "江苏省": "320000",
        "浙江省": "330000",
        "安徽省": "340000",
        "福建省": "350000",
        "江西省": "360000",
        "山东省": "370000",
        "河南省": "410000",
        "湖北省": "420000",
        "湖南省": "430000",
        "广东省": "440000",
        "广西壮族自治区": "450000",
        "海南省": "460000",
        "重庆市": "500000",
        "四川省": "510000",
        "贵州省": "520000",
        "云南省": "530000",
        "西藏自治区": "540000",
        "陕西省": "610000",
        "甘肃省": "620000",
        "青海省": "630000",
        "宁夏回族自治区": "640000",
        "新疆维吾尔自治区": "650000",
        "台湾省": "710000",
        "香港特别行政区": "810000",
        "澳门特别行政区": "820000",
    }
)

#: Province-level divisions: GB/T 2260 code -> official full name (``PROVINCES`` inverted).
PROVINCE_NAMES = MappingProxyType({code: name for name, code in PROVINCES.items()})

#: Every valid ``region`` value.
REGIONS: tuple[str, ...] = (*PROVINCES, NATIONAL)

#: Region fields of a prediction record, filled by ``classifier.region``.
REGION_FIELDS: tuple[str, ...] = ("region", "region_code", "city", "city_code", "county", "county_code")

#: Field of a prediction record holding the probability of each topic ({topic: p}).
TOPIC_PROBA = "topic_proba"

#: Field of a prediction record holding the page's headline ("" when it has none), by ``classifier.events``.
TITLE_FIELD = "title"
#: Field of a prediction record holding the reported event's date (ISO, LABELING.md "Date"); also the
#: optional label column of labeled data.
DATE_FIELD = "date"
#: Event fields of a prediction record.
EVENT_FIELDS: tuple[str, ...] = (TITLE_FIELD, DATE_FIELD)
#: A ``date`` label or prediction: ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``, ``--MM-DD`` or "" (no date).
ISO_DATE = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d\d)(?:-\d\d)?)?|--(?P<day_month>\d\d)-\d\d|")

#: Fields of one prediction record, in output order (pass-through columns come first, ``error`` last).
PREDICTION_FIELDS: tuple[str, ...] = ("topic", TOPIC_PROBA, *REGION_FIELDS, *EVENT_FIELDS)

#: Field a batch run adds after the prediction: "" for the first copy of an article in the
#: input, else the id of that first copy (``classifier.events``; ``predict --no-dedup`` omits it).
DUPLICATE_FIELD = "duplicate_of"

#: Fields a batch run writes after the input's columns, in output order (``error`` last).
OUTPUT_FIELDS: tuple[str, ...] = (*PREDICTION_FIELDS, DUPLICATE_FIELD)

#: Label fields of a labeled record, in order; ``topic`` and ``region`` are required.
LABEL_FIELDS: tuple[str, ...] = ("topic", "region", "city", "county")

#: Column holding the article text in JSONL / CSV / Parquet input.
TEXT_COLUMN = "text"
#: Column holding a per-record failure in batch output.
ERROR_FIELD = "error"


class LabeledRecord(NamedTuple):
    """The labels of one article (``city`` and ``county`` are '' when not labeled)."""

    topic: str
    region: str
    city: str = ""
    county: str = ""


def check_region(region: Any, where: str) -> str:
    """``region`` when it is one of ``REGIONS``, else an InputError naming ``where``."""
    if region not in REGIONS:
        raise InputError(
            f"{where}: unknown region {region!r}{_did_you_mean(region, REGIONS)} "
            "(expected a province-level full name such as 江苏省, or 全国)"
        )
    return region


def _did_you_mean(value: Any, choices: Iterable[str]) -> str:
    """``; did you mean 'X'?`` for the closest of ``choices`` (difflib), or ''."""
    import difflib

    if not isinstance(value, str) or not value:
        return ""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.5)
    if not close:  # a short form: 江苏 -> 江苏省, 广西 -> 广西壮族自治区
        close = [c for c in choices if c.startswith(value)][:1]
    return f"; did you mean {close[0]!r}?" if close else ""


def _missing(value: Any) -> bool:
    """None, or a float NaN (a missing cell of a data frame)."""
    return value is None or (isinstance(value, float) and value != value)


def order_topics(labels: Iterable[str]) -> tuple[str, ...]:
    """The distinct ``labels`` in column order: default topics first (in ``DEFAULT_TOPICS``
    order), then any other label, sorted.

    Examples
    --------
    >>> order_topics(["statistics", "other", "symposium", "other"])
    ('symposium', 'other', 'statistics')
    """
    present = set(labels)
    return tuple(t for t in DEFAULT_TOPICS if t in present) + tuple(sorted(present - set(DEFAULT_TOPICS)))


def check_topic_name(name: str, where: str) -> str:
    """``name`` when it can be a topic label (1 to ``MAX_TOPIC_LENGTH`` characters, no comma or
    line break), else an InputError naming ``where``."""
    if not name or len(name) > MAX_TOPIC_LENGTH or any(c in name for c in ",\r\n") or name != name.strip():
        raise InputError(
            f"{where}: bad topic name {name!r} (1-{MAX_TOPIC_LENGTH} characters, no commas or surrounding spaces)"
        )
    return name


def parse_topics(spec: str | Iterable[str], where: str = "topics") -> tuple[str, ...]:
    """A declared topic set (``"a,b,c"`` or a sequence of names), checked: names non-empty,
    at most ``MAX_TOPIC_LENGTH`` characters, without commas or line breaks, no repeats, at least 2.

    Examples
    --------
    >>> parse_topics("events, other")
    ('events', 'other')
    """
    names = [check_topic_name(t.strip(), where) for t in (spec.split(",") if isinstance(spec, str) else spec)]
    repeated = sorted({t for t in names if names.count(t) > 1})
    if repeated:
        raise InputError(f"{where}: topic(s) named twice: {', '.join(repeated)}")
    if len(names) < 2:
        raise InputError(f"{where}: need at least 2 topics, got {names}")
    return tuple(names)


def check_label(
    item: Any,
    where: str,
    *,
    known: bool = True,
    topics: Sequence[str] | None = None,
    topic_field: str = "topic",
) -> LabeledRecord:
    """The labels of one record, checked: the one label check of the package.

    Parameters
    ----------
    item : mapping or sequence
        A mapping with ``topic`` and ``region`` (``city`` and ``county`` optional; None or
        NaN for ''), or a row of ``LABEL_FIELDS`` values in order.
    where : str
        Names the record in error messages (``file:line``, ``y[3]`` ...).
    known : bool, default True
        Require ``region`` in ``REGIONS`` and ``topic`` in ``topics`` (False lets an estimator
        learn other label sets).
    topics : sequence of str or None, default None
        The topic set ``known`` checks against; None: ``DEFAULT_TOPICS``. Pass the labels of
        the data (``frozenset`` of any strings is fine) to learn a custom set.
    topic_field : str, default "topic"
        The key (of a mapping) holding the topic, e.g. ``corrected_topic`` in a prediction
        file corrected by hand, whose ``topic`` is the predicted one.

    Returns
    -------
    LabeledRecord
        Strings with surrounding white space removed from ``city`` and ``county``.

    Raises
    ------
    InputError
        Naming ``where`` and the field: a missing topic or region, a value that is not a
        string, or (with ``known``) a topic or region outside the label sets.

    Examples
    --------
    >>> check_label({"topic": "symposium", "region": "江苏省", "city": " 镇江市 "}, "row 1")
    LabeledRecord(topic='symposium', region='江苏省', city='镇江市', county='')
    """
    if isinstance(item, Mapping):
        values = {k: item.get(topic_field if k == "topic" else k) for k in LABEL_FIELDS}
    elif isinstance(item, (str, bytes)) or not isinstance(item, Iterable):
        raise InputError(f"{where}: expected a dict with topic and region, got {item!r}")
    else:
        values = dict(zip(LABEL_FIELDS, item))
    values = {k: None if _missing(v) else v for k, v in values.items()}
    names = {"topic": topic_field}
    for field in ("topic", "region"):
        if values.get(field) in (None, ""):
            raise InputError(
                f"{where}: missing {names.get(field, field)!r} (topic and region are required), got {values}"
            )
    out = []
    for field in LABEL_FIELDS:
        value = values.get(field)
        if value is None:
            value = ""
        elif not isinstance(value, str):
            raise InputError(f"{where}: {names.get(field, field)!r} is {type(value).__name__}, not a string")
        out.append(value.strip() if field in ("city", "county") else value)
    label = LabeledRecord(*out)
    if topic_field != "topic":  # a hand-typed column: surrounding spaces are not part of the label
        label = label._replace(topic=label.topic.strip())
    if known:
        allowed = DEFAULT_TOPICS if topics is None else topics
        if label.topic not in allowed:
            shown = ", ".join(allowed) if not isinstance(allowed, (set, frozenset)) else ", ".join(sorted(allowed))
            raise InputError(
                f"{where}: unknown topic {label.topic!r}{_did_you_mean(label.topic, list(allowed))} "
                f"(expected one of {shown})"
            )
        check_region(label.region, where)
    return label


def check_date(value: Any, where: str) -> str:
    """A ``date`` label as LABELING.md writes it (ISO, see ``ISO_DATE``), else an InputError naming ``where``.

    Examples
    --------
    >>> check_date(" --04-13 ", "row 1")
    '--04-13'
    """
    if not isinstance(value, str):
        raise InputError(f"{where}: 'date' is {type(value).__name__}, not a string")
    value = value.strip()
    if ISO_DATE.fullmatch(value) is None:
        raise InputError(
            f"{where}: date {value!r} is not an ISO date (YYYY-MM-DD, YYYY-MM, YYYY, --MM-DD, or '' for no date)"
        )
    return value
