"""Supply jobs: routing a new order to the best warehouse, and the sweep that routes orders whose routing
job was never queued (Redis down at that moment).

Jobs take ids and re-load everything; running one twice is harmless (the decision row is the guard).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import Shop, ShopStatus
from app.supply.route_service import route_order as _route_order
from worker.jobs.shop_client import with_shop_client

log = logging.getLogger(__name__)


def route_order(shop_id: int, order_shopify_id: int) -> str:
    return with_shop_client("routing of an order", shop_id, lambda session, _shop, client: _route_order(
        session, shop_id, client, order_shopify_id, datetime.now(UTC)))


# Orders old enough that their own routing job had its chance, young enough that moving them still helps.
SWEEP_AFTER = timedelta(minutes=2)
SWEEP_WITHIN = timedelta(hours=6)


def route_missed(now: datetime | None = None) -> int:
    """Periodic: queue routing for recent orders of shops with routing on that have no decision yet.

    The orders/create handler queues routing after its commit; if Redis failed at that moment, nothing
    else would. The decision row keeps a job that did run from moving an order twice."""
    from sqlalchemy import and_, select

    from app import queue as queues
    from app.models import Order, RoutingDecision, SupplySettings
    from app.supply.route_service import route_job_id

    now = now or datetime.now(UTC)
    with db.session() as session:
        missed = session.execute(
            select(Order.shop_id, Order.shopify_id)
            .join(Shop, (Shop.id == Order.shop_id) & (Shop.status == ShopStatus.INSTALLED))
            .join(SupplySettings, (SupplySettings.shop_id == Order.shop_id) & SupplySettings.routing_enabled)
            .outerjoin(RoutingDecision, and_(RoutingDecision.shop_id == Order.shop_id,
                                             RoutingDecision.order_shopify_id == Order.shopify_id))
            .where(RoutingDecision.id.is_(None), Order.cancelled_at.is_(None), Order.fulfilled_at.is_(None),
                   Order.shopify_created_at.between(now - SWEEP_WITHIN, now - SWEEP_AFTER))
            .limit(5000)).all()
    for shop_id, order_id in missed:
        queues.enqueue("worker.jobs.supply.route_order", shop_id, order_id, job_id=route_job_id(shop_id, order_id),
                       shop_id=shop_id)
    return len(missed)


def expire_reservations() -> int:
    """Periodic: drop offer holds past their time for every shop (they already stopped counting)."""
    from sqlalchemy import select

    from app.supply.reservations import expire

    now = datetime.now(UTC)
    with db.session() as session:
        shop_ids = list(session.scalars(select(Shop.id).where(Shop.status == ShopStatus.INSTALLED)))
    removed = 0
    for shop_id in shop_ids:
        with db.session(shop_id=shop_id) as session:
            removed += expire(session, shop_id, now)
    return removed
