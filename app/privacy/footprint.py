"""Where one customer's data lives: every table, and how to find that customer's rows in it.

A compliance request names a customer id, an email, a phone and some orders. `locate` widens that once
through what we hold (the customer row's own email and phone, the orders and checkouts they lead to, the
recovery cases of those checkouts), so export and erasure find the same rows. Emails and phones are encrypted
at rest: rows are found by their blind indexes (app/field_crypto.py). `TABLES` is the one list of
tables that can hold a person's data; a test fails when a model gains a personal column and is not listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.field_crypto import email_index, phone_index
from app.models import (
    Cart,
    CartLine,
    Checkout,
    CheckoutLine,
    Customer,
    CustomerAccess,
    DataExport,
    Fulfillment,
    Membership,
    Order,
    OrderLine,
    OrderPromise,
    RecoveryCase,
    RecoveryMessage,
    RecoveryOptOut,
    Refund,
    RoutingDecision,
    SegmentChange,
    SpendEntry,
    StockReservation,
    TierChange,
    TierNotice,
)
from app.models.recovery import RecoveryWaitingItem
from app.shopify.records import CustomerPrivacyRequest


@dataclass(frozen=True)
class Subject:
    shop_id: int
    customer_ids: frozenset[int]
    emails: frozenset[str]  # lower-cased
    phones: frozenset[str]
    order_ids: frozenset[int]  # Shopify ids
    checkout_ids: frozenset[int]  # our ids
    checkout_tokens: frozenset[str]
    cart_tokens: frozenset[str]
    case_ids: frozenset[int]

    @property
    def email_hashes(self) -> frozenset[str]:
        return _clean(email_index(e) for e in self.emails)

    @property
    def phone_hashes(self) -> frozenset[str]:
        return _clean(phone_index(p) for p in self.phones)

    @property
    def empty(self) -> bool:
        return not (self.customer_ids or self.emails or self.phones or self.order_ids)


def _clean(values) -> frozenset:
    return frozenset(v for v in values if v not in (None, ""))


def _email_hashes(emails) -> frozenset[str]:
    return _clean(email_index(e) for e in emails)


def locate(session: Session, shop_id: int, req: CustomerPrivacyRequest) -> Subject:
    ids = _clean([req.customer_id])
    emails = _clean([req.email.strip().lower() if req.email else None])
    phones = _clean([req.phone.strip() if req.phone else None])
    if ids or emails:
        for cid, email, phone in session.execute(select(Customer.shopify_id, Customer.email, Customer.phone).where(
                Customer.shop_id == shop_id,
                or_(Customer.shopify_id.in_(ids), Customer.email_hash.in_(_email_hashes(emails))))):
            ids |= {cid}
            emails |= _clean([email.strip().lower() if email else None])
            phones |= _clean([phone])
    order_ids = _clean(req.order_ids) | _clean(session.scalars(select(Order.shopify_id).where(
        Order.shop_id == shop_id,
        or_(Order.customer_shopify_id.in_(ids), Order.email_hash.in_(_email_hashes(emails))))))
    checkouts = session.execute(select(Checkout.id, Checkout.token, Checkout.cart_token).where(
        Checkout.shop_id == shop_id,
        or_(Checkout.customer_shopify_id.in_(ids), Checkout.email_hash.in_(_email_hashes(emails)),
            Checkout.phone_hash.in_(_clean(phone_index(p) for p in phones)),
            Checkout.converted_order_shopify_id.in_(order_ids)))).all()
    checkout_ids = _clean(c[0] for c in checkouts)
    case_ids = _clean(session.scalars(select(RecoveryCase.id).where(
        RecoveryCase.shop_id == shop_id,
        or_(RecoveryCase.checkout_id.in_(checkout_ids), RecoveryCase.customer_shopify_id.in_(ids),
            RecoveryCase.email_hash.in_(_email_hashes(emails))))))
    return Subject(shop_id, ids, emails, phones, order_ids, checkout_ids, _clean(c[1] for c in checkouts),
                   _clean(c[2] for c in checkouts), case_ids)


Where = Callable[[Subject], ColumnElement[bool]]


def _orders(s: Subject):
    return select(Order.id).where(Order.shop_id == s.shop_id, Order.shopify_id.in_(s.order_ids))


def _carts(s: Subject):
    return select(Cart.id).where(Cart.shop_id == s.shop_id, Cart.token.in_(s.cart_tokens))


# Every table that can hold something about one customer, with how to find their rows (the shop filter is
# added by the callers). Order matters for erasure only through the dependency notes in app/privacy/redact.py.
TABLES: dict[type, Where] = {
    Customer: lambda s: or_(Customer.shopify_id.in_(s.customer_ids), Customer.email_hash.in_(s.email_hashes)),
    Order: lambda s: Order.shopify_id.in_(s.order_ids),
    OrderLine: lambda s: OrderLine.order_id.in_(_orders(s)),
    Refund: lambda s: Refund.order_shopify_id.in_(s.order_ids),
    Fulfillment: lambda s: Fulfillment.order_shopify_id.in_(s.order_ids),
    OrderPromise: lambda s: OrderPromise.order_shopify_id.in_(s.order_ids),
    RoutingDecision: lambda s: RoutingDecision.order_shopify_id.in_(s.order_ids),
    Checkout: lambda s: Checkout.id.in_(s.checkout_ids),
    CheckoutLine: lambda s: CheckoutLine.checkout_id.in_(s.checkout_ids),
    Cart: lambda s: Cart.token.in_(s.cart_tokens),
    CartLine: lambda s: CartLine.cart_id.in_(_carts(s)),
    StockReservation: lambda s: StockReservation.reference.in_([f"checkout:{t}" for t in sorted(s.checkout_tokens)]),
    SpendEntry: lambda s: or_(SpendEntry.customer_shopify_id.in_(s.customer_ids),
                              SpendEntry.email_hash.in_(s.email_hashes), SpendEntry.order_shopify_id.in_(s.order_ids)),
    Membership: lambda s: Membership.customer_shopify_id.in_(s.customer_ids),
    TierChange: lambda s: TierChange.customer_shopify_id.in_(s.customer_ids),
    SegmentChange: lambda s: SegmentChange.customer_shopify_id.in_(s.customer_ids),
    TierNotice: lambda s: TierNotice.customer_shopify_id.in_(s.customer_ids),
    RecoveryCase: lambda s: RecoveryCase.id.in_(s.case_ids),
    RecoveryMessage: lambda s: or_(RecoveryMessage.case_id.in_(s.case_ids),
                                   RecoveryMessage.email_hash.in_(s.email_hashes)),
    RecoveryWaitingItem: lambda s: RecoveryWaitingItem.case_id.in_(s.case_ids),
    RecoveryOptOut: lambda s: RecoveryOptOut.email_hash.in_(s.email_hashes),
    CustomerAccess: lambda s: or_(CustomerAccess.customer_shopify_id.in_(s.customer_ids),
                                  CustomerAccess.recovery_case_id.in_(s.case_ids)),
    DataExport: lambda s: DataExport.customer_shopify_id.in_(s.customer_ids),
}

# Exported under their parent (lines under orders and checkouts) or not at all (an export of an export).
NESTED = {OrderLine: (Order, "order_id"), CheckoutLine: (Checkout, "checkout_id"), CartLine: (Cart, "cart_id")}
NOT_EXPORTED = frozenset({DataExport})


def rows(session: Session, subject: Subject, model: type) -> list:
    return list(session.scalars(select(model).where(model.shop_id == subject.shop_id, TABLES[model](subject))
                                .order_by(model.id)))
