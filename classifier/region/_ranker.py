"""RegionRanker: the region of clean text from learned candidate weights (numpy only)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from ..errors import ModelError
from ..labels import NATIONAL, NATIONAL_CODE, PROVINCE_NAMES, REGION_FIELDS
from ._features import FEATURE_NAMES, _candidate_features
from ._gazetteer import _gazetteer
from ._matching import (
    _LEAD_CHARS,
    _LOCAL_CUES,
    _NO_SUBDIVISIONS,
    Mention,
    _local_media,
    _own_level_cue,
    _place_lists,
    find_places,
    national_cues,
)


class RegionRanker:
    """Decides an article's region from its place mentions with learned candidate weights.

    ``coef`` / ``intercept`` weigh the features of ``candidate_features``; ``min_count`` and
    ``dominance`` decide when one city or county is reported (see ``RegionResolver``);
    ``feature_names`` are the names of the weighted features, in order (``FEATURE_NAMES``).
    """

    def __init__(
        self,
        coef: np.ndarray,
        intercept: float,
        min_count: int = 2,
        dominance: float = 0.5,
        feature_names: tuple[str, ...] = FEATURE_NAMES,
    ) -> None:
        self.coef = coef
        self.intercept = intercept
        self.min_count = min_count
        self.dominance = dominance
        self.feature_names = tuple(feature_names)

    def check_features(self, where: str = "region weights") -> None:
        """ModelError unless the weights are for the features this version computes, in its order."""
        names = getattr(self, "feature_names", None)  # absent in a ranker pickled before names were kept
        if names is None:
            raise ModelError(
                f"{where}: the model records no region feature names (written by an older version); retrain it"
            )
        if tuple(names) != FEATURE_NAMES or len(self.coef) != len(FEATURE_NAMES):
            other = sorted(set(names) ^ set(FEATURE_NAMES))
            raise ModelError(
                f"{where}: the model weighs region features {list(names)}, this version computes "
                f"{list(FEATURE_NAMES)} (differing: {other or 'the order'}); retrain it"
            )

    def _scores(self, text: str, mentions: Sequence[Mention], local: int | None = None) -> tuple[list[str], np.ndarray]:
        if getattr(self, "feature_names", None) is not FEATURE_NAMES or len(self.coef) != len(FEATURE_NAMES):
            self.check_features()
            self.feature_names = FEATURE_NAMES  # equal: share the constant, so later calls check identity only
        if local is None:
            local = len(_LOCAL_CUES.findall(text))
        codes, rows = _candidate_features(text, mentions, local)
        return codes, rows @ self.coef + self.intercept

    def decision_scores(self, text: str) -> dict[str, float]:
        """Score of each candidate region (full province name or 全国) for one clean text."""
        codes, scores = self._scores(text, find_places(text))
        return {PROVINCE_NAMES.get(c, NATIONAL): float(s) for c, s in zip(codes, scores)}

    def _pick(self, text: str, mentions: Sequence[Mention], level: str, within: str) -> tuple[str, list[Mention]]:
        """The one city or county the article is about, or '' (with its mentions)."""
        lead = _LEAD_CHARS
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        support: dict[str, list[Mention]] = defaultdict(list)
        # A place in an enumeration of places (茂名市电白区等13个县, 泾阳、长武两地) shares the event;
        # counties listed in one city still name that city.
        for m, (listed, many) in zip(mentions, _place_lists(text, mentions)):
            if m.org or m.province != within or m.level == "province" or m.kind == "body":
                continue
            if many or (listed and level == "county"):
                continue
            key = m.code if level == "county" else m.city
            if not key or (level == "county" and m.level != "county"):
                continue
            counts[key] += 1
            first.setdefault(key, m.start)
            support[key].append(m)
        if not counts:
            return "", []
        ranked = counts.most_common()
        best, n1 = ranked[0]
        n2 = ranked[1][1] if len(ranked) > 1 else 0
        # A county that the piece is written from inside (全区, 区委 for a 区) needs no repeat.
        own = level == "county" and len(ranked) == 1 and _own_level_cue(text, _gazetteer().current[best].name[-1])
        if (n1 >= self.min_count or first[best] < lead or own) and n2 <= self.dominance * n1:
            return best, support[best]
        return "", []

    def _predict_one(self, text: str) -> tuple[dict[str, str], list[Mention]]:
        mentions = find_places(text)
        local = len(_LOCAL_CUES.findall(text))
        codes, scores = self._scores(text, mentions, local)
        mentions = list(_local_media(text, mentions, local))
        region_code = codes[int(np.argmax(scores))]
        out = dict.fromkeys(REGION_FIELDS, "")
        if region_code == NATIONAL_CODE:
            out.update(region=NATIONAL, region_code=NATIONAL_CODE)
            return out, []
        out.update(region=PROVINCE_NAMES[region_code], region_code=region_code)
        if region_code in _NO_SUBDIVISIONS:
            return out, [m for m in mentions if m.province == region_code]
        gz = _gazetteer()
        county, cm = self._pick(text, mentions, "county", region_code)
        if county:
            city = gz.city_of(gz.current[county])
        else:
            city, cm = self._pick(text, mentions, "city", region_code)
        if city:
            out.update(city=gz.current[city].name, city_code=city)
        if county:
            names = Counter(m.name for m in cm if m.surface == m.name)
            out.update(county=names.most_common(1)[0][0] if names else gz.current[county].name, county_code=county)
        return out, [m for m in mentions if m.province == region_code]

    def predict(self, X: Sequence[str]) -> list[dict[str, str]]:
        """One dict per clean text with exactly ``labels.REGION_FIELDS`` as keys ('' where unknown)."""
        return [self._predict_one(text)[0] for text in X]

    def explain(self, text: str) -> list[dict[str, Any]]:
        """The evidence for the region of one clean text: its mentions, or the national cues for 全国."""
        out, used = self._predict_one(text)
        if out["region"] == NATIONAL:
            return [{"surface": cue, "start": pos, "level": "national"} for cue, pos in national_cues(text)]
        return [asdict(m) for m in used]
