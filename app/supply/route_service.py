"""Routing a new order to the best warehouse: load the order, ask Shopify where it stands, decide, move, record.

One decision per order. The decision row is claimed (and committed) before Shopify is called, so a job run
twice, or two workers racing, move an order at most once; a later run sees the row and does nothing. A claim
left behind by a crashed run is taken over once it is older than CLAIM_TTL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import redis
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Order, OrderPromise, RoutingDecision, SupplySettings
from app.shopify.admin_api import AccessDenied, AdminClient, UserErrors
from app.shopify.fulfillment_orders import FulfillmentOrderRecord, fetch_fulfillment_orders, move_fulfillment_order
from app.shopify.payload_fields import PayloadError, resource_id
from app.supply import geo
from app.supply.loader import load_inventory, load_supply
from app.supply.promise import promise
from app.supply.routing import Action, Choice, RoutingPolicy, decide
from app.supply.types import CartLine, Destination, Inventory, ServiceLevel

log = logging.getLogger(__name__)

PENDING = "pending"
CLAIM_TTL = timedelta(minutes=10)


def settings_for(session: Session, shop_id: int) -> SupplySettings:
    """The shop's settings row, or an unsaved one with the defaults."""
    found = session.scalar(select(SupplySettings).where(SupplySettings.shop_id == shop_id))
    return found or SupplySettings(shop_id=shop_id, routing_enabled=False, routing_min_gain_days=2,
                                   routing_always_for_tiers=["gold"], routing_service_level="standard")


def route_job_id(shop_id: int, order_shopify_id: int) -> str:
    return f"route-{shop_id}-{order_shopify_id}"


def schedule_routing(session: Session, shop_id: int, order_payload: dict,
                     after_commit: list[Callable[[], None]]) -> bool:
    """From the orders/create handler: queue the routing job once the event commits, if routing is on."""
    if not settings_for(session, shop_id).routing_enabled:
        return False
    try:
        order_id = resource_id(order_payload)
    except PayloadError:
        return False  # the order step has already refused this payload

    def enqueue() -> None:
        from app.queue import enqueue as put

        try:
            put("worker.jobs.supply.route_order", shop_id, order_id, job_id=route_job_id(shop_id, order_id),
                shop_id=shop_id)
        except redis.RedisError:
            log.warning("could not queue routing of order %s (shop %s); it ships from Shopify's choice",
                        order_id, shop_id)

    after_commit.append(enqueue)
    return True


def route_order(session: Session, shop_id: int, client: AdminClient, order_shopify_id: int,
                now: datetime) -> str:
    """Route one order; returns the action taken, or why nothing was done ("disabled", "already", ...).

    Commits: the claim before calling Shopify, the decision after. Transient Admin API failures release the
    claim and propagate, so the job's retry policy tries again later.
    """
    if not settings_for(session, shop_id).routing_enabled:
        return "disabled"
    order = session.scalar(select(Order).where(Order.shopify_id == order_shopify_id))
    if order is None:
        return "unknown order"
    decision = _claim(session, shop_id, order_shopify_id, now)
    if decision is None:
        return "already"
    from_id: int | None = None
    try:
        try:
            from_id, choice = _choose(session, shop_id, client, order, now)
            if choice.moves:
                choice = _move(client, choice, from_id, order_shopify_id)
        except (AccessDenied, PayloadError) as exc:
            # Neither a missing permission nor an order Shopify no longer knows gets better by retrying.
            choice = Choice(Action.FAILED, None, f"could not read or move the order: {exc}")
    except Exception:
        session.rollback()
        session.execute(delete(RoutingDecision).where(RoutingDecision.id == decision.id))
        session.commit()
        raise
    decision.from_location_shopify_id = from_id
    decision.to_location_shopify_id = int(choice.to_warehouse_id) if choice.to_warehouse_id else None
    decision.action = choice.action.value
    decision.reason = choice.reason
    decision.promised_earliest, decision.promised_latest = choice.window or (None, None)
    decision.created_at = now
    session.commit()
    log.info("order %s of shop %s: %s (%s)", order_shopify_id, shop_id, choice.action.value, choice.reason)
    return choice.action.value


def _claim(session: Session, shop_id: int, order_shopify_id: int, now: datetime) -> RoutingDecision | None:
    existing = session.scalar(select(RoutingDecision).where(RoutingDecision.order_shopify_id == order_shopify_id))
    if existing is not None:
        if existing.action != PENDING:
            return None
        taken = session.execute(
            update(RoutingDecision)
            .where(RoutingDecision.id == existing.id, RoutingDecision.action == PENDING,
                   RoutingDecision.created_at < now - CLAIM_TTL)
            .values(created_at=now)
        ).rowcount
        session.commit()
        return existing if taken == 1 else None
    row = RoutingDecision(shop_id=shop_id, order_shopify_id=order_shopify_id, action=PENDING,
                          reason="routing in progress", created_at=now)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return row


def _choose(session: Session, shop_id: int, client: AdminClient, order: Order,
            now: datetime) -> tuple[int | None, Choice]:
    fulfillment_orders = [fo for fo in fetch_fulfillment_orders(client, order.shopify_id) if fo.active]
    if not fulfillment_orders:
        return None, Choice(Action.SKIPPED, None, "the order has no open fulfillment order")
    if len(fulfillment_orders) > 1:
        return None, Choice(Action.SKIPPED, None, f"the order already ships from {len(fulfillment_orders)} "
                            "locations; routing never splits or merges an order")
    fo: FulfillmentOrderRecord = fulfillment_orders[0]
    from_id = fo.location_shopify_id
    why_not = fo.why_not_movable()
    if why_not or from_id is None:
        return from_id, Choice(Action.SKIPPED, None, why_not or "the fulfillment order has no assigned location")
    cart = _cart(order)
    if not cart:
        return from_id, Choice(Action.SKIPPED, None, "the order has no stocked product lines")
    place = geo.resolve(_destination(order.shipping_address or {}))
    if not place.resolved:
        return from_id, Choice(Action.KEPT, str(from_id), "the shipping address could not be located")
    from app.supply.tiers import customer_tier  # imported here: tiers belong to membership, loaded on demand

    tier = customer_tier(session, shop_id, order.customer_shopify_id) if order.customer_shopify_id else None
    settings = settings_for(session, shop_id)
    supply = load_supply(session, shop_id)
    inventory = _with_order_units(load_inventory(session, shop_id, [int(c.variant_id) for c in cart], now),
                                  cart, str(from_id))
    result = promise(supply.network, inventory, cart, place, now, tier=tier, default_warehouse_id=str(from_id),
                     service_level=_service_level(session, order.shopify_id, settings))
    policy = RoutingPolicy.of(settings.routing_min_gain_days, settings.routing_always_for_tiers or [])
    return from_id, decide(str(from_id), result.options, tier, policy)


def _move(client: AdminClient, choice: Choice, from_id: int | None, order_shopify_id: int) -> Choice:
    fo = next(f for f in fetch_fulfillment_orders(client, order_shopify_id) if f.active)
    if fo.location_shopify_id != from_id or fo.why_not_movable():
        # Someone acted on the order while we were deciding; theirs is the newer word.
        return Choice(Action.SKIPPED, None, "the order changed while routing: " + (
            fo.why_not_movable() or "it was reassigned to another location"))
    try:
        move_fulfillment_order(client, fo.gid, int(choice.to_warehouse_id or 0))
    except UserErrors as exc:
        messages = "; ".join(e.message for e in exc.errors) or str(exc)
        return Choice(Action.FAILED, choice.to_warehouse_id, f"Shopify refused the move: {messages}", choice.window)
    return choice


def _cart(order: Order) -> list[CartLine]:
    quantities: dict[int, int] = {}
    for line in order.lines:
        if line.variant_id and line.quantity > 0:
            quantities[line.variant_id] = quantities.get(line.variant_id, 0) + line.quantity
    return [CartLine(str(v), q) for v, q in sorted(quantities.items())]


def _destination(address: dict) -> Destination:
    return Destination(country=address.get("country_code"), region=address.get("province_code"),
                       city=address.get("city"), postal_code=address.get("zip"),
                       lat=address.get("latitude"), lng=address.get("longitude"))


def _with_order_units(inventory: Inventory, cart: list[CartLine], location_id: str) -> Inventory:
    """Shopify's `available` already nets this order's units at its assigned location; count them back
    there, or the assigned location would look unable to ship the very order it holds."""
    free = {variant: dict(per_wh) for variant, per_wh in inventory.free.items()}
    for line in cart:
        per_wh = free.setdefault(line.variant_id, {})
        per_wh[location_id] = per_wh.get(location_id, 0) + line.quantity
    return Inventory(free=free, incoming=inventory.incoming)


def _service_level(session: Session, order_shopify_id: int, settings: SupplySettings) -> ServiceLevel:
    promised = session.scalar(select(OrderPromise.service_level).where(
        OrderPromise.order_shopify_id == order_shopify_id))
    for value in (promised, settings.routing_service_level):
        if value in ServiceLevel.__members__.values():
            return ServiceLevel(value)
    return ServiceLevel.STANDARD
