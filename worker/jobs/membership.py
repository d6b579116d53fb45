"""Membership jobs: take a shop id, safe to run twice (a review only moves members whose grace has run out)."""

from __future__ import annotations

from app.extensions import db
from app.membership.service import review_shop
from app.models import Shop


def review_memberships(shop_id: int) -> int:
    """Apply due downgrades for one shop; returns how many members changed tier."""
    with db.session(shop_id=shop_id) as session:
        shop = session.get(Shop, shop_id)
        if shop is None:
            return 0
        return len(review_shop(session, shop))
