"""The label sets, label and output fields, a labeled record and the one label check: defined
here once, imported everywhere else."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from .errors import InputError

#: Topic labels, in the order used for probability vectors.
TOPICS: tuple[str, ...] = ("supervision_visit", "symposium", "progress_qa", "other")

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


def check_label(item: Any, where: str, *, known: bool = True) -> LabeledRecord:
    """The labels of one record, checked: the one label check of the package.

    Parameters
    ----------
    item : mapping or sequence
        A mapping with ``topic`` and ``region`` (``city`` and ``county`` optional; None or
        NaN for ''), or a row of ``LABEL_FIELDS`` values in order.
    where : str
        Names the record in error messages (``file:line``, ``y[3]`` ...).
    known : bool, default True
        Require ``topic`` in ``TOPICS`` and ``region`` in ``REGIONS`` (False lets an estimator
        learn other label sets).

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
        values = {k: item.get(k) for k in LABEL_FIELDS}
    elif isinstance(item, (str, bytes)) or not isinstance(item, Iterable):
        raise InputError(f"{where}: expected a dict with topic and region, got {item!r}")
    else:
        values = dict(zip(LABEL_FIELDS, item))
    values = {k: None if _missing(v) else v for k, v in values.items()}
    for field in ("topic", "region"):
        if values.get(field) in (None, ""):
            raise InputError(f"{where}: missing {field!r} (topic and region are required), got {values}")
    out = []
    for field in LABEL_FIELDS:
        value = values.get(field)
        if value is None:
            value = ""
        elif not isinstance(value, str):
            raise InputError(f"{where}: {field!r} is {type(value).__name__}, not a string")
        out.append(value.strip() if field in ("city", "county") else value)
    label = LabeledRecord(*out)
    if known:
        if label.topic not in TOPICS:
            raise InputError(
                f"{where}: unknown topic {label.topic!r}{_did_you_mean(label.topic, TOPICS)} "
                f"(expected one of {', '.join(TOPICS)})"
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
