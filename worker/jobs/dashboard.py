"""Dashboard jobs: rebuild a shop's daily read models (safe to run twice: a rebuild replaces its days)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select

from app import queue as queues
from app.dashboard.build import refresh
from app.extensions import db
from app.models import Shop, ShopStatus

log = logging.getLogger(__name__)


def refresh_shop(shop_id: int) -> str | None:
    """Rebuild the recent days (two years on the first run); returns the range rebuilt."""
    with db.session(shop_id=shop_id) as session:
        shop = session.get(Shop, shop_id)
        if shop is None or shop.status != ShopStatus.INSTALLED:
            return None
        first, last = refresh(session, shop, datetime.now(UTC))
    return f"{first}..{last}"


def refresh_all() -> int:
    """Periodic: queue a rebuild per installed shop (one job id per shop, so a slow one is not doubled)."""
    with db.session() as session:
        shop_ids = list(session.scalars(select(Shop.id).where(Shop.status == ShopStatus.INSTALLED)))
    for shop_id in shop_ids:
        queues.enqueue("worker.jobs.dashboard.refresh_shop", shop_id, job_id=f"dashboard-{shop_id}",
                       shop_id=shop_id, timeout=1800)
    return len(shop_ids)
