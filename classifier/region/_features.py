"""Province-agnostic features of each candidate region (mentioned provinces, then 全国)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ..labels import NATIONAL_CODE
from ._matching import (
    _BEIJING,
    _LEAD_CHARS,
    _LOCAL_CUES,
    _NATIONAL_PRESS,
    _TAIL_SHARE,
    _TITLE_CHARS,
    _VENUE_AFTER,
    _VENUE_BEFORE,
    Mention,
    _in_list,
    _local_media,
    _place_lists,
    national_cues,
)


def _title_end(text: str) -> int:
    nl = text.find("\n", 1)
    return min(nl if nl > 0 else len(text), _TITLE_CHARS)


#: The features of a candidate region, in the column order of the ranker's weights; a model
#: file records them and is refused when they differ. Features 0-10, 21 and 22 describe a
#: mentioned province, 11-20 and 23 the 全国 candidate (zero for the other kind of candidate).
FEATURE_NAMES: tuple[str, ...] = (
    "log_plain_mentions",
    "plain_mention_share",
    "in_title",
    "in_lead",
    "first_position",
    "log_plain_subdivisions",
    "full_province_name",
    "log_org_mentions",
    "most_mentioned",
    "venue",
    "tail_share",
    "national",
    "log_national_cues",
    "log_provinces",
    "top_province_share",
    "no_province",
    "national_cue_in_lead",
    "log_plain_mentions_all",
    "log_org_mentions_all",
    "national_cue_in_title",
    "log_local_cues",
    "most_mentioned_local",
    "listed_share",
    "national_press",
    "log_strong_mentions",
    "full_subdivision_in_lead",
)
_N_FEATURES = len(FEATURE_NAMES)
_COL = {name: i for i, name in enumerate(FEATURE_NAMES)}


def candidate_features(text: str, mentions: Sequence[Mention]) -> tuple[list[str], np.ndarray]:
    """Candidate region codes (provinces mentioned, then 全国) and their feature rows."""
    return _candidate_features(text, mentions, len(_LOCAL_CUES.findall(text)))


def _candidate_features(text: str, mentions: Sequence[Mention], local: int) -> tuple[list[str], np.ndarray]:
    """``candidate_features`` given the number of local cues of ``text``."""
    n = max(len(text), 1)
    title, lead, tail = _title_end(text), _LEAD_CHARS, n * (1 - _TAIL_SHARE)
    mentions = _local_media(text, mentions, local)
    # A place that opens a list of more places than it names (天津市和平区等188个县) stands for
    # the list: a national list of counties that passed places the piece nowhere.
    mentions = [
        replace(m, org=True) if many and not m.org else m
        for m, (_, many) in zip(mentions, _place_lists(text, mentions))
    ]
    press = bool(_NATIONAL_PRESS.search(text))
    if press:
        # Beijing is the seat of the national bodies: at their routine press events (a ministry
        # press conference, the 两会 venues) its name is the seat, as a dateline's is.
        mentions = [replace(m, org=True) if m.province == _BEIJING and not m.org else m for m in mentions]
    by_prov: dict[str, list[Mention]] = defaultdict(list)
    listed: dict[int, bool] = {}
    for m, in_list in zip(mentions, _in_list(text, mentions)):
        by_prov[m.province].append(m)
        listed[id(m)] = in_list
    plain_total = sum(1 for m in mentions if not m.org) or 1
    counts = {p: sum(1 for m in ms if not m.org) for p, ms in by_prov.items()}
    top = max(counts.values(), default=0)
    codes, rows = [], []
    for p, ms in by_prov.items():
        plain = [m for m in ms if not m.org]
        f = np.zeros(_N_FEATURES)
        f[_COL["log_plain_mentions"]] = math.log1p(len(plain))
        f[_COL["plain_mention_share"]] = len(plain) / plain_total
        f[_COL["in_title"]] = any(m.start < title for m in ms)
        f[_COL["in_lead"]] = any(m.start < lead for m in ms)
        f[_COL["first_position"]] = 1 - min(m.start for m in ms) / n
        f[_COL["log_plain_subdivisions"]] = math.log1p(sum(1 for m in plain if m.level != "province"))
        f[_COL["full_province_name"]] = any(m.level == "province" and m.kind == "full" for m in ms)
        f[_COL["log_org_mentions"]] = math.log1p(len(ms) - len(plain))
        f[_COL["most_mentioned"]] = counts[p] == top and top > 0
        # A venue counts even inside an organisation name (在石家庄外国语教育集团召开).
        f[_COL["venue"]] = any(
            _VENUE_AFTER.match(text[m.end : m.end + 18]) or _VENUE_BEFORE.search(text[max(m.start - 2, 0) : m.start])
            for m in ms
        )
        f[_COL["tail_share"]] = sum(1 for m in ms if m.start >= tail) / len(ms)
        f[_COL["listed_share"]] = sum(1 for m in plain if listed[id(m)]) / max(len(plain), 1)
        # Full names and region-only bodies weigh more than stems resolved from context.
        f[_COL["log_strong_mentions"]] = math.log1p(sum(1 for m in plain if m.kind != "weak"))
        f[_COL["full_subdivision_in_lead"]] = any(
            m.kind == "full" and m.level != "province" and m.start < lead for m in plain
        ) or any(m.kind == "body" for m in ms)
        codes.append(p)
        rows.append(f)
    cues = national_cues(text)
    f = np.zeros(_N_FEATURES)
    f[_COL["national"]] = 1.0
    f[_COL["log_national_cues"]] = math.log1p(len(cues))
    f[_COL["log_provinces"]] = math.log1p(len(by_prov))
    f[_COL["top_province_share"]] = top / plain_total if mentions else 0.0
    f[_COL["no_province"]] = not by_prov
    f[_COL["national_cue_in_lead"]] = any(pos < lead for _, pos in cues)
    f[_COL["log_plain_mentions_all"]] = math.log1p(sum(1 for m in mentions if not m.org))
    f[_COL["log_org_mentions_all"]] = math.log1p(sum(1 for m in mentions if m.org))
    f[_COL["national_cue_in_title"]] = any(pos < title for _, pos in cues)
    f[_COL["log_local_cues"]] = math.log1p(local)
    f[_COL["national_press"]] = press
    for r, p in zip(rows, codes):
        r[_COL["most_mentioned_local"]] = (counts[p] == top) * math.log1p(local)
    codes.append(NATIONAL_CODE)
    rows.append(f)
    return codes, np.array(rows)
