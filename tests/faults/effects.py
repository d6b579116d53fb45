"""What processing left behind, counted: the fault tests compare it with what was delivered."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from app.extensions import db
from app.models import EventStatus, Order, WebhookEvent
from app.models.membership import SpendEntry


def tally() -> dict[str, object]:
    """Orders stored, ledger lines written, and the events' (status, attempts) pairs."""
    with db.session() as session:
        return {
            "orders": session.scalar(select(func.count(Order.id))),
            "distinct_orders": session.scalar(select(func.count(func.distinct(Order.shopify_id)))),
            "spend_entries": session.scalar(select(func.count(SpendEntry.id))),
            "events": Counter((status, attempts) for status, attempts in
                              session.execute(select(WebhookEvent.status, WebhookEvent.attempts))),
        }


def processed_once(n: int) -> dict[str, object]:
    """The tally of `n` distinct paid orders, each delivered, stored and processed exactly once."""
    return {"orders": n, "distinct_orders": n, "spend_entries": n, "events": Counter({(EventStatus.DONE, 1): n})}
