"""Were members' orders handled within their tier's target? Measured from the order to its first fulfillment.

The target of a tier is its perk's handling time (Gold 48 h, Silver 72 h by default). A tier without one,
and shoppers without a tier, are held to the standard handling of the warehouse that shipped (its business
days counted as calendar days, which is the generous reading). Orders not yet fulfilled count as missed
once their target has passed, and as open before that: a backlog must not look like success.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.membership.perks import tier_slug
from app.membership.service import load_perks
from app.models import Order, OrderPromise, WarehouseProfile

NO_TIER = ""
DEFAULT_STANDARD_HOURS = 24  # a warehouse without a profile: one business day


@dataclass(frozen=True)
class Handled:
    tier: str  # slug, or NO_TIER
    ordered_at: datetime
    fulfilled_at: datetime | None
    location_id: int | None


@dataclass(frozen=True)
class TierHandling:
    tier: str
    orders: int
    met: int
    missed: int
    open: int  # not fulfilled, target not yet passed
    median_hours: float | None  # of the fulfilled ones

    @property
    def share_met(self) -> float | None:
        decided = self.met + self.missed
        return None if decided == 0 else self.met / decided


def summarise(rows: Iterable[Handled], targets: Mapping[str, int], standard: Mapping[int | None, int],
              now: datetime) -> list[TierHandling]:
    """Pure: per tier, how many orders met their target. `targets` by tier slug in hours; `standard` the
    warehouse's standard handling in hours by location id."""
    groups: dict[str, list[Handled]] = defaultdict(list)
    for row in rows:
        groups[row.tier].append(row)
    out = []
    for tier in sorted(groups):
        met = missed = pending = 0
        hours = []
        for row in groups[tier]:
            target = timedelta(hours=targets.get(tier) or standard.get(row.location_id, DEFAULT_STANDARD_HOURS))
            if row.fulfilled_at is None:
                if now - row.ordered_at > target:
                    missed += 1
                else:
                    pending += 1
                continue
            took = row.fulfilled_at - row.ordered_at
            hours.append(took.total_seconds() / 3600)
            if took <= target:
                met += 1
            else:
                missed += 1
        out.append(TierHandling(tier, len(groups[tier]), met, missed, pending,
                                round(median(hours), 1) if hours else None))
    return out


def handling_by_tier(session: Session, shop_id: int, since: datetime, until: datetime,
                     now: datetime) -> list[TierHandling]:
    """Orders placed in [since, until) with a recorded promise (so a known tier and warehouse)."""
    ordered_at = Order.shopify_created_at
    rows = session.execute(
        select(OrderPromise.tier, ordered_at, OrderPromise.first_fulfilled_at, OrderPromise.location_shopify_id)
        .join(Order, (Order.shop_id == OrderPromise.shop_id) & (Order.shopify_id == OrderPromise.order_shopify_id))
        .where(OrderPromise.shop_id == shop_id, ordered_at >= since, ordered_at < until))
    handled = [Handled(tier or NO_TIER, at, fulfilled, location) for tier, at, fulfilled, location in rows
               if at is not None]
    targets = {tier_slug(name): perk.handling_hours
               for name, perk in load_perks(session, shop_id).by_tier.items() if perk.handling_hours}
    standard = {p.location_shopify_id: p.handling_days * 24 + p.handling_hours for p in session.scalars(
        select(WarehouseProfile).where(WarehouseProfile.shop_id == shop_id))}
    return summarise(handled, targets, standard, now)
