"""Builders for webhook and store tests: shops, and signed deliveries through the real HTTP edge."""

from __future__ import annotations

from datetime import UTC, datetime

from rq import SimpleWorker
from sqlalchemy import select

from app import queue as queues
from app.extensions import db, redis_handle
from app.models import Shop, ShopStatus, WebhookEvent

SHOP = "acme-store.myshopify.com"


def make_shop(domain: str = SHOP, **values) -> int:
    values.setdefault("status", ShopStatus.INSTALLED)
    values.setdefault("installed_at", datetime(2020, 1, 1, tzinfo=UTC))
    values.setdefault("currency", "USD")
    with db.session() as session:
        shop = Shop(domain=domain, **values)
        session.add(shop)
        session.flush()
        return shop.id


def events(**filters) -> list[WebhookEvent]:
    with db.session() as session:
        stmt = select(WebhookEvent).order_by(WebhookEvent.id)
        for name, value in filters.items():
            stmt = stmt.where(getattr(WebhookEvent, name) == value)
        return list(session.scalars(stmt))


def run_worker() -> None:
    """Drain the webhook queue with a real RQ worker (no fork), as production does."""
    worker = SimpleWorker([queues.get_queue(queues.WEBHOOKS)], connection=redis_handle.conn)
    worker.work(burst=True)
