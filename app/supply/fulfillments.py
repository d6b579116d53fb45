"""Fulfillments teach the transit table: every delivered parcel is one measured transit time on its lane.

A sample is the number of business days (the destination's calendar, as the promise engine counts transit)
from the day the parcel shipped to the day it was delivered, both as the destination sees them. The lane is
the fulfillment's location → the order's shipping country and region, at the service level the order was
promised at (standard when unknown). Each fulfillment counts once, whatever order its updates arrive in;
a fulfillment delivered before its order reached us is counted when the order arrives (`catch_up_order`).

When a new sample changes what the learned table would answer (a lane reaching the learning threshold, or its
p50/p90 moving), the shop's supply settings version is bumped after commit, so cached promises are recomputed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Fulfillment, Order, OrderPromise, TransitSample
from app.shopify.records import FulfillmentRecord
from app.store.fulfillments import upsert_fulfillment
from app.supply import geo, versions
from app.supply.calendars import destination_calendar, zone
from app.supply.orders import DEAD_STATUSES, destination_from_address, refresh_outcome
from app.supply.transit import MIN_SAMPLES_TO_LEARN, LearnedStats, learned_stats
from app.supply.types import ServiceLevel

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FulfillmentResult:
    fulfillment_shopify_id: int
    written: bool  # False: an older update than the one we hold, ignored
    sample_recorded: bool
    learned_changed: bool


def record_fulfillment(session: Session, shop_id: int, record: FulfillmentRecord) -> FulfillmentResult:
    """Store the fulfillment; when delivered, record its transit sample and the order's outcome."""
    row, written = upsert_fulfillment(session, shop_id, record)
    session.flush()
    order = session.scalars(select(Order).where(
        Order.shop_id == shop_id, Order.shopify_id == row.order_shopify_id)).one_or_none()
    recorded = changed = False
    if order is not None:
        recorded, changed = _sample(session, shop_id, row, order)
        refresh_outcome(session, shop_id, order)
    if changed:
        versions.bump_settings_after_commit(session, shop_id)
    return FulfillmentResult(record.shopify_id, written, recorded, changed)


def catch_up_order(session: Session, shop_id: int, order: Order) -> int:
    """Samples for this order's delivered fulfillments that arrived before the order did; returns how many."""
    delivered = session.scalars(select(Fulfillment).where(
        Fulfillment.shop_id == shop_id, Fulfillment.order_shopify_id == order.shopify_id,
        Fulfillment.delivered_at.is_not(None)).order_by(Fulfillment.shopify_id))
    results = [_sample(session, shop_id, f, order) for f in delivered]
    refresh_outcome(session, shop_id, order)
    if any(changed for _, changed in results):
        versions.bump_settings_after_commit(session, shop_id)
    return sum(1 for recorded, _ in results if recorded)


def _sample(session: Session, shop_id: int, f: Fulfillment, order: Order) -> tuple[bool, bool]:
    """(recorded, learned table changed) for one fulfillment."""
    if f.delivered_at is None or f.shipped_at is None or f.location_shopify_id is None:
        return False, False
    if f.status in DEAD_STATUSES:
        return False, False
    if session.scalar(select(TransitSample.id).where(
            TransitSample.shop_id == shop_id, TransitSample.fulfillment_shopify_id == f.shopify_id)) is not None:
        return False, False
    place = geo.resolve(destination_from_address(order.shipping_address))
    if not place.resolved or place.country is None:
        log.info("fulfillment %s: destination of order %s cannot be placed; no transit sample",
                 f.shopify_id, order.shopify_id)
        return False, False
    tz = zone(place.timezone or "UTC")
    shipped_on, delivered_on = f.shipped_at.astimezone(tz).date(), f.delivered_at.astimezone(tz).date()
    if delivered_on < shipped_on:
        log.warning("fulfillment %s delivered before it shipped; no transit sample", f.shopify_id)
        return False, False
    days = destination_calendar(place.country, place.region).count_between(shipped_on, delivered_on)
    sample = TransitSample(
        shop_id=shop_id, fulfillment_shopify_id=f.shopify_id, location_shopify_id=f.location_shopify_id,
        country=place.country, region=place.region, service_level=_service_level(session, shop_id, order),
        business_days=days, shipped_at=f.shipped_at, delivered_at=f.delivered_at)
    try:
        with session.begin_nested():
            session.add(sample)
    except IntegrityError:  # another worker counted it first
        return False, False
    return True, _learned_changed(session, shop_id, sample)


def _service_level(session: Session, shop_id: int, order: Order) -> str:
    level = session.scalar(select(OrderPromise.service_level).where(
        OrderPromise.shop_id == shop_id, OrderPromise.order_shopify_id == order.shopify_id))
    return level or ServiceLevel.STANDARD.value


def _learned_changed(session: Session, shop_id: int, sample: TransitSample) -> bool:
    """Would the transit table answer differently for this sample's lane (regional or country-wide)?"""
    rows = session.execute(select(TransitSample.id, TransitSample.region, TransitSample.business_days).where(
        TransitSample.shop_id == shop_id, TransitSample.location_shopify_id == sample.location_shopify_id,
        TransitSample.country == sample.country, TransitSample.service_level == sample.service_level)).all()
    lanes = [None] if sample.region is None else [sample.region, None]
    for region in lanes:
        values = [(i, d) for i, r, d in rows if region is None or r == region]
        before = learned_stats(d for i, d in values if i != sample.id)
        after = learned_stats(d for _, d in values)
        if _effective(before) != _effective(after):
            return True
    return False


def _effective(stats: LearnedStats | None) -> tuple[int, int] | None:
    """What the table uses: learned windows only from MIN_SAMPLES_TO_LEARN samples on."""
    if stats is None or stats.samples < MIN_SAMPLES_TO_LEARN:
        return None
    return stats.p50, stats.p90
