"""shop/redact and customers/redact: erase what we hold, as Shopify's privacy rules require.

Shop erasure deletes the shop row (every shop-scoped table cascades from it) and every stored
webhook of the domain. Customer erasure deletes the customer row and that person's exports, and
strips contact details from their orders and checkouts; order totals stay, without a person attached.
Stored webhook bodies that mention the customer are blanked, and any not yet processed are dropped,
so a late event cannot bring the data back.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from app.models import Checkout, Customer, DataExport, EventStatus, Order, Shop, ShopStatus, WebhookEvent
from app.privacy.jobs import cancel_shop_jobs
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


def redact_customer(session: Session, shop_domain: str, shop: Shop | None, request: CustomerPrivacyRequest) -> None:
    if shop is not None:
        _redact_rows(session, shop.id, request)
    _scrub_events(session, shop_domain, request)


def _any(*pairs: tuple[bool, object]):
    """OR of the clauses whose condition holds; None when none does (then nothing must match)."""
    clauses = [clause for wanted, clause in pairs if wanted]
    return or_(*clauses) if clauses else None


def _redact_rows(session: Session, shop_id: int, req: CustomerPrivacyRequest) -> None:
    from app.membership.service import erase_member

    email = req.email.lower() if req.email else None
    has_id = req.customer_id is not None
    erase_member(session, shop_id, req.customer_id, email, req.order_ids)  # before the customer row goes
    customers = _any(
        (has_id, Customer.shopify_id == req.customer_id), (bool(email), func.lower(Customer.email) == email)
    )
    if customers is not None:
        session.execute(delete(Customer).where(Customer.shop_id == shop_id, customers))
    orders = _any(
        (bool(req.order_ids), Order.shopify_id.in_(req.order_ids)),
        (has_id, Order.customer_shopify_id == req.customer_id),
        (bool(email), func.lower(Order.email) == email),
    )
    if orders is not None:
        session.execute(
            update(Order).where(Order.shop_id == shop_id, orders)
            .values(email=None, shipping_address=None, customer_shopify_id=None)
            .execution_options(synchronize_session=False)
        )
    checkouts = _any(
        (has_id, Checkout.customer_shopify_id == req.customer_id),
        (bool(email), func.lower(Checkout.email) == email),
        (bool(req.phone), Checkout.phone == req.phone),
    )
    if checkouts is not None:
        session.execute(
            update(Checkout).where(Checkout.shop_id == shop_id, checkouts)
            .values(email=None, phone=None, shipping_address=None, customer_shopify_id=None,
                    abandoned_checkout_url=None)
            .execution_options(synchronize_session=False)
        )
    if has_id:
        session.execute(
            delete(DataExport).where(DataExport.shop_id == shop_id, DataExport.customer_shopify_id == req.customer_id)
        )


def _mention_pattern(req: CustomerPrivacyRequest) -> re.Pattern[bytes] | None:
    parts = []
    if req.customer_id is not None:
        parts.append(rb"(?<![0-9])" + str(req.customer_id).encode() + rb"(?![0-9])")
    if req.email:
        parts.append(re.escape(req.email.encode()))
    return re.compile(b"|".join(parts), re.IGNORECASE) if parts else None


def _scrub_events(session: Session, shop_domain: str, req: CustomerPrivacyRequest, batch: int = 500) -> int:
    """Blank stored bodies mentioning the customer (compliance events excepted: they are the request)."""
    pattern = _mention_pattern(req)
    if pattern is None:
        return 0
    scrubbed, last_id = 0, 0
    while True:
        rows = session.execute(
            select(WebhookEvent.id, WebhookEvent.body, WebhookEvent.status)
            .where(WebhookEvent.shop_domain == shop_domain, WebhookEvent.id > last_id,
                   WebhookEvent.topic.not_in(("customers/redact", "customers/data_request")))
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
