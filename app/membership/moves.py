"""Tier and segment migrations per month: how many customers moved from where to where (the dashboard's
migration tables). Grouped in SQL over the history rows the recompute, the review and the per-event
path write (`tier_changes`, `segment_changes`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import SegmentChange, TierChange


def _month(session: Session, column):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("month", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def tier_moves(session: Session, shop_id: int, since: datetime) -> list[tuple[str, str | None, str, int]]:
    """(month, from tier, to tier, customers), oldest month first; a join shows as from None."""
    month = _month(session, TierChange.at)
    rows = session.execute(
        select(month, TierChange.from_tier, TierChange.to_tier, func.count(func.distinct(
            TierChange.customer_shopify_id)))
        .where(TierChange.shop_id == shop_id, TierChange.at >= since)
        .group_by(month, TierChange.from_tier, TierChange.to_tier))
    return sorted(((m, a, b, int(n)) for m, a, b, n in rows), key=lambda r: (r[0], r[1] or "", r[2]))


def segment_moves(session: Session, shop_id: int, since: datetime) -> list[tuple[str, str | None, str | None, int]]:
    """(month, from segment, to segment, customers), oldest month first."""
    month = _month(session, SegmentChange.at)
    rows = session.execute(
        select(month, SegmentChange.from_segment, SegmentChange.to_segment,
               func.count(func.distinct(SegmentChange.customer_shopify_id)))
        .where(SegmentChange.shop_id == shop_id, SegmentChange.at >= since)
        .group_by(month, SegmentChange.from_segment, SegmentChange.to_segment))
    return sorted(((m, a, b, int(n)) for m, a, b, n in rows), key=lambda r: (r[0], r[1] or "", r[2] or ""))
