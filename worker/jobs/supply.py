"""Supply jobs: routing a new order to the best warehouse.

Jobs take ids and re-load everything; running one twice is harmless (the decision row is the guard).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app.extensions import db
from app.models import Shop, ShopStatus
from app.shopify.admin_api import AdminClient
from app.shopify.tokens import ReauthorizationRequired, ShopNotInstalled
from app.supply.route_service import route_order as _route_order

log = logging.getLogger(__name__)


def route_order(shop_id: int, order_shopify_id: int) -> str:
    with db.session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None or shop.status != ShopStatus.INSTALLED:
            return "skipped"
    client = AdminClient.for_shop(shop)
    try:
        with db.session(shop_id=shop_id) as session:
            return _route_order(session, shop_id, client, order_shopify_id, datetime.now(UTC))
    except (ShopNotInstalled, ReauthorizationRequired) as exc:
        log.warning("routing order %s of shop %s stopped: %s", order_shopify_id, shop_id, exc)
        return "needs_reauth"
    finally:
        client.close()


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
