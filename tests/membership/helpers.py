"""Webhook payloads for membership tests, built from the topic samples, and ledger read-backs."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.devshop.sender import build_payload
from app.extensions import db
from app.membership import ledger
from app.models import Membership, Shop, SpendEntry, TierChange, utcnow
from tests.store.factories import SHOP


def iso(moment: datetime) -> str:
    return moment.isoformat()


def _money(amount, currency="USD", presentment=None, presentment_currency=None) -> dict:
    return {"shop_money": {"amount": str(amount), "currency_code": currency},
            "presentment_money": {"amount": str(presentment if presentment is not None else amount),
                                  "currency_code": presentment_currency or currency}}


def order(order_id: int, total, *, customer: int | None = None, email: str | None = None,
          days_ago: float = 10, topic: str = "orders/paid", presentment=None, presentment_currency=None,
          **overrides) -> dict:
    when = iso(utcnow() - timedelta(days=days_ago))
    email = email if email is not None else (f"c{customer}@example.com" if customer else None)
    values = {
        "id": order_id, "admin_graphql_api_id": f"gid://shopify/Order/{order_id}", "name": f"#{order_id}",
        "email": email, "contact_email": email, "currency": "USD",
        "presentment_currency": presentment_currency or "USD", "total_price": str(total),
        "total_price_set": _money(total, "USD", presentment, presentment_currency),
        "subtotal_price_set": _money(total, "USD", presentment, presentment_currency),
        "total_shipping_price_set": _money(0), "financial_status": "paid", "test": False,
        "processed_at": when, "created_at": when, "updated_at": when, "cancelled_at": None, "cancel_reason": None,
        "checkout_token": None, "cart_token": None, "line_items": [], "refunds": [], "fulfillments": [],
        "customer": None if customer is None else {
            "id": customer, "admin_graphql_api_id": f"gid://shopify/Customer/{customer}", "email": email,
            "state": "enabled", "tags": ""},
    }
    values.update(overrides)
    return build_payload(topic, shop_domain=SHOP, **values)


def cancelled(order_id: int, total, **kw) -> dict:
    now = iso(utcnow())
    return order(order_id, total, topic="orders/cancelled", cancelled_at=now, updated_at=now,
                 cancel_reason="customer", financial_status="voided", **kw)


def refund(refund_id: int, order_id: int, amount, currency: str = "USD") -> dict:
    now = iso(utcnow())
    return build_payload(
        "refunds/create", shop_domain=SHOP, id=refund_id, order_id=order_id, created_at=now, processed_at=now,
        admin_graphql_api_id=f"gid://shopify/Refund/{refund_id}", refund_line_items=[], order_adjustments=[],
        transactions=[{"id": refund_id * 10, "kind": "refund", "status": "success", "amount": str(amount),
                       "currency": currency, "order_id": order_id}])


def customer(customer_id: int, email: str) -> dict:
    return build_payload("customers/update", shop_domain=SHOP, id=customer_id, email=email,
                         admin_graphql_api_id=f"gid://shopify/Customer/{customer_id}",
                         updated_at=iso(utcnow()), default_address=None, addresses=[])


def spend_of(shop_id: int, *customer_ids: int) -> dict[int, Decimal]:
    with db.session(shop_id=shop_id) as s:
        shop = s.get(Shop, shop_id)
        return ledger.spend(s, shop, ledger.window_start(utcnow()), list(customer_ids) or None)


def entries(shop_id: int) -> list[tuple[str, int, Decimal]]:
    with db.session(shop_id=shop_id) as s:
        rows = s.scalars(select(SpendEntry).order_by(SpendEntry.id))
        return [(e.kind, e.source_id, e.amount) for e in rows]


def member(shop_id: int, customer_id: int) -> Membership | None:
    with db.session(shop_id=shop_id) as s:
        row = s.scalars(select(Membership).where(Membership.customer_shopify_id == customer_id)).one_or_none()
        if row is not None:
            s.expunge(row)
        return row


def changes(shop_id: int, customer_id: int) -> list[tuple[str | None, str]]:
    with db.session(shop_id=shop_id) as s:
        rows = s.scalars(select(TierChange).where(TierChange.customer_shopify_id == customer_id)
                         .order_by(TierChange.id))
        return [(c.from_tier, c.to_tier) for c in rows]
