"""Supply jobs: routing a new order to the best warehouse.

Jobs take ids and re-load everything; running one twice is harmless (the decision row is the guard).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app.extensions import db
from app.models import Shop, ShopStatus
from app.supply.route_service import route_order as _route_order
from worker.jobs.shop_client import with_shop_client

log = logging.getLogger(__name__)


def route_order(shop_id: int, order_shopify_id: int) -> str:
    return with_shop_client("routing of an order", shop_id, lambda session, _shop, client: _route_order(
        session, shop_id, client, order_shopify_id, datetime.now(UTC)))


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
