"""Dashboard arithmetic, pure: periods, rates, changes, and incremental revenue from daily sums.

Incremental revenue is the recovery report's (app/recovery/results.py): revenue per abandoned checkout in
the treatment group minus the holdout's, scaled to the treatment group, with a Welch 95 % interval. The
daily tables keep n, the sum and the sum of squares of revenue per group, which is all a mean and a
variance need, so the interval over any period comes from a few summed rows instead of every case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app.recovery.results import Z95

PRESETS = (7, 30, 90, 365)
MAX_DAYS = 366


class PeriodError(ValueError):
    pass


def N_(message: str) -> str:  # noqa: N802 - marks a message for the catalogue; translated where shown
    return message


@dataclass(frozen=True)
class Period:
    start: date  # inclusive
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def period_from(args: dict, today: date) -> Period:
    """`days=30` (ending today) or `from`/`to` (ISO dates); raises PeriodError with a message for the field."""
    start_raw, end_raw = (args.get("from") or "").strip(), (args.get("to") or "").strip()
    if start_raw or end_raw:
        try:
            start, end = date.fromisoformat(start_raw), date.fromisoformat(end_raw)
        except ValueError:
            raise PeriodError(N_("Enter both dates as YYYY-MM-DD.")) from None
        if end < start:
            raise PeriodError(N_("The period must end on or after its first day."))
        if (end - start).days + 1 > MAX_DAYS or end > today + timedelta(days=1):
            raise PeriodError(N_("Choose at most 366 days, ending no later than today."))
        return Period(start, end)
    raw = (args.get("days") or "30").strip()
    if not raw.isdigit() or int(raw) not in PRESETS:
        raise PeriodError(N_("Choose 7, 30, 90 or 365 days."))
    return Period(today - timedelta(days=int(raw) - 1), today)


# Words stored as data (offer types, segments) that pages show through the catalogue.
LABELS = (N_("supply"), N_("reminder"), N_("preorder"), N_("split"), N_("trial"), N_("tier_perk"), N_("discount"),
          N_("restock"), N_("none"), N_("churned"), N_("dormant"), N_("new"), N_("high_value"), N_("potential"),
          N_("active"), N_("unscored"), N_("back_in_stock"),
          # case, webhook, sync and ledger states; sync steps; segment rule names
          N_("pending"), N_("abandoned"), N_("converted"), N_("closed"), N_("received"), N_("queued"), N_("done"),
          N_("failed"), N_("ignored"), N_("running"), N_("paid"), N_("refund"), N_("cancel"), N_("shop"),
          N_("locations"), N_("products"), N_("inventory"), N_("customers"), N_("orders"), N_("checkouts"),
          N_("new days"), N_("dormant days"), N_("churned days"), N_("potential min orders"),
          N_("potential max orders"), N_("high value min score"))


def rate(part: float | int, whole: float | int) -> float | None:
    return None if not whole else part / whole


def change(current: float | Decimal | None, previous: float | Decimal | None) -> float | None:
    """Relative change from the previous period; None when there is nothing to compare with."""
    if current is None or previous is None or previous == 0:
        return None
    return float(current) / float(previous) - 1


@dataclass(frozen=True)
class GroupSums:
    n: int = 0
    total: Decimal = Decimal(0)
    squares: Decimal = Decimal(0)

    def mean_var(self) -> tuple[float, float]:
        if self.n == 0:
            return 0.0, 0.0
        mean = float(self.total) / self.n
        if self.n == 1:
            return mean, 0.0
        # Sum of squares minus n·mean²; clamp the tiny negatives floating point can leave.
        var = max(0.0, (float(self.squares) - self.n * mean * mean) / (self.n - 1))
        return mean, var


def incremental(treated: GroupSums, holdout: GroupSums) -> dict | None:
    """{"amount", "low", "high"} as floats, or None without both groups."""
    if treated.n == 0 or holdout.n == 0:
        return None
    mt, vt = treated.mean_var()
    mc, vc = holdout.mean_var()
    se = math.sqrt(vt / treated.n + vc / holdout.n)
    diff = mt - mc
    return {"amount": diff * treated.n, "low": (diff - Z95 * se) * treated.n, "high": (diff + Z95 * se) * treated.n,
            "confidence": 0.95}
