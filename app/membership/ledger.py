"""The spend ledger: one signed line per paid order, refund and cancellation, in shop money.

Each line is unique on (shop, kind, source id), so a replayed webhook inserts nothing. Totals are
computed per order first: an order contributes max(paid − refunds, 0), or 0 once cancelled, so a
refund larger than what is left (or arriving before its order) never pushes a total below zero, and
events in any order give the same result. An order counts in the window by the date it was paid.
Guest lines carry the blind index of the order's email (app/field_crypto.py), never the email itself; they
join a customer with the same index at computation time.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.field_crypto import email_index
from app.membership.rfm import Activity
from app.models import Customer, Order, Refund, Shop, SpendEntry, utcnow

log = logging.getLogger(__name__)

PAID, REFUND, CANCEL = "paid", "refund", "cancel"
TRAILING, CALENDAR_YEAR = "trailing_365", "calendar_year"
WINDOWS = (TRAILING, CALENDAR_YEAR)


@dataclass(frozen=True)
class Owner:
    customer_id: int | None
    email_hash: str | None  # the blind index of a guest's email


def window_start(now: datetime, window: str = TRAILING) -> datetime:
    if window == CALENDAR_YEAR:
        return datetime(now.year, 1, 1, tzinfo=UTC)
    return now - timedelta(days=365)


def _insert(session: Session, values: dict) -> bool:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(SpendEntry).values(**values).on_conflict_do_nothing(
        index_elements=["shop_id", "kind", "source_id"])
    return bool(session.execute(stmt).rowcount)


def _order(session: Session, shop_id: int, order_shopify_id: int) -> Order | None:
    return session.scalars(
        select(Order).where(Order.shop_id == shop_id, Order.shopify_id == order_shopify_id)
    ).one_or_none()


def _owner(order: Order | None) -> Owner:
    if order is None:
        return Owner(None, None)
    return Owner(order.customer_shopify_id, order.email_hash)


def record_paid(session: Session, shop: Shop, order_shopify_id: int) -> Owner | None:
    """The order's total, once. Lines written earlier for this order (a refund that came first) get its owner.
    Test orders (Shopify's bogus gateway, a merchant trying the checkout) are not spend."""
    order = _order(session, shop.id, order_shopify_id)
    if order is None or order.test:
        return None
    owner = _owner(order)
    _insert(session, {
        "shop_id": shop.id, "kind": PAID, "source_id": order.shopify_id, "order_shopify_id": order.shopify_id,
        "customer_shopify_id": owner.customer_id, "email_hash": owner.email_hash, "amount": order.total_price,
        "currency": order.currency, "occurred_at": order.paid_at or order.processed_at or utcnow(),
    })
    session.execute(
        update(SpendEntry).where(SpendEntry.shop_id == shop.id, SpendEntry.order_shopify_id == order.shopify_id,
                                 SpendEntry.customer_shopify_id.is_(None), SpendEntry.email_hash.is_(None))
        .values(customer_shopify_id=owner.customer_id, email_hash=owner.email_hash)
        .execution_options(synchronize_session=False)
    )
    return owner


def record_refund(session: Session, shop: Shop, refund_shopify_id: int) -> Owner | None:
    refund = session.scalars(
        select(Refund).where(Refund.shop_id == shop.id, Refund.shopify_id == refund_shopify_id)
    ).one_or_none()
    if refund is None:
        return None
    if refund.currency != shop.currency:
        # Shop money only: a presentment-currency amount would be a different number of dollars.
        log.warning("refund %s in %s, not the shop's %s: left out of the ledger",
                    refund.shopify_id, refund.currency, shop.currency)
        return None
    owner = _owner(_order(session, shop.id, refund.order_shopify_id))
    _insert(session, {
        "shop_id": shop.id, "kind": REFUND, "source_id": refund.shopify_id,
        "order_shopify_id": refund.order_shopify_id, "refund_shopify_id": refund.shopify_id,
        "customer_shopify_id": owner.customer_id, "email_hash": owner.email_hash, "amount": -refund.amount,
        "currency": refund.currency, "occurred_at": refund.processed_at or refund.shopify_created_at or utcnow(),
    })
    return owner


def record_cancel(session: Session, shop: Shop, order_shopify_id: int) -> Owner | None:
    """Reverses what the order still contributes; the per-order rule zeroes it whatever arrives later."""
    order = _order(session, shop.id, order_shopify_id)
    if order is None or order.cancelled_at is None:
        return None
    so_far = session.scalar(
        select(func.coalesce(func.sum(SpendEntry.amount), 0)).where(
            SpendEntry.shop_id == shop.id, SpendEntry.order_shopify_id == order.shopify_id,
            SpendEntry.currency == order.currency)
    )
    owner = _owner(order)
    _insert(session, {
        "shop_id": shop.id, "kind": CANCEL, "source_id": order.shopify_id, "order_shopify_id": order.shopify_id,
        "customer_shopify_id": owner.customer_id, "email_hash": owner.email_hash,
        "amount": -max(Decimal(so_far), Decimal(0)),
        "currency": order.currency, "occurred_at": order.cancelled_at,
    })
    return owner


def _per_order(shop_id: int, currency: str, customer_id: int | None = None, email_hash: str | None = None):
    e = SpendEntry
    total = func.sum(e.amount)
    cancelled = func.max(case((e.kind == CANCEL, 1), else_=0))
    stmt = select(
        e.order_shopify_id,
        func.max(e.customer_shopify_id).label("customer_id"),
        func.max(e.email_hash).label("email_hash"),
        func.max(case((e.kind == PAID, e.occurred_at))).label("paid_at"),
        case((cancelled == 1, 0), (total > 0, total), else_=0).label("net"),
        cancelled.label("cancelled"),
    ).where(e.shop_id == shop_id, e.currency == currency)
    if customer_id is not None:
        mine = e.customer_shopify_id == customer_id
        if email_hash:
            mine = or_(mine, and_(e.customer_shopify_id.is_(None), e.email_hash == email_hash))
        stmt = stmt.where(mine)
    return stmt.group_by(e.order_shopify_id).subquery("per_order")


def _owned(shop_id: int, per_order, email_hash: str | None = None):
    """per_order rows with their owning customer: their own id, or a live customer with the guest email
    (compared by blind index). With `email_hash` (one customer's spend) only that email's owners are looked
    up, through the index."""
    owners = select(Customer.email_hash, func.min(Customer.shopify_id).label("customer_id"))
    owners = owners.where(Customer.shop_id == shop_id, Customer.email_hash.is_not(None), Customer.deleted.is_(False))
    if email_hash is not None:
        owners = owners.where(Customer.email_hash == email_hash)
    by_email = owners.group_by(Customer.email_hash).subquery("by_email")
    owner = func.coalesce(per_order.c.customer_id, by_email.c.customer_id).label("owner")
    joined = per_order.outerjoin(
        by_email, and_(per_order.c.customer_id.is_(None), per_order.c.email_hash == by_email.c.email_hash))
    return owner, joined


def spend(session: Session, shop: Shop, since: datetime, customer_ids: Sequence[int] | None = None
          ) -> dict[int, Decimal]:
    """Net spend per customer for orders paid since `since`; every customer with a ledger line when ids is None."""
    email_hash = None
    if customer_ids is not None and len(customer_ids) == 1:
        email_hash = session.scalar(select(Customer.email_hash).where(
            Customer.shop_id == shop.id, Customer.shopify_id == customer_ids[0], Customer.deleted.is_(False)))
        per_order = _per_order(shop.id, shop.currency, customer_ids[0], email_hash)
    else:
        per_order = _per_order(shop.id, shop.currency)
    # One customer: their lines and guest lines under their email; nobody else's email can own those.
    owner, joined = _owned(shop.id, per_order,
                           email_hash if customer_ids is not None and len(customer_ids) == 1 else None)
    in_window = case((per_order.c.paid_at >= since, per_order.c.net), else_=0)
    stmt = select(owner, func.sum(in_window)).select_from(joined).where(owner.is_not(None)).group_by(owner)
    if customer_ids is not None:
        stmt = stmt.where(owner.in_(customer_ids))
    result = {int(cid): Decimal(total) for cid, total in session.execute(stmt)}
    for cid in customer_ids or ():
        result.setdefault(cid, Decimal(0))
    return result


def totals(session: Session, shop: Shop, since: datetime) -> list[tuple[int, datetime | None, datetime | None,
                                                                        int, Decimal]]:
    """Per customer, in one grouped query: first and last paid order (not cancelled; None when there is none),
    how many such orders, and net spend since `since`."""
    per_order = _per_order(shop.id, shop.currency)
    owner, joined = _owned(shop.id, per_order)
    live = and_(per_order.c.paid_at.is_not(None), per_order.c.cancelled == 0)
    stmt = (
        select(owner,
               func.min(case((live, per_order.c.paid_at))), func.max(case((live, per_order.c.paid_at))),
               func.sum(case((live, 1), else_=0)),
               func.sum(case((per_order.c.paid_at >= since, per_order.c.net), else_=0)))
        .select_from(joined).where(owner.is_not(None)).group_by(owner)
    )
    return [(int(cid), first, last, int(orders), Decimal(money)) for cid, first, last, orders, money
            in session.execute(stmt)]


def activity(session: Session, shop: Shop, since: datetime) -> list[Activity]:
    """RFM inputs of every customer with at least one live paid order."""
    return [Activity(cid, first, last, orders, money)
            for cid, first, last, orders, money in totals(session, shop, since) if first is not None]


def erase_customer(session: Session, shop_id: int, customer_id: int | None, email: str | None,
                   order_ids: Sequence[int] = ()) -> int:
    """customers/redact: the person's lines go, all kinds of every order they are tied to."""
    email_hash = email_index(email)
    who = [c for wanted, c in ((customer_id is not None, SpendEntry.customer_shopify_id == customer_id),
                               (bool(email_hash), SpendEntry.email_hash == email_hash),
                               (bool(order_ids), SpendEntry.order_shopify_id.in_(order_ids))) if wanted]
    if not who:
        return 0
    orders = select(SpendEntry.order_shopify_id).where(SpendEntry.shop_id == shop_id, or_(*who))
    result = session.execute(
        delete(SpendEntry).where(SpendEntry.shop_id == shop_id, SpendEntry.order_shopify_id.in_(orders))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
