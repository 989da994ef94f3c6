"""Prediction records → events and their counts, in one streaming pass."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

from ..labels import ERROR_FIELD, NATIONAL, NATIONAL_CODE, PROVINCE_NAMES

#: A prediction is *low confidence* when the probability of its topic is below this.
LOW_CONFIDENCE = 0.5

#: Label shown for an empty region, city or county, or a date without a year.
UNKNOWN = ""

_PROVINCES_BY_CODE = {**PROVINCE_NAMES, NATIONAL_CODE: NATIONAL}


class Event(NamedTuple):
    """One event: the first copy of an article in the input (its ``duplicate_of`` is empty)."""

    id: str
    date: str
    year: str
    region: str
    region_code: str
    city: str
    city_code: str
    county: str
    county_code: str
    topic: str
    confidence: float
    title: str
    url: str

    @property
    def low_confidence(self) -> bool:
        """Whether the topic's probability is below :data:`LOW_CONFIDENCE`."""
        return self.confidence < LOW_CONFIDENCE


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from a dataframe
        return ""
    return value if isinstance(value, str) else str(value)


def year_of(date: str) -> str:
    """The year of an ISO date (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY``), else ``""`` (``--MM-DD``, empty)."""
    head = date[:4]
    return head if len(head) == 4 and head.isdigit() else ""


def _proba(value: Any) -> dict[str, float]:
    if isinstance(value, str) and value:
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    if not isinstance(value, Mapping):
        return {}
    out = {}
    for key, p in value.items():
        try:
            out[str(key)] = float(p)
        except (TypeError, ValueError):
            continue
    return out


def to_event(record: Mapping[str, Any]) -> tuple[Event, dict[str, float]]:
    """The event of a prediction record (missing fields empty) and its topic probabilities."""
    proba = _proba(record.get("topic_proba"))
    topic = _text(record.get("topic"))
    if not topic and proba:
        topic = max(proba, key=lambda t: proba[t])
    confidence = proba.get(topic, max(proba.values(), default=0.0))
    region, region_code = _text(record.get("region")), _text(record.get("region_code"))
    if not region and region_code:
        region = _PROVINCES_BY_CODE.get(region_code, region_code)
    date = _text(record.get("date"))
    event = Event(
        id=_text(record.get("id")),
        date=date,
        year=year_of(date),
        region=region,
        region_code=region_code,
        city=_text(record.get("city")),
        city_code=_text(record.get("city_code")),
        county=_text(record.get("county")),
        county_code=_text(record.get("county_code")),
        topic=topic,
        confidence=confidence,
        title=_text(record.get("title")),
        url=_text(record.get("url")),
    )
    return event, proba


@dataclass
class Aggregates:
    """Counts over the events of a prediction stream (mirror copies counted once).

    ``by_region_topic[(region, topic)]``, ``by_year_topic[(year, topic)]`` (year ``""`` when the
    date has none), ``cities[(region, city)]``, ``counties[(region, city, county)]`` count events;
    ``duplicate_targets[id]`` counts the copies of an event (see :meth:`copies_of`); ``orphans`` is the
    number of copies whose event is not in the input (set by :func:`build_report`, which reads the
    events twice).
    """

    records: int = 0
    errors: int = 0
    events: int = 0
    duplicates: int = 0
    low_confidence: int = 0
    orphans: int = 0
    topics: dict[str, None] = field(default_factory=dict)
    by_region_topic: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_year_topic: Counter[tuple[str, str]] = field(default_factory=Counter)
    cities: Counter[tuple[str, str]] = field(default_factory=Counter)
    counties: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    duplicate_targets: Counter[str] = field(default_factory=Counter)
    #: Every character of the events' names and titles (the page embeds a font for them).
    characters: set[str] = field(default_factory=set)

    def copies_of(self, event_id: str) -> int:
        """Number of records of an event: 1 + the records whose ``duplicate_of`` is its id."""
        return 1 + self.duplicate_targets.get(event_id, 0)

    @property
    def topic_list(self) -> list[str]:
        """The topics seen in the data (``topic_proba`` keys and ``topic`` values), in first-seen order."""
        return list(self.topics)

    def region_totals(self) -> Counter[str]:
        """Events per region."""
        out: Counter[str] = Counter()
        for (region, _), n in self.by_region_topic.items():
            out[region] += n
        return out

    def year_totals(self) -> Counter[str]:
        """Events per year."""
        out: Counter[str] = Counter()
        for (year, _), n in self.by_year_topic.items():
            out[year] += n
        return out

    def topic_totals(self) -> Counter[str]:
        """Events per topic."""
        out: Counter[str] = Counter()
        for (_, topic), n in self.by_region_topic.items():
            out[topic] += n
        return out


def is_error(record: Mapping[str, Any]) -> bool:
    """Whether a record is a failure (a non-empty ``error`` field)."""
    value = record.get(ERROR_FIELD)
    return bool(value) and not (isinstance(value, float) and value != value)


class EventStream:
    """Feed prediction records one by one; keeps counts, not records.

    Each event is yielded by :meth:`add` (``None`` for copies and error records) so a caller
    can spool it; :attr:`aggregates` holds the counts.
    """

    def __init__(self) -> None:
        self.aggregates = Aggregates()

    def add(self, record: Mapping[str, Any]) -> Event | None:
        """Count one record; return its event when it is one."""
        agg = self.aggregates
        agg.records += 1
        if is_error(record):
            agg.errors += 1
            return None
        event, proba = to_event(record)
        agg.topics.update(dict.fromkeys(proba))
        if event.topic:
            agg.topics.setdefault(event.topic, None)
        target = _text(record.get("duplicate_of"))
        if target:
            agg.duplicates += 1
            agg.duplicate_targets[target] += 1
            return None
        agg.events += 1
        agg.characters.update(event.title, event.region, event.city, event.county, event.topic)
        agg.low_confidence += event.low_confidence
        agg.by_region_topic[(event.region, event.topic)] += 1
        agg.by_year_topic[(event.year, event.topic)] += 1
        if event.city:
            agg.cities[(event.region, event.city)] += 1
        if event.county:
            agg.counties[(event.region, event.city, event.county)] += 1
        return event


def aggregate(records: Iterable[Mapping[str, Any]]) -> Aggregates:
    """Count the events of prediction records (see :class:`Aggregates`)."""
    stream = EventStream()
    for rec in records:
        stream.add(rec)
    return stream.aggregates


# A spool of events: one JSON array per line in a temporary file, read back in order.


def spool_event(fh: IO[str], event: Event) -> None:
    """Append an event to a spool file."""
    fh.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
    fh.write("\n")


def read_spool(fh: IO[str]) -> Iterator[Event]:
    """The events of a spool file, from its start."""
    fh.seek(0)
    for line in fh:
        yield Event(*json.loads(line))
