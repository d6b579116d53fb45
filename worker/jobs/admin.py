"""Jobs the admin's saves start: take a shop id, safe to run twice (a recompute from the same ledger gives
the same tiers; the dashboard rebuild replaces its days)."""

from __future__ import annotations

from app.extensions import db
from app.membership.service import recompute_shop
from app.models import Shop, ShopStatus


def recompute_membership(shop_id: int) -> int:
    """New tier settings apply to every member (upgrades now; downgrades wait for the review), then the
    dashboard's member figures follow."""
    with db.session(shop_id=shop_id) as session:
        shop = session.get(Shop, shop_id)
        if shop is None or shop.status != ShopStatus.INSTALLED:
            return 0
        scored = recompute_shop(session, shop)
    from worker.jobs.dashboard import refresh_shop

    refresh_shop(shop_id)
    return scored
