"""Every webhook delivery we accepted, stored before we answer Shopify, and its processing state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, utcnow


class EventStatus:
    RECEIVED = "received"  # stored, not yet handed to the queue (Redis down: the relay picks it up)
    QUEUED = "queued"
    DONE = "done"
    FAILED = "failed"  # retries exhausted or not retryable; `error` says why
    IGNORED = "ignored"  # e.g. for an uninstalled shop, or an unknown topic


_BODIES_TO_CLEAR = text("status IN ('done', 'ignored') AND length(body) > 0")


class WebhookEvent(Base):
    """Keyed by shop domain rather than a shop row: deliveries can precede the install or outlive it."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("shop_domain", "webhook_id"),
        Index("ix_webhook_events_status_received_at", "status", "received_at"),
        # Processed deliveries whose body the privacy sweep has yet to empty (app/privacy/bodies.py).
        Index("ix_webhook_events_bodies_to_clear", "received_at",
              postgresql_where=_BODIES_TO_CLEAR, sqlite_where=_BODIES_TO_CLEAR),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Found through the unique (shop_domain, webhook_id) key, whose leading column it is.
    shop_domain: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(100))
    webhook_id: Mapped[str] = mapped_column(String(100))
    event_id: Mapped[str | None] = mapped_column(String(100))  # kept for support, never searched
    api_version: Mapped[str | None] = mapped_column(String(20))
    triggered_at: Mapped[datetime | None]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.RECEIVED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    enqueued_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]
