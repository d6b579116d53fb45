"""Customers and their marketing consent."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.field_crypto import email_index, phone_index
from app.models import Customer
from app.shopify.records import CustomerRecord, EmailConsentRecord
from app.store._rows import is_stale, locked, upsert

_CONSENT_FIELDS = ("email_marketing_state", "email_marketing_opt_in_level", "email_consent_updated_at",
                   "sms_marketing_state")


def _values(record: CustomerRecord) -> dict[str, object]:
    values: dict[str, object] = {
        "email": record.email,
        "email_hash": email_index(record.email),  # email and phone are encrypted: lookups use these
        "phone": record.phone,
        "phone_hash": phone_index(record.phone),
        "first_name": record.first_name,
        "last_name": record.last_name,
        "locale": record.locale,
        "state": record.state,
        "tags": ", ".join(record.tags),
        "shopify_updated_at": record.updated_at,
    }
    # customers/update bodies carry no consent (it has its own topic): absent is "unknown", not "cleared".
    for name in _CONSENT_FIELDS:
        if getattr(record, name) is not None:
            values[name] = getattr(record, name)
    return values


def upsert_customer(session: Session, shop_id: int, record: CustomerRecord) -> Customer:
    customer, _ = upsert(session, Customer, shop_id, {"shopify_id": record.shopify_id}, _values(record))
    return customer


def ensure_customer(session: Session, shop_id: int, record: CustomerRecord) -> Customer:
    """Insert from an order's embedded customer only when we have nothing: that snapshot lacks consent fields."""
    existing = locked(session, Customer, shop_id, {"shopify_id": record.shopify_id})
    return existing if existing is not None else upsert_customer(session, shop_id, record)


def mark_customer_deleted(session: Session, shop_id: int, customer_id: int) -> Customer | None:
    customer = locked(session, Customer, shop_id, {"shopify_id": customer_id})
    if customer is not None:
        customer.deleted = True
    return customer


def update_email_consent(session: Session, shop_id: int, record: EmailConsentRecord) -> Customer | None:
    """Consent changes carry their own time; an older consent event never overrides a newer one."""
    customer = locked(session, Customer, shop_id, {"shopify_id": record.customer_id})
    if customer is None:
        customer, _ = upsert(session, Customer, shop_id, {"shopify_id": record.customer_id},
                             {"email": record.email}, version_attr=None)
    if is_stale(record.consent_updated_at, customer.email_consent_updated_at):
        return customer
    customer.email_marketing_state = record.state
    customer.email_marketing_opt_in_level = record.opt_in_level
    customer.email_consent_updated_at = record.consent_updated_at
    if record.email:
        customer.email = record.email
    return customer
