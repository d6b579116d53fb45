"""Recovery cases for many checkouts and orders at once: the batch forms of `on_checkout` and `on_order`
(app/recovery/service.py), for the batch path of webhook processing (app/webhooks/batch.py).

The common case, a checkout we have no case for yet, is decided here with the same rules and inserted in
one statement; a checkout that already has a case, and an order that converts one, go through the service's
own functions, row by row: they are the minority, and their rules (cancelled messages, attribution) are
the ones worth keeping in a single place.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.field_crypto import email_index
from app.models import RecoveryCase, utcnow
from app.models.recovery import CaseStatus
from app.recovery import detection
from app.recovery.service import _state, convert, on_checkout, settings_for
from app.store.batch import StoredOrder
from app.store.checkouts_batch import StoredCheckout

CASES = RecoveryCase.__table__


def on_checkouts(session: Session, shop_id: int, checkouts: Sequence[StoredCheckout],
                 now: datetime | None = None) -> None:
    """Open the case of each checkout with contact details; a checkout with a case goes through on_checkout."""
    now = now or utcnow()
    with_case = set(session.scalars(
        select(RecoveryCase.checkout_id).where(RecoveryCase.shop_id == shop_id,
                                               RecoveryCase.checkout_id.in_([c.id for c in checkouts]))
        .order_by(RecoveryCase.id).with_for_update()))
    settings = None
    new_cases = []
    for checkout in checkouts:
        if checkout.id in with_case:
            on_checkout(session, shop_id, checkout, now)  # type: ignore[arg-type]  # reads the same attributes
            continue
        state = _state(checkout, now)  # type: ignore[arg-type]
        if state.converted or state.completed or not detection.has_contact(state):
            continue  # no case to convert or close, and none to open
        settings = settings or settings_for(session, shop_id)
        email = checkout.email.strip().lower() if checkout.email else None
        new_cases.append({
            "shop_id": shop_id, "checkout_id": checkout.id, "status": CaseStatus.PENDING,
            "email": email, "email_hash": email_index(email),  # what the ORM's blind index sets
            "customer_shopify_id": checkout.customer_shopify_id,
            "due_at": detection.abandonment_due(state.last_activity, settings["abandon_after_minutes"]),
            "created_at": now, "updated_at": now,
        })
    if new_cases:
        session.execute(CASES.insert(), new_cases)  # one opened meanwhile fails the key: the batch steps aside


def on_orders(session: Session, shop_id: int, orders: Sequence[StoredOrder], linked: dict[int, int]) -> None:
    """Convert the case of the checkout each order was linked to (counted once, whatever the order of events).

    `linked` are the checkouts linked to these orders among those their tokens and emails find
    (`link_orders`): a link is only ever made between an order and a checkout that match that way, so these
    are the checkouts the per-event path finds by `converted_order_shopify_id`, found through indexes."""
    if not linked:
        return
    by_order = {o.shopify_id: o for o in orders}
    cases = session.scalars(
        select(RecoveryCase).where(RecoveryCase.shop_id == shop_id, RecoveryCase.checkout_id.in_(list(linked)))
        .order_by(RecoveryCase.id).with_for_update())
    done = set()
    for case in cases:
        order_id = linked[case.checkout_id]
        if order_id not in done:  # the per-event path converts the first case it finds, once
            done.add(order_id)
            convert(session, shop_id, case, by_order[order_id])  # type: ignore[arg-type]
