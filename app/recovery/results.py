"""The numbers the dashboard shows, from one row per abandoned case (pure).

Incremental revenue compares revenue per abandoned checkout in the treatment group with the holdout's and
scales the difference to the treatment group: what the messages added beyond what would have come back
anyway. Its 95 % interval is the normal approximation for a difference of two means (Welch), which is
sound for the hundreds of cases a dashboard is read at; with few cases the interval is wide, as it should be.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from app.recovery.detection import HOLDOUT, TREATMENT

Z95 = 1.959963984540054


@dataclass(frozen=True)
class CaseRow:
    group: str
    reached: bool  # at least one message was sent
    converted: bool  # converted after it was abandoned
    revenue: Decimal  # the order's total when converted, else 0
    stage: int | None  # attribution: set when a message is credited
    offer: str | None


def _mean_var(values: list[float]) -> tuple[float, float]:
    n = len(values)
    if n == 0:
        return 0.0, 0.0
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    return mean, var


def _diff(treated: list[float], control: list[float]) -> dict | None:
    """Difference of means with a 95 % interval; None without both groups."""
    if not treated or not control:
        return None
    mt, vt = _mean_var(treated)
    mc, vc = _mean_var(control)
    se = math.sqrt(vt / len(treated) + vc / len(control))
    return {"difference": mt - mc, "low": mt - mc - Z95 * se, "high": mt - mc + Z95 * se}


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def _money(value: float | Decimal) -> str:
    return format(Decimal(str(value)).quantize(Decimal("0.01")), "f")


def _shares(rows: list[CaseRow], attr: str) -> list[dict]:
    credited = [r for r in rows if r.stage is not None]
    total = sum((r.revenue for r in credited), Decimal(0))
    groups: dict[object, list[CaseRow]] = {}
    for row in credited:
        groups.setdefault(getattr(row, attr), []).append(row)
    return [{attr: key, "conversions": len(items), "share": len(items) / len(credited),
             "revenue": _money(sum((r.revenue for r in items), Decimal(0))),
             "revenue_share": float(sum((r.revenue for r in items), Decimal(0)) / total) if total else None}
            for key, items in sorted(groups.items(), key=lambda kv: str(kv[0]))]


def summarise(rows: Iterable[CaseRow], currency: str) -> dict:
    rows = list(rows)
    treated = [r for r in rows if r.group == TREATMENT]
    control = [r for r in rows if r.group == HOLDOUT]
    reached = [r for r in treated if r.reached]
    converted = [r for r in treated if r.converted]
    recovered = [r for r in treated if r.stage is not None]
    revenue = _diff([float(r.revenue) for r in treated], [float(r.revenue) for r in control])
    conversion = _diff([1.0 if r.converted else 0.0 for r in treated], [1.0 if r.converted else 0.0 for r in control])
    incremental = None
    if revenue is not None:
        n = len(treated)
        incremental = {"amount": _money(revenue["difference"] * n), "low": _money(revenue["low"] * n),
                       "high": _money(revenue["high"] * n), "confidence": 0.95}
    return {
        "currency": currency,
        "abandoned": len(rows),
        "treatment": len(treated),
        "holdout": len(control),
        "reached": len(reached),
        "converted": len(converted),
        "recovery_rate": {"of_abandoned": _rate(len(converted), len(treated)),
                          "of_messaged": _rate(sum(1 for r in reached if r.converted), len(reached))},
        "holdout_conversion_rate": _rate(sum(1 for r in control if r.converted), len(control)),
        "recovered_revenue": _money(sum((r.revenue for r in recovered), Decimal(0))),
        "incremental_revenue": incremental,
        "conversion_uplift": conversion,
        "by_stage": _shares(treated, "stage"),
        "by_offer": _shares(treated, "offer"),
    }
