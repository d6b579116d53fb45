"""Many orders stored at once, with the same outcome as `upsert_order` one after another.

The batch path of webhook processing (app/webhooks/batch.py) hands over one version of each order at most
(a second delivery of the same order waits for the next round), so every rule of the per-event path applies
unchanged: the stored rows are read `FOR UPDATE` in one statement, last write wins by Shopify's
updated_at is decided here in Python with the same `is_stale`, and the results go back as one multi-row
INSERT and one executemany UPDATE per table. The statements are Core statements on the mapped tables, so
the columns' own types (and whatever they do to a value) apply exactly as they do for the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from app.models import Customer, Order, OrderLine, Refund, utcnow
from app.shopify.records import OrderRecord
from app.store._rows import is_stale
from app.store.customers import _values as customer_values
from app.store.orders import PAID_STATUSES, order_values, refund_values

ORDERS, LINES, REFUNDS, CUSTOMERS = Order.__table__, OrderLine.__table__, Refund.__table__, Customer.__table__


class BatchConflict(Exception):
    """The batch cannot promise the per-event outcome for these events: it steps aside for the per-event path."""


@dataclass
class StoredOrder:
    """An order as stored once the batch has written it: what linking, recovery and the ledger read next."""

    id: int
    shopify_id: int
    email: str | None
    email_hash: str | None
    customer_shopify_id: int | None
    currency: str
    total_price: Decimal
    test: bool
    checkout_token: str | None
    cart_token: str | None
    processed_at: datetime | None
    paid_at: datetime | None
    shopify_created_at: datetime | None


def _stored(row: dict) -> StoredOrder:
    return StoredOrder(**{name: row.get(name) for name in StoredOrder.__dataclass_fields__})


def upsert_orders(session: Session, shop_id: int, records: Sequence[OrderRecord]) -> list[StoredOrder]:
    """Store the orders (unless we hold a newer version), their lines and refunds; one record per order."""
    ids = [r.shopify_id for r in records]
    existing = {row["shopify_id"]: dict(row) for row in session.execute(
        select(ORDERS).where(ORDERS.c.shop_id == shop_id, ORDERS.c.shopify_id.in_(ids))
        .order_by(ORDERS.c.id).with_for_update()).mappings()}
    _upsert_refunds(session, shop_id, records)
    refunded = _refunded(session, shop_id, ids)

    inserts, updates, written = [], [], []
    for record in records:
        old = existing.get(record.shopify_id)
        if old is None or not is_stale(record.updated_at, old["shopify_updated_at"]):
            new = {**(old or {"shopify_id": record.shopify_id, "paid_at": None, "fulfilled_at": None}),
                   **order_values(record)}
            moment = record.updated_at or record.processed_at
            if record.financial_status in PAID_STATUSES and new.get("paid_at") is None:
                new["paid_at"] = moment
            if record.fulfillment_status == "fulfilled" and new.get("fulfilled_at") is None:
                new["fulfilled_at"] = moment
            written.append(record)
        else:
            new = dict(old)
        new["total_refunded"] = refunded.get((record.shopify_id, new["currency"]), Decimal(0))
        if old is None:
            inserts.append({**new, "shop_id": shop_id})
        elif new != old:
            updates.append({**{k: v for k, v in new.items() if k not in ("id", "created_at", "updated_at")},
                            "_id": old["id"]})
        existing[record.shopify_id] = new
    if inserts:
        # A plain executemany: pipelined, one short statement. An order inserted meanwhile by another drain
        # fails the unique key, and the batch steps aside for the per-event path.
        session.execute(ORDERS.insert(), inserts)
        for row_id, shopify_id in session.execute(select(ORDERS.c.id, ORDERS.c.shopify_id).where(
                ORDERS.c.shop_id == shop_id, ORDERS.c.shopify_id.in_([row["shopify_id"] for row in inserts]))):
            existing[shopify_id]["id"] = row_id
    if updates:
        session.execute(update(ORDERS).where(ORDERS.c.id == bindparam("_id")), updates)
    _sync_lines(session, shop_id, {r.shopify_id: existing[r.shopify_id]["id"] for r in written}, written)
    _ensure_customers(session, shop_id, records)
    return [_stored(existing[r.shopify_id]) for r in records]


def _upsert_refunds(session: Session, shop_id: int, records: Sequence[OrderRecord]) -> None:
    # Refunds never change once made: a redelivery rewrites the same values (last one given wins).
    rows = {refund.shopify_id: {**refund_values(refund), "shop_id": shop_id, "shopify_id": refund.shopify_id}
            for record in records for refund in record.refunds}
    if not rows:
        return
    stmt = pg_insert(REFUNDS)
    stmt = stmt.on_conflict_do_update(index_elements=["shop_id", "shopify_id"], set_={
        name: stmt.excluded[name] for name in next(iter(rows.values())) if name not in ("shop_id", "shopify_id")})
    session.execute(stmt, list(rows.values()))


def _refunded(session: Session, shop_id: int, order_ids: list[int]) -> dict[tuple[int, str], Decimal]:
    """Refunded so far per (order, currency): summed from the rows, so a refund stored first still counts."""
    return {(order_id, currency): Decimal(total) for order_id, currency, total in session.execute(
        select(REFUNDS.c.order_shopify_id, REFUNDS.c.currency, func.sum(REFUNDS.c.amount))
        .where(REFUNDS.c.shop_id == shop_id, REFUNDS.c.order_shopify_id.in_(order_ids))
        .group_by(REFUNDS.c.order_shopify_id, REFUNDS.c.currency))}


def _sync_lines(session: Session, shop_id: int, row_ids: dict[int, int], records: Sequence[OrderRecord]) -> None:
    """Lines keep their Shopify id: updated in place, added, and those an order no longer has removed."""
    if not records:
        return
    stored: dict[int, dict[int, int]] = {}
    for line_id, order_id, shopify_id in session.execute(
            select(LINES.c.id, LINES.c.order_id, LINES.c.shopify_id)
            .where(LINES.c.shop_id == shop_id, LINES.c.order_id.in_(list(row_ids.values())))):
        stored.setdefault(order_id, {})[shopify_id] = line_id
    inserts, updates, gone = [], [], []
    for record in records:
        order_id = row_ids[record.shopify_id]
        existing = stored.get(order_id, {})
        keep = set()
        for line in record.lines:
            if line.shopify_id is None:
                continue
            keep.add(line.shopify_id)
            values = {"variant_id": line.variant_id, "product_id": line.product_id, "sku": line.sku,
                      "title": line.title, "quantity": line.quantity, "price": line.price.amount,
                      "currency": line.price.currency}
            if line.shopify_id in existing:
                updates.append({**values, "_id": existing[line.shopify_id]})
            else:
                inserts.append({**values, "shop_id": shop_id, "order_id": order_id, "shopify_id": line.shopify_id})
        gone += [line_id for shopify_id, line_id in existing.items() if shopify_id not in keep]
    if gone:
        session.execute(delete(LINES).where(LINES.c.shop_id == shop_id, LINES.c.id.in_(gone)))
    if updates:
        session.execute(update(LINES).where(LINES.c.id == bindparam("_id")), updates)
    if inserts:
        session.execute(LINES.insert(), inserts)


def _ensure_customers(session: Session, shop_id: int, records: Sequence[OrderRecord]) -> None:
    """An order's embedded customer is inserted only when we have nothing (that snapshot lacks consent)."""
    rows: dict[int, dict] = {}
    for record in records:
        if record.customer is not None and record.customer.shopify_id not in rows:
            rows[record.customer.shopify_id] = {
                **customer_values(record.customer), "shop_id": shop_id, "shopify_id": record.customer.shopify_id}
    if not rows:
        return
    now = utcnow()
    # Rows differ in which consent fields they carry; executemany needs one column set, so fill the gaps.
    names = set().union(*rows.values())
    values = [{name: row.get(name) for name in names} | {"created_at": now, "updated_at": now} for row in rows.values()]
    session.execute(pg_insert(CUSTOMERS).on_conflict_do_nothing(index_elements=["shop_id", "shopify_id"]), values)
