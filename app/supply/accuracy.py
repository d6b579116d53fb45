"""Promise accuracy for the admin dashboard: how often orders arrived inside the window we promised.

Only orders whose outcome is known count (delivered, with a promised window). The period is by delivery date
(the destination's local date): an order counts in the week it arrived, which is when its outcome became known.
One GROUP BY in the database, however many orders there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.models import OrderPromise
from app.supply.orders import ON_TIME

By = Literal["warehouse", "lane", "tier"]


@dataclass(frozen=True)
class AccuracyRow:
    key: tuple  # (location,) | (location, country, region, service level) | (tier,); tier None = no tier
    count: int
    on_time: int
    on_time_share: float  # 0..1
    mean_days_late: float  # calendar days; negative: early on average


def _keys(by: By) -> list:
    if by == "warehouse":
        return [OrderPromise.location_shopify_id]
    if by == "lane":
        return [OrderPromise.location_shopify_id, OrderPromise.country, OrderPromise.region,
                OrderPromise.service_level]
    if by == "tier":
        return [OrderPromise.tier]
    raise ValueError(f"by must be warehouse, lane or tier, not {by!r}")


def promise_accuracy(session: Session, shop_id: int, *, since: date, until: date, by: By) -> list[AccuracyRow]:
    """Rows for orders delivered on `since` <= day < `until`, largest groups first."""
    keys = _keys(by)
    count = func.count(OrderPromise.id)
    on_time = func.sum(case((OrderPromise.outcome == ON_TIME, 1), else_=0))
    stmt = (
        select(*keys, count, on_time, func.avg(OrderPromise.days_late))
        .where(OrderPromise.shop_id == shop_id, OrderPromise.outcome.is_not(None),
               OrderPromise.delivered_on >= since, OrderPromise.delivered_on < until)
        .group_by(*keys)
        .order_by(count.desc(), *(k.asc().nulls_last() for k in keys))
    )
    rows = []
    for *key, n, hits, mean_late in session.execute(stmt):
        rows.append(AccuracyRow(tuple(key), int(n), int(hits), round(int(hits) / int(n), 4),
                                round(float(mean_late), 2)))
    return rows
