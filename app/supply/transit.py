"""How long a parcel travels: merchant lanes first, then what history has taught us, then a default.

The default model's numbers all live in this module's constants, so a change of policy is one edit. They are
deliberately cautious (a promise that is beaten is better than one that is missed) and are replaced per lane by
measured p50..p90 once a lane has `MIN_SAMPLES_TO_LEARN` delivered parcels.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from app.supply.types import Lane, Money, ServiceLevel, TransitSample, TransportMode

MIN_SAMPLES_TO_LEARN = 20

# Countries in the EU customs union (EU members plus Monaco through France); no customs stop between them.
EU_CUSTOMS_UNION = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
    "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "MC",
})


class Border(StrEnum):
    DOMESTIC = "domestic"
    CUSTOMS_UNION = "customs_union"
    CROSS_BORDER = "cross_border"


class TransitSource(StrEnum):
    LANE = "lane"
    LEARNED = "learned"
    DEFAULT = "default"


# Standard service, business days (min, max), before distance is added.
_STANDARD_BASE = {Border.DOMESTIC: (1, 3), Border.CUSTOMS_UNION: (2, 5), Border.CROSS_BORDER: (4, 9)}
# One more business day at each end per this many km of great-circle distance (long trucking or extra legs).
_KM_PER_EXTRA_DAY = 1500.0
# Beyond this distance the default assumes air freight (no parcel crosses an ocean by truck in days).
_ROAD_MAX_KM = 1500.0
# Distance days are capped: long hauls fly, and a flight of 15,000 km takes no week longer than one of 5,000 km.
_MAX_DISTANCE_DAYS = 3


@dataclass(frozen=True, slots=True)
class TransitEstimate:
    min_days: int
    max_days: int
    mode: TransportMode
    price: Money | None
    source: TransitSource
    service_level: ServiceLevel


@dataclass(frozen=True, slots=True)
class LearnedStats:
    p50: int
    p90: int
    samples: int


def border_between(origin: str, destination: str) -> Border:
    if origin == destination:
        return Border.DOMESTIC
    if origin in EU_CUSTOMS_UNION and destination in EU_CUSTOMS_UNION:
        return Border.CUSTOMS_UNION
    return Border.CROSS_BORDER


def default_estimate(distance_km: float, border: Border, level: ServiceLevel) -> TransitEstimate:
    base_min, base_max = _STANDARD_BASE[border]
    extra = min(int(distance_km // _KM_PER_EXTRA_DAY), _MAX_DISTANCE_DAYS)
    lo, hi = base_min + extra, base_max + extra
    if level is ServiceLevel.EXPRESS:
        lo, hi = max(1, math.ceil(lo / 2)), max(1, math.ceil(hi / 2))
    elif level is ServiceLevel.ECONOMY:
        lo, hi = lo + 1, math.ceil(hi * 1.5)
    mode = TransportMode.ROAD if distance_km <= _ROAD_MAX_KM else TransportMode.AIR
    return TransitEstimate(lo, hi, mode, None, TransitSource.DEFAULT, level)


def percentile(sorted_values: list[int], q: float) -> int:
    """Nearest-rank percentile: always one of the measured values, never an interpolated day count."""
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


def learned_stats(samples: Iterable[int]) -> LearnedStats | None:
    values = sorted(s for s in samples if s >= 0)
    if not values:
        return None
    return LearnedStats(percentile(values, 0.5), percentile(values, 0.9), len(values))


LaneKey = tuple[str, str, str | None, ServiceLevel]  # warehouse, country, region (None = whole country), level


class TransitTable:
    """Lanes and learned windows indexed for O(1) lookups; built once per shop, reused for every promise."""

    def __init__(self, lanes: Iterable[Lane] = (), samples: Iterable[TransitSample] = ()) -> None:
        self._lanes: dict[LaneKey, Lane] = {}
        for lane in lanes:
            self._lanes[(lane.warehouse_id, lane.country, lane.region, lane.service_level)] = lane
        grouped: dict[LaneKey, list[int]] = {}
        for s in samples:
            grouped.setdefault((s.warehouse_id, s.country, s.region, s.service_level), []).append(s.business_days)
            if s.region is not None:  # a regional sample also teaches the country-wide lane
                grouped.setdefault((s.warehouse_id, s.country, None, s.service_level), []).append(s.business_days)
        self.stats: dict[LaneKey, LearnedStats] = {}
        for key, values in grouped.items():
            stats = learned_stats(values)
            if stats is not None:
                self.stats[key] = stats
        self._learned_levels: dict[tuple[str, str], set[ServiceLevel]] = {}
        for wh, country, _region, level in list(self._lanes) + list(self.stats):
            self._learned_levels.setdefault((wh, country), set()).add(level)

    def levels_for(self, warehouse_id: str, country: str) -> frozenset[ServiceLevel]:
        """Service levels this warehouse is known to offer to a country; all levels when nothing is entered."""
        known = self._learned_levels.get((warehouse_id, country))
        return frozenset(known) if known else frozenset(ServiceLevel)

    def estimate(self, warehouse_id: str, origin_country: str, country: str, region: str | None,
                 level: ServiceLevel, distance_km: float) -> TransitEstimate:
        default = default_estimate(distance_km, border_between(origin_country, country), level)
        for reg in ((region, None) if region else (None,)):
            lane = self._lanes.get((warehouse_id, country, reg, level))
            if lane is not None:
                return TransitEstimate(lane.min_days, lane.max_days, lane.mode, lane.price, TransitSource.LANE,
                                       level)
        for reg in ((region, None) if region else (None,)):
            stats = self.stats.get((warehouse_id, country, reg, level))
            if stats is not None and stats.samples >= MIN_SAMPLES_TO_LEARN:
                return TransitEstimate(stats.p50, stats.p90, default.mode, None, TransitSource.LEARNED, level)
        return default
