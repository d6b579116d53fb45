"""The delivery window promised with each order, and whether the order arrived inside it.

At `orders/create` the order is quoted with the same loader and engine the storefront uses (its lines, its
shipping address, the customer's tier, `now` = when the order was placed) and the answer is stored once per
order: a replayed webhook never recomputes a stored promise. Which location the promise is for:

* routing enabled: the best option's location (routing moves the order there when it is worth it);
* routing off: the store default location's option, because that is where Shopify will ship from; when the
  default cannot ship the order at all, the best option's (Shopify then picks another location too).

A split option is stored under the location of the parcel that arrives last, since that parcel decides when
the order is complete. When every fulfillment of the order is delivered, the order is on time if it arrived
(in the destination's local calendar) on or before the promised latest date; `days_late` counts calendar
days, negative when early.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Fulfillment, InventoryItem, Order, OrderPromise, Variant
from app.supply import geo, loader
from app.supply.calendars import zone
from app.supply.options import DeliveryOption, Promise, PromiseStatus
from app.supply.promise import promise
from app.supply.tiers import customer_tier
from app.supply.types import CartLine, Destination, Inventory, ServiceLevel

log = logging.getLogger(__name__)

ON_TIME, LATE = "on_time", "late"
# Fulfillments that never left (or were voided) say nothing about the order's delivery.
DEAD_STATUSES = frozenset({"cancelled", "error", "failure"})
DEFAULT_WEIGHT_GRAMS = 500


def destination_from_address(address: dict | None) -> Destination:
    """A stored shipping address (orders and checkouts keep the same shape) as the engine's Destination."""
    a = address or {}
    return Destination(country=a.get("country_code"), region=a.get("province_code"), city=a.get("city"),
                       postal_code=a.get("zip"), lat=a.get("latitude"), lng=a.get("longitude"))


def variant_weights(session: Session, shop_id: int, variant_ids: Iterable[int]) -> dict[int, int]:
    """Parcel weight per variant from its inventory item; variants without one weigh the default."""
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(Variant.shopify_id, InventoryItem.weight_grams)
        .join(InventoryItem, (InventoryItem.shop_id == Variant.shop_id)
              & (InventoryItem.shopify_id == Variant.inventory_item_id))
        .where(Variant.shop_id == shop_id, Variant.shopify_id.in_(ids), InventoryItem.weight_grams.is_not(None)))
    return {variant: grams for variant, grams in rows}


def cart_of(pairs: Iterable[tuple[int | None, int]], weights: dict[int, int]) -> list[CartLine]:
    """Engine cart lines from (variant, quantity) pairs; custom items without a variant ship from nowhere."""
    return [CartLine(str(v), q, weights.get(v, DEFAULT_WEIGHT_GRAMS)) for v, q in pairs if v is not None and q > 0]


def on_order_created(session: Session, shop_id: int, order_shopify_id: int, service_level: str | None) -> None:
    """orders/create: the checkout's hold on stock ends (Shopify now commits the units), the promise is stored
    and fulfillments that arrived before their order are counted."""
    from app.supply import fulfillments, reservations  # they build on this module

    order = _order(session, shop_id, order_shopify_id)
    if order is None:
        return
    if order.checkout_token:
        reservations.release(session, shop_id, f"checkout:{order.checkout_token}")
    store_promise(session, shop_id, order, service_level)
    fulfillments.catch_up_order(session, shop_id, order)


def store_promise(session: Session, shop_id: int, order: Order, service_level: str | None) -> OrderPromise:
    """The order's promise, computed and stored the first time only (unique per order)."""
    existing = _promise_row(session, shop_id, order.shopify_id)
    if existing is not None:
        return existing
    level = _level(service_level)
    now = order.processed_at or order.shopify_created_at or order.created_at
    place = geo.resolve(destination_from_address(order.shipping_address))
    tier = customer_tier(session, shop_id, order.customer_shopify_id)
    pairs = [(line.variant_id, line.quantity) for line in order.lines]
    cart = cart_of(pairs, variant_weights(session, shop_id, (v for v, _ in pairs if v is not None)))
    row = OrderPromise(shop_id=shop_id, order_shopify_id=order.shopify_id, country=place.country,
                       region=place.region, service_level=level.value, tier=tier)
    if cart and not order.cancelled_at:
        chosen = _choose(_quote(session, shop_id, cart, place, now, tier, level), _routing_enabled(session, shop_id))
        if chosen is not None:
            last = max(chosen.shipments, key=lambda s: (s.latest, s.earliest))
            row.location_shopify_id = int(last.warehouse_id)
            row.promised_earliest, row.promised_latest = chosen.earliest, chosen.latest
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # a concurrent delivery of the same order stored it first
        row = _promise_row(session, shop_id, order.shopify_id)
        if row is None:
            raise
    return row


def _quote(session: Session, shop_id: int, cart: list[CartLine], place: geo.ResolvedPlace, now: datetime,
           tier: str | None, level: ServiceLevel) -> Promise:
    supply = loader.load_supply(session, shop_id)
    inventory = loader.load_inventory(session, shop_id, (int(c.variant_id) for c in cart), now)

    def quote(stock: Inventory) -> Promise:
        return promise(supply.network, stock, cart, place, now, tier=tier,
                       default_warehouse_id=supply.default_warehouse_id, service_level=level)

    result = quote(inventory)
    if result.status is not PromiseStatus.AVAILABLE:
        # Shopify commits an order's units before (or soon after) its webhook, so the last units may already
        # be gone from `available`. The order proves they existed: give them back where we cannot tell.
        result = quote(_with_units_back(inventory, cart))
    return result


def _with_units_back(inventory: Inventory, cart: list[CartLine]) -> Inventory:
    free = {v: dict(per) for v, per in inventory.free.items()}
    for line in cart:
        per = free.setdefault(line.variant_id, {})
        for warehouse in per:
            per[warehouse] = max(per[warehouse], 0) + line.quantity
    return Inventory(free=free, incoming=inventory.incoming)


def _choose(result: Promise, routing: bool) -> DeliveryOption | None:
    if routing:
        return result.best
    return result.default or result.best


def _routing_enabled(session: Session, shop_id: int) -> bool:
    from app.models import SupplySettings

    return bool(session.scalar(select(SupplySettings.routing_enabled).where(SupplySettings.shop_id == shop_id)))


def _level(value: str | None) -> ServiceLevel:
    try:
        return ServiceLevel(value) if value else ServiceLevel.STANDARD
    except ValueError:
        return ServiceLevel.STANDARD


def refresh_outcome(session: Session, shop_id: int, order: Order) -> OrderPromise | None:
    """First shipment and, once every parcel is delivered, on time or late. Recomputed from the stored
    fulfillments, so any order of events gives the same answer."""
    row = session.scalars(select(OrderPromise).where(
        OrderPromise.shop_id == shop_id, OrderPromise.order_shopify_id == order.shopify_id).with_for_update()
    ).one_or_none()
    if row is None:
        return None
    parcels = [f for f in session.scalars(select(Fulfillment).where(
        Fulfillment.shop_id == shop_id, Fulfillment.order_shopify_id == order.shopify_id))
        if f.status not in DEAD_STATUSES]
    shipped = [f.shipped_at for f in parcels if f.shipped_at is not None]
    row.first_fulfilled_at = min(shipped) if shipped else None
    complete = parcels and order.fulfillment_status != "partial" and all(f.delivered_at for f in parcels)
    if not complete:
        row.delivered_on = row.outcome = row.days_late = None
        return row
    row.delivered_on = local_date(max(f.delivered_at for f in parcels), order)  # type: ignore[type-var]
    if row.promised_latest is not None:
        row.days_late = (row.delivered_on - row.promised_latest).days
        row.outcome = ON_TIME if row.days_late <= 0 else LATE
    return row


def local_date(moment: datetime, order: Order) -> date:
    """The date at the order's destination (UTC when the address cannot be placed)."""
    place = geo.resolve(destination_from_address(order.shipping_address))
    return moment.astimezone(zone(place.timezone or "UTC")).date()


def _order(session: Session, shop_id: int, order_shopify_id: int) -> Order | None:
    return session.scalars(select(Order).where(Order.shop_id == shop_id, Order.shopify_id == order_shopify_id)
                           ).one_or_none()


def _promise_row(session: Session, shop_id: int, order_shopify_id: int) -> OrderPromise | None:
    return session.scalars(select(OrderPromise).where(
        OrderPromise.shop_id == shop_id, OrderPromise.order_shopify_id == order_shopify_id)).one_or_none()

