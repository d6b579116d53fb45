"""RFM scoring and segments, pure.

Scores are quintiles within the shop, 1 (worst) to 5 (best): a customer's score is
1 + floor(5 * (customers strictly worse) / customers), so equal values always share a score; the
inputs come from one set-based query per shop (ledger.activity).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal

from app.translatable import N_

SEGMENTS = ("churned", "dormant", "new", "high_value", "potential", "active")


class SegmentRuleError(ValueError):
    pass


@dataclass(frozen=True)
class SegmentRules:
    new_days: int = 30
    dormant_days: int = 90
    churned_days: int = 180
    potential_min_orders: int = 2
    potential_max_orders: int = 3
    high_value_min_score: int = 5  # monetary score

    @classmethod
    def from_json(cls, raw: Mapping | None) -> SegmentRules:
        if not raw:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise SegmentRuleError(N_("unknown segment settings: %(names)s", names=", ".join(sorted(unknown))))
        try:
            rules = cls(**{k: int(v) for k, v in raw.items()})
        except (TypeError, ValueError) as exc:
            raise SegmentRuleError(N_("segment settings are whole numbers")) from exc
        return rules.validated()

    def validated(self) -> SegmentRules:
        if min(asdict(self).values()) < 1:
            raise SegmentRuleError(N_("segment settings must be at least 1"))
        if not self.new_days <= self.dormant_days < self.churned_days:
            raise SegmentRuleError(N_("new ≤ dormant < churned days"))
        if self.potential_min_orders > self.potential_max_orders:
            raise SegmentRuleError(N_("potential: minimum orders above maximum"))
        if self.high_value_min_score > 5:
            raise SegmentRuleError(N_("high value: a score from 1 to 5"))
        return self


@dataclass(frozen=True)
class Activity:
    customer_id: int
    first_order_at: datetime
    last_order_at: datetime
    orders: int
    monetary: Decimal


@dataclass(frozen=True)
class Score:
    customer_id: int
    recency: int
    frequency: int
    monetary: int
    segment: str


def quintiles(values: Sequence) -> list[int]:
    """Score per value, in input order; higher value = higher score."""
    n = len(values)
    ordered = sorted(values)
    worse: dict = {}
    for position, value in enumerate(ordered):
        worse.setdefault(value, position)
    return [1 + (5 * worse[v]) // n for v in values]


def segment(activity: Activity, monetary_score: int, now: datetime, rules: SegmentRules) -> str:
    """Churned and dormant first (they need a win-back whatever they spent), then new, high value, potential."""
    since_last = now - activity.last_order_at
    if since_last >= timedelta(days=rules.churned_days):
        return "churned"
    if since_last >= timedelta(days=rules.dormant_days):
        return "dormant"
    if now - activity.first_order_at < timedelta(days=rules.new_days):
        return "new"
    if monetary_score >= rules.high_value_min_score:
        return "high_value"
    if rules.potential_min_orders <= activity.orders <= rules.potential_max_orders:
        return "potential"
    return "active"


def score(activities: Sequence[Activity], now: datetime, rules: SegmentRules | None = None) -> list[Score]:
    rules = rules or SegmentRules()
    if not activities:
        return []
    recency = quintiles([a.last_order_at for a in activities])
    frequency = quintiles([a.orders for a in activities])
    monetary = quintiles([a.monetary for a in activities])
    return [
        Score(a.customer_id, r, f, m, segment(a, m, now, rules))
        for a, r, f, m in zip(activities, recency, frequency, monetary, strict=True)
    ]
