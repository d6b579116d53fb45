"""Many checkouts stored at once, and orders linked to their checkouts at once: the batch forms of
`upsert_checkout` and `link_order_to_checkout` (app/store/checkouts.py), with the same rules.

As in app/store/batch.py, each checkout or order comes once per call, stored rows are read `FOR UPDATE` in
one statement, the rules run in Python, and the writes are one multi-row INSERT and one executemany UPDATE.
Where the per-event path takes "the first" of several matches (`.first()` without an order), this takes the
lowest id, the same row PostgreSQL's index scan gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from app.field_crypto import email_index
from app.models import Checkout, CheckoutLine, Order, utcnow
from app.shopify.records import CheckoutRecord
from app.store._rows import is_stale
from app.store.batch import StoredOrder
from app.store.checkouts import EMAIL_MATCH_WINDOW, checkout_values

CHECKOUTS, LINES, ORDERS = Checkout.__table__, CheckoutLine.__table__, Order.__table__


@dataclass
class StoredCheckout:
    """A checkout as stored once the batch has written it: what recovery reads (app/recovery/batch.py)."""

    id: int
    token: str
    cart_token: str | None
    email: str | None
    phone: str | None
    customer_shopify_id: int | None
    currency: str
    total_price: Decimal
    completed_at: datetime | None
    closed_at: datetime | None
    converted_order_shopify_id: int | None
    shopify_created_at: datetime | None
    shopify_updated_at: datetime | None
    created_at: datetime | None


def upsert_checkouts(session: Session, shop_id: int, records: Sequence[CheckoutRecord]) -> list[StoredCheckout]:
    """Store the checkouts (unless we hold a newer version) with their lines, and link each still unconverted
    one to the order it became, when we have that order."""
    existing = {row["token"]: dict(row) for row in session.execute(
        select(CHECKOUTS).where(CHECKOUTS.c.shop_id == shop_id, CHECKOUTS.c.token.in_([r.token for r in records]))
        .order_by(CHECKOUTS.c.id).with_for_update()).mappings()}
    now = utcnow()
    written, stored = [], []
    for record in records:
        old = existing.get(record.token)
        if old is None:
            new = {"token": record.token, "cart_token": None, "converted_order_shopify_id": None,
                   "created_at": now, **checkout_values(record)}
            written.append(record)
        elif not is_stale(record.updated_at, old["shopify_updated_at"]):
            new = {**old, **checkout_values(record)}
            written.append(record)
        else:
            new = dict(old)
        stored.append((record, old, new))
    _find_orders(session, shop_id, [new for _, _, new in stored if new["converted_order_shopify_id"] is None])

    inserts = [{**new, "shop_id": shop_id} for _, old, new in stored if old is None]
    updates = [{**{k: v for k, v in new.items() if k not in ("id", "created_at", "updated_at")}, "_id": old["id"]}
               for _, old, new in stored if old is not None and new != old]
    if inserts:
        # A plain executemany (pipelined); a checkout inserted meanwhile fails the unique key and the batch
        # steps aside for the per-event path.
        session.execute(CHECKOUTS.insert(), inserts)
        made = {token: row_id for row_id, token in session.execute(select(CHECKOUTS.c.id, CHECKOUTS.c.token).where(
            CHECKOUTS.c.shop_id == shop_id, CHECKOUTS.c.token.in_([row["token"] for row in inserts])))}
        for record, old, new in stored:
            if old is None:
                new["id"] = made[record.token]
    if updates:
        session.execute(update(CHECKOUTS).where(CHECKOUTS.c.id == bindparam("_id")), updates)
    _replace_lines(session, shop_id, {r.token: existing[r.token]["id"] for r in written if r.token in existing},
                   {r.token: new["id"] for r, _, new in stored}, written)
    return [StoredCheckout(**{name: new.get(name) for name in StoredCheckout.__dataclass_fields__})
            for _, _, new in stored]


def _replace_lines(session: Session, shop_id: int, rewritten: dict[str, int], row_ids: dict[str, int],
                   records: Sequence[CheckoutRecord]) -> None:
    """A written checkout's lines are replaced by the record's (what assigning `checkout.lines` does)."""
    if rewritten:
        session.execute(delete(LINES).where(LINES.c.shop_id == shop_id,
                                            LINES.c.checkout_id.in_(list(rewritten.values()))))
    rows = [{"shop_id": shop_id, "checkout_id": row_ids[r.token], "variant_id": line.variant_id,
             "product_id": line.product_id, "sku": line.sku, "title": line.title, "quantity": line.quantity,
             "price": line.price.amount, "image_url": line.image_url} for r in records for line in r.lines]
    if rows:
        session.execute(LINES.insert(), rows)


def _find_orders(session: Session, shop_id: int, checkouts: list[dict]) -> None:
    """Set `converted_order_shopify_id` of checkouts whose order we already hold: by checkout token, cart
    token, else an order by the same email within the window after the checkout started."""
    if not checkouts:
        return
    tokens = [c["token"] for c in checkouts]
    carts = [c["cart_token"] for c in checkouts if c["cart_token"]]
    emails = [email_index(c["email"]) for c in checkouts if c["email"] and c["shopify_created_at"]]
    wanted = [ORDERS.c.checkout_token.in_(tokens)] + ([ORDERS.c.cart_token.in_(carts)] if carts else []) + (
        [ORDERS.c.email_hash.in_(emails)] if emails else [])
    orders = session.execute(
        select(ORDERS.c.shopify_id, ORDERS.c.checkout_token, ORDERS.c.cart_token, ORDERS.c.email_hash,
               ORDERS.c.shopify_created_at)
        .where(ORDERS.c.shop_id == shop_id, or_(*wanted)).order_by(ORDERS.c.id)).all()
    for checkout in checkouts:
        match = next((o for o in orders if o.checkout_token == checkout["token"]), None)
        if match is None and checkout["cart_token"]:
            match = next((o for o in orders if o.cart_token == checkout["cart_token"]), None)
        started = checkout["shopify_created_at"]
        if match is None and checkout["email"] and started:
            key = email_index(checkout["email"])
            near = [o for o in orders if o.email_hash == key and o.shopify_created_at is not None
                    and started <= o.shopify_created_at <= started + EMAIL_MATCH_WINDOW]
            match = min(near, key=lambda o: o.shopify_created_at, default=None)
        if match is not None:
            checkout["converted_order_shopify_id"] = match.shopify_id


def link_orders(session: Session, shop_id: int, orders: Sequence[StoredOrder]) -> dict[int, int]:
    """Mark the checkout each order came from as converted: by checkout token, cart token, else email.
    Returns {checkout id: order id} of the checkouts found that are linked to one of these orders."""
    tokens = [o.checkout_token for o in orders if o.checkout_token]
    carts = [o.cart_token for o in orders if o.cart_token]
    emails = [email_index(o.email) for o in orders if o.email and o.shopify_created_at]
    wanted = ([CHECKOUTS.c.token.in_(tokens)] if tokens else []) + (
        [CHECKOUTS.c.cart_token.in_(carts)] if carts else []) + ([CHECKOUTS.c.email_hash.in_(emails)] if emails else [])
    if not wanted:
        return {}
    checkouts = session.execute(
        select(CHECKOUTS.c.id, CHECKOUTS.c.token, CHECKOUTS.c.cart_token, CHECKOUTS.c.email_hash,
               CHECKOUTS.c.converted_order_shopify_id, CHECKOUTS.c.shopify_created_at)
        .where(CHECKOUTS.c.shop_id == shop_id, or_(*wanted)).order_by(CHECKOUTS.c.id)).mappings().all()
    checkouts = [dict(c) for c in checkouts]
    linked = []
    for order in orders:
        checkout = None
        if order.checkout_token:
            checkout = next((c for c in checkouts if c["token"] == order.checkout_token), None)
        if checkout is None and order.cart_token:
            checkout = next((c for c in checkouts if c["cart_token"] == order.cart_token), None)
        placed = order.shopify_created_at
        if checkout is None and order.email and placed:
            key = email_index(order.email)
            near = [c for c in checkouts if c["email_hash"] == key and c["converted_order_shopify_id"] is None
                    and c["shopify_created_at"] is not None
                    and placed - EMAIL_MATCH_WINDOW <= c["shopify_created_at"] <= placed]
            checkout = max(near, key=lambda c: c["shopify_created_at"], default=None)
        if checkout is not None and checkout["converted_order_shopify_id"] is None:
            checkout["converted_order_shopify_id"] = order.shopify_id
            linked.append({"_id": checkout["id"], "converted_order_shopify_id": order.shopify_id})
    if linked:
        session.execute(update(CHECKOUTS).where(CHECKOUTS.c.id == bindparam("_id")), linked)
    ids = {o.shopify_id for o in orders}
    return {c["id"]: c["converted_order_shopify_id"] for c in checkouts if c["converted_order_shopify_id"] in ids}
