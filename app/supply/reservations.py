"""Stock we hold for a shopper while an offer is open, so two shoppers are never promised the last unit from
the same warehouse.

Shopify's `available` already nets unfulfilled orders; a reservation covers the time between our offer and
the order (the loader subtracts live reservations from free stock). `reserve` takes the warehouse's stock rows
`FOR UPDATE` before it counts what others hold, so two concurrent offers for the last unit take turns and the
second one is told the unit is gone; `offer` then quotes again and lands on another warehouse or a backorder.
Holds are keyed by (reference, variant, location): asking again with the same reference replaces the hold.
Every change bumps the variants' stock versions after commit, so cached promises see it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.models import InventoryLevel, StockReservation, Variant, WarehouseProfile
from app.supply import loader, versions
from app.supply.geo import ResolvedPlace
from app.supply.options import Promise
from app.supply.promise import promise
from app.supply.types import CartLine, ServiceLevel


@dataclass(frozen=True)
class Hold:
    reference: str
    location_shopify_id: int
    ok: bool
    short: dict[int, int] = field(default_factory=dict)  # variant -> units missing; empty when ok


@dataclass(frozen=True)
class Offer:
    promise: Promise
    held: bool  # every in-stock parcel of the best option is reserved under the reference


def reserve(session: Session, shop_id: int, reference: str, lines: Iterable[tuple[int | str, int]],
            location_shopify_id: int, ttl: timedelta, now: datetime) -> Hold:
    """Hold `lines` ((variant id, quantity) pairs) at one location until now + ttl, all or nothing."""
    if ttl <= timedelta(0):
        raise ValueError("a reservation needs a positive ttl")
    wanted: dict[int, int] = {}
    for variant, quantity in lines:
        if quantity > 0:
            wanted[int(variant)] = wanted.get(int(variant), 0) + quantity
    if not wanted:
        return Hold(reference, location_shopify_id, ok=True)
    item_of = dict(session.execute(select(Variant.shopify_id, Variant.inventory_item_id).where(
        Variant.shop_id == shop_id, Variant.shopify_id.in_(wanted))).all())
    # The lock that serialises competing offers: rows in item order, so two offers never deadlock.
    available = dict(session.execute(
        select(InventoryLevel.inventory_item_id, InventoryLevel.available).where(
            InventoryLevel.shop_id == shop_id, InventoryLevel.location_id == location_shopify_id,
            InventoryLevel.inventory_item_id.in_([i for i in item_of.values() if i is not None]))
        .order_by(InventoryLevel.inventory_item_id).with_for_update()).all())
    safety = session.scalar(select(WarehouseProfile.safety_stock).where(
        WarehouseProfile.shop_id == shop_id, WarehouseProfile.location_shopify_id == location_shopify_id)) or 0
    held = dict(session.execute(
        select(StockReservation.variant_shopify_id, func.sum(StockReservation.quantity)).where(
            StockReservation.shop_id == shop_id, StockReservation.location_shopify_id == location_shopify_id,
            StockReservation.variant_shopify_id.in_(wanted), StockReservation.reference != reference,
            StockReservation.expires_at > now).group_by(StockReservation.variant_shopify_id)).all())
    short = {}
    for variant, quantity in wanted.items():
        free = available.get(item_of.get(variant), 0) - safety - int(held.get(variant) or 0)
        if free < quantity:
            short[variant] = quantity - max(free, 0)
    if short:
        return Hold(reference, location_shopify_id, ok=False, short=short)
    mine = {r.variant_shopify_id: r for r in session.scalars(select(StockReservation).where(
        StockReservation.shop_id == shop_id, StockReservation.reference == reference,
        StockReservation.location_shopify_id == location_shopify_id,
        StockReservation.variant_shopify_id.in_(wanted)))}
    for variant, quantity in wanted.items():
        row = mine.get(variant)
        if row is None:
            session.add(StockReservation(shop_id=shop_id, reference=reference, variant_shopify_id=variant,
                                         location_shopify_id=location_shopify_id, quantity=quantity,
                                         expires_at=now + ttl))
        else:
            row.quantity, row.expires_at = quantity, now + ttl
    session.flush()
    versions.bump_stock_after_commit(session, shop_id, wanted)
    return Hold(reference, location_shopify_id, ok=True)


def release(session: Session, shop_id: int, reference: str) -> int:
    """Drop every hold of `reference` (the order arrived, or the shopper left); returns rows removed."""
    return _delete(session, shop_id, StockReservation.reference == reference)


def expire(session: Session, shop_id: int, now: datetime) -> int:
    """Remove holds past their time (they already stopped counting; this keeps the table small)."""
    return _delete(session, shop_id, StockReservation.expires_at <= now)


def _delete(session: Session, shop_id: int, condition) -> int:
    variants = session.scalars(delete(StockReservation).where(StockReservation.shop_id == shop_id, condition)
                               .returning(StockReservation.variant_shopify_id)).all()
    versions.bump_stock_after_commit(session, shop_id, variants)
    return len(variants)


def offer(session: Session, shop_id: int, reference: str, cart: Sequence[CartLine], place: ResolvedPlace,
          now: datetime, ttl: timedelta, *, tier: str | None = None,
          service_level: ServiceLevel | None = ServiceLevel.STANDARD, attempts: int = 3) -> Offer:
    """Quote `cart` and hold the best option's stock; when another shopper took it first, quote again."""
    release(session, shop_id, reference)  # the shopper's own earlier hold must not compete with this quote
    supply = loader.load_supply(session, shop_id)
    variant_ids = {int(line.variant_id) for line in cart}
    result = None
    for _ in range(attempts):
        inventory = loader.load_inventory(session, shop_id, variant_ids, now)
        result = promise(supply.network, inventory, cart, place, now, tier=tier,
                         default_warehouse_id=supply.default_warehouse_id, service_level=service_level)
        if result.best is None:
            return Offer(result, held=False)
        holds = [reserve(session, shop_id, reference, shipment.lines, int(shipment.warehouse_id), ttl, now)
                 for shipment in result.best.shipments if not shipment.backorder]
        if all(h.ok for h in holds):
            return Offer(result, held=True)
        release(session, shop_id, reference)
    assert result is not None
    return Offer(result, held=False)
