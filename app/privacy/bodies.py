"""Stored webhook bodies lose their content once processed.

A delivery is stored exactly as Shopify sent it before we answer (app/webhooks/intake.py): encrypting there
would slow every delivery, and the body is needed in the clear only until a handler has read it. Once an
event is done (or ignored), what it said lives on in our tables, encrypted where it is personal, and the
body is emptied by this sweep a few minutes later. The row stays (its webhook id is what drops a redelivery),
and so does a failed event's body, for the operator to see why, until the retention period deletes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.models import EventStatus, WebhookEvent

# Long enough for a redelivery racing its own first processing to find the row; short enough to be "at once".
GRACE = timedelta(minutes=5)


def clear_processed_bodies(session: Session, now: datetime, batch: int = 2000) -> int:
    """Empty the bodies of events done or ignored before `now - GRACE`; in batches, committed one by one.
    Reads the partial index of bodies still to empty (migration 0021); returns how many were emptied."""
    cutoff, total = now - GRACE, 0
    while True:
        ids = list(session.scalars(select(WebhookEvent.id).where(
            WebhookEvent.status.in_((EventStatus.DONE, EventStatus.IGNORED)), WebhookEvent.received_at < cutoff,
            func.length(WebhookEvent.body) > 0).order_by(WebhookEvent.received_at).limit(batch)))
        if not ids:
            return total
        session.execute(update(WebhookEvent).where(WebhookEvent.id.in_(ids)).values(body=b"")
                        .execution_options(synchronize_session=False))
        session.commit()
        total += len(ids)
