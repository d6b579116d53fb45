"""shop/redact and customers/redact: erase what we hold, as Shopify's privacy rules require.

Shop erasure deletes the shop row (every shop-scoped table cascades from it) and every stored
webhook of the domain. Customer erasure works from `footprint.TABLES`: each table the customer can
appear in is either cleared of the person (rows that carry numbers the shop still counts) or deleted
(rows that are only about the person).
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import delete, null, select, update
from sqlalchemy.orm import Session

from app.extensions import after_commit
from app.models import (
    Checkout,
    Customer,
    CustomerAccess,
    DataExport,
    EventStatus,
    Order,
    RecoveryCase,
    RecoveryMessage,
    RecoveryOptOut,
    Refund,
    SegmentChange,
    Shop,
    ShopStatus,
    TierChange,
    WebhookEvent,
)
from app.models.recovery import SendState
from app.privacy import footprint
from app.privacy.jobs import cancel_customer_jobs, cancel_shop_jobs
from app.privacy.mentions import mention_pattern, text_pattern
from app.shopify.records import CustomerPrivacyRequest

log = logging.getLogger(__name__)


def redact_shop(session: Session, event: WebhookEvent, shop: Shop | None) -> bool:
    """Erase everything of the shop except the redaction's own event (no personal data: shop id and domain)."""
    if shop is not None and _reinstalled(shop):
        log.warning("shop/redact for %s skipped: the shop reinstalled after uninstalling", shop.domain)
        return False
    session.execute(
        delete(WebhookEvent).where(WebhookEvent.shop_domain == event.shop_domain, WebhookEvent.id != event.id)
    )
    if shop is not None:
        shop_id = shop.id
        session.delete(shop)  # ON DELETE CASCADE removes every shop-scoped row
        session.flush()
        cancel_shop_jobs(shop_id)
    log.info("shop/redact: erased %s", event.shop_domain)
    return True


def _reinstalled(shop: Shop) -> bool:
    return bool(
        shop.status != ShopStatus.UNINSTALLED and shop.uninstalled_at and shop.installed_at
        and shop.installed_at > shop.uninstalled_at
    )


def redact_customer(session: Session, shop_domain: str, shop: Shop | None, request: CustomerPrivacyRequest,
                    current: WebhookEvent | None = None) -> None:
    """Erase the customer everywhere: rows, stored webhook bodies (this request's own included) and queued jobs.

    Aggregates stay right because what they count stays: orders, checkouts, recovery cases and messages, tier
    and segment moves keep their numbers and dates and lose the person. Rows that are only about the person
    (customer, membership, ledger, notices, opt-outs, exports) go.
    """
    subject = None
    if shop is not None:
        subject = footprint.locate(session, shop.id, request)
        _redact_rows(session, subject)
    else:  # a shop we no longer hold: only stored bodies can still mention the customer
        subject = footprint.Subject(0, frozenset({request.customer_id} - {None}),
                                    frozenset({request.email.strip().lower()} if request.email else ()),
                                    frozenset({request.phone.strip()} if request.phone else ()),
                                    frozenset(request.order_ids), frozenset(), frozenset(), frozenset(), frozenset())
    _scrub_events(session, shop_domain, subject, current)
    if current is not None:
        current.body = b""  # the request itself names the customer; its processing needs nothing more
    if shop is not None:
        shop_id = shop.id
        after_commit(session, lambda: cancel_customer_jobs(shop_id, subject))


ERASED_CUSTOMER = 0  # stands in for the customer id on history rows kept for the shop's numbers
_DELETE = (Customer, RecoveryOptOut, DataExport)


def _update(session: Session, subject: footprint.Subject, model: type, **values: object) -> None:
    session.execute(update(model).where(model.shop_id == subject.shop_id, footprint.TABLES[model](subject))
                    .values(**values).execution_options(synchronize_session=False))


def _redact_rows(session: Session, subject: footprint.Subject) -> None:
    from app.membership.service import erase_member

    if subject.empty:
        return
    # Tier and segment moves are counted by the dashboard: keep the move, drop who moved. This comes before
    # erase_member, which deletes what history still names the customer.
    for model in (TierChange, SegmentChange, CustomerAccess):
        _update(session, subject, model, customer_shopify_id=ERASED_CUSTOMER)
    for cid in sorted(subject.customer_ids):
        erase_member(session, subject.shop_id, cid, None, sorted(subject.order_ids))
    for email in sorted(subject.emails):
        erase_member(session, subject.shop_id, None, email, sorted(subject.order_ids))
    if not (subject.customer_ids or subject.emails):
        erase_member(session, subject.shop_id, None, None, sorted(subject.order_ids))
    # Messages not yet sent never will be; all of them keep their dates and outcomes, not the address.
    session.execute(update(RecoveryMessage).where(
        RecoveryMessage.shop_id == subject.shop_id, footprint.TABLES[RecoveryMessage](subject),
        RecoveryMessage.state.in_((SendState.SCHEDULED, SendState.SENDING)))
        .values(state=SendState.CANCELLED, reason="customer data erased", lease_until=None, claim_token=None)
        .execution_options(synchronize_session=False))
    _update(session, subject, RecoveryMessage, email="", email_hash=None)
    _update(session, subject, RecoveryCase, email=None, email_hash=None, customer_shopify_id=None)
    _update(session, subject, Order, email=None, email_hash=None, shipping_address=null(), customer_shopify_id=None)
    _update(session, subject, Refund, note=None)
    _update(session, subject, Checkout, email=None, email_hash=None, phone=None, phone_hash=None,
            shipping_address=null(), customer_shopify_id=None,
            abandoned_checkout_url=None)
    for model in _DELETE:
        session.execute(delete(model).where(model.shop_id == subject.shop_id, footprint.TABLES[model](subject))
                        .execution_options(synchronize_session=False))
    # Exports requested by email only carry no customer id: find them by what they contain.
    for export in session.scalars(select(DataExport).where(DataExport.shop_id == subject.shop_id)):
        if _mentions(subject, json.dumps(export.payload)):
            session.delete(export)


def _mentions(subject: footprint.Subject, text: str) -> bool:
    pattern = text_pattern(subject)
    return bool(pattern and pattern.search(text))


def _scrub_events(session: Session, shop_domain: str, subject: footprint.Subject, current: WebhookEvent | None,
                  batch: int = 500) -> int:
    """Blank stored bodies mentioning the customer; those not yet processed are dropped, so a late event
    cannot bring the data back."""
    pattern = mention_pattern(subject)
    if pattern is None:
        return 0
    scrubbed, last_id = 0, 0
    skip = current.id if current is not None else 0
    while True:
        rows = session.execute(
            select(WebhookEvent.id, WebhookEvent.body, WebhookEvent.status)
            .where(WebhookEvent.shop_domain == shop_domain, WebhookEvent.id > last_id, WebhookEvent.id != skip)
            .order_by(WebhookEvent.id).limit(batch)
        ).all()
        if not rows:
            return scrubbed
        for event_id, body, status in rows:
            last_id = event_id
            if body and pattern.search(body):
                values: dict[str, object] = {"body": b""}
                if status in (EventStatus.RECEIVED, EventStatus.QUEUED):
                    values.update(status=EventStatus.IGNORED, error="body erased by customers/redact")
                session.execute(update(WebhookEvent).where(WebhookEvent.id == event_id).values(**values))
                scrubbed += 1
