"""The retention period: abandoned-checkout contact data and stored webhook bodies do not outlive it.

Checkouts last active before the cut-off lose their contact details (email, phone, address, customer,
recovery link), and so do their recovery cases and messages; their amounts, dates and outcomes stay,
because the recovery report and the dashboard count them. Stored webhook deliveries older than the period
are deleted once processed (Shopify retries for 48 hours, so no duplicate can arrive that late).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, null, or_, select, update
from sqlalchemy.orm import Session

from app.models import Checkout, EventStatus, PrivacySettings, RecoveryCase, RecoveryMessage, Shop, WebhookEvent
from app.models.privacy import DEFAULT_RETENTION_DAYS
from app.models.recovery import SendState

MIN_DAYS, MAX_DAYS = 7, 730  # a week keeps recovery's three stages working; two years is the dashboard's horizon


def validate_days(value: object) -> int:
    """The merchant's setting: whole days within bounds, else ValueError with what is accepted."""
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_DAYS <= value <= MAX_DAYS:
        raise ValueError(f"retention_days must be a whole number of days from {MIN_DAYS} to {MAX_DAYS}.")
    return value


def retention_days(session: Session, shop_id: int) -> int:
    row = session.scalar(select(PrivacySettings.retention_days).where(PrivacySettings.shop_id == shop_id))
    return row or DEFAULT_RETENTION_DAYS


def set_retention_days(session: Session, shop_id: int, days: int) -> None:
    row = session.scalar(select(PrivacySettings).where(PrivacySettings.shop_id == shop_id))
    if row is None:
        session.add(PrivacySettings(shop_id=shop_id, retention_days=validate_days(days)))
    else:
        row.retention_days = validate_days(days)
    session.flush()


def purge_checkouts(session: Session, shop_id: int, now: datetime) -> int:
    """Anonymise the shop's checkouts (and their recovery cases and messages) idle past the period."""
    cutoff = now - timedelta(days=retention_days(session, shop_id))
    last_seen = func.coalesce(Checkout.shopify_updated_at, Checkout.shopify_created_at, Checkout.created_at)
    stale = select(Checkout.id).where(
        Checkout.shop_id == shop_id, last_seen < cutoff,
        or_(Checkout.email.is_not(None), Checkout.phone.is_not(None), Checkout.customer_shopify_id.is_not(None),
            Checkout.abandoned_checkout_url.is_not(None), Checkout.shipping_address.is_not(None)))
    ids = list(session.scalars(stale))
    if not ids:
        return 0
    cases = select(RecoveryCase.id).where(RecoveryCase.shop_id == shop_id, RecoveryCase.checkout_id.in_(ids))
    session.execute(update(RecoveryMessage).where(
        RecoveryMessage.shop_id == shop_id, RecoveryMessage.case_id.in_(cases),
        RecoveryMessage.state.in_((SendState.SCHEDULED, SendState.SENDING)))
        .values(state=SendState.CANCELLED, reason="past the retention period", lease_until=None, claim_token=None)
        .execution_options(synchronize_session=False))
    session.execute(update(RecoveryMessage).where(RecoveryMessage.shop_id == shop_id,
                                                  RecoveryMessage.case_id.in_(cases))
                    .values(email="", email_hash=None).execution_options(synchronize_session=False))
    session.execute(update(RecoveryCase).where(RecoveryCase.shop_id == shop_id, RecoveryCase.checkout_id.in_(ids))
                    .values(email=None, email_hash=None, customer_shopify_id=None)
                    .execution_options(synchronize_session=False))
    session.execute(update(Checkout).where(Checkout.shop_id == shop_id, Checkout.id.in_(ids))
                    .values(email=None, email_hash=None, phone=None, phone_hash=None, shipping_address=null(),
                            customer_shopify_id=None,
                            abandoned_checkout_url=None).execution_options(synchronize_session=False))
    return len(ids)


FINISHED = (EventStatus.DONE, EventStatus.IGNORED, EventStatus.FAILED)


def purge_webhook_events(session: Session, shop_domain: str, days: int, now: datetime, batch: int = 5000) -> int:
    """Delete the domain's processed deliveries received before the period; in batches, so a long backlog
    never holds one huge transaction. Events still waiting to be processed are kept whatever their age."""
    cutoff = now - timedelta(days=days)
    total = 0
    while True:
        ids = list(session.scalars(select(WebhookEvent.id).where(
            WebhookEvent.shop_domain == shop_domain, WebhookEvent.received_at < cutoff,
            WebhookEvent.status.in_(FINISHED)).limit(batch)))
        if not ids:
            return total
        session.execute(delete(WebhookEvent).where(WebhookEvent.id.in_(ids)))
        total += len(ids)


def domains_with_events(session: Session) -> list[tuple[str, int | None]]:
    """Every domain with stored deliveries, and our shop id when we still know the shop."""
    known = dict(session.execute(select(Shop.domain, Shop.id)).all())
    domains = session.scalars(select(WebhookEvent.shop_domain).distinct())
    return [(d, known.get(d)) for d in sorted(domains)]
