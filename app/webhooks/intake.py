"""Store a verified delivery (deduplicated in PostgreSQL) and hand its id to the queue.

One INSERT ... ON CONFLICT DO NOTHING per delivery: a redelivery of the same (shop, webhook id)
inserts nothing, so it is answered without being processed again. Enqueueing comes after the row is
durable; if Redis is down the row stays `received` and the relay queues it later.
"""

from __future__ import annotations

import logging
from datetime import datetime

import redis
from sqlalchemy.dialects import postgresql, sqlite

from app import queue as queues
from app.extensions import db
from app.models import EventStatus, WebhookEvent, utcnow
from app.shopify.webhooks import Delivery

log = logging.getLogger(__name__)

PROCESS_JOB = "worker.jobs.ingest.process_event"


def job_id_for(event_id: int) -> str:
    """Stable per event, so the relay and a redelivery never queue one event twice."""
    return f"ingest-{event_id}"


def store_event(
    delivery: Delivery, body: bytes, *, status: str = EventStatus.RECEIVED, error: str | None = None,
    received_at: datetime | None = None,
) -> int | None:
    """Insert the event; returns its id, or None when this delivery was already stored."""
    values = {
        "shop_domain": delivery.shop_domain,
        "topic": delivery.topic or "",
        "webhook_id": delivery.webhook_id,
        "event_id": delivery.event_id,
        "api_version": delivery.api_version,
        "triggered_at": delivery.triggered_at,
        "received_at": received_at or utcnow(),
        "body": body,
        "status": status,
        "attempts": 0,
        "error": error,
    }
    engine = db.engine
    if engine is None:
        raise RuntimeError("database is not initialised")
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(WebhookEvent)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["shop_domain", "webhook_id"])
        .returning(WebhookEvent.id)
    )
    with engine.begin() as conn:
        return conn.execute(stmt).scalar_one_or_none()


def enqueue_event(event_id: int) -> bool:
    """Queue the event's processing; False (logged) when Redis is unreachable — the relay retries."""
    try:
        queues.enqueue(PROCESS_JOB, event_id, queue=queues.WEBHOOKS, job_id=job_id_for(event_id))
    except redis.RedisError as exc:
        log.warning("webhook event %s stored but not queued (Redis: %s); the relay will queue it", event_id, exc)
        return False
    return True
