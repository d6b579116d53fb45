"""Orders and refunds, last write wins by Shopify's updated_at."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.field_crypto import email_index
from app.models import Order, OrderLine, Refund
from app.shopify.records import LineRecord, OrderRecord, RefundRecord
from app.store._rows import upsert

PAID_STATUSES = frozenset({"paid", "partially_refunded", "refunded"})


def order_values(record: OrderRecord) -> dict:
    """The order's columns from its record (this path and the batch path in batch.py store the same)."""
    return {
        "name": record.name,
        "email": record.email,
        "email_hash": email_index(record.email),  # the email is encrypted: lookups use this
        "customer_shopify_id": record.customer_id,
        "currency": record.total_price.currency,
        "presentment_currency": record.presentment_currency,
        "total_price": record.total_price.amount,
        "subtotal_price": record.subtotal_price.amount if record.subtotal_price else None,
        "total_shipping": record.total_shipping.amount if record.total_shipping else None,
        "financial_status": record.financial_status,
        "fulfillment_status": record.fulfillment_status,
        "checkout_token": record.checkout_token,
        "cart_token": record.cart_token,
        "source_name": record.source_name,
        "tags": ", ".join(record.tags),
        "test": record.test,
        "shipping_address": record.shipping_address.as_dict() if record.shipping_address else None,
        "processed_at": record.processed_at,
        "cancelled_at": record.cancelled_at,
        "cancel_reason": record.cancel_reason,
        "shopify_created_at": record.created_at,
        "shopify_updated_at": record.updated_at,
    }


def upsert_order(session: Session, shop_id: int, record: OrderRecord) -> Order:
    """Store the order (unless we already hold a newer version), its lines, refunds, and checkout link."""
    from app.store.checkouts import link_order_to_checkout
    from app.store.customers import ensure_customer

    values = order_values(record)
    order, written = upsert(session, Order, shop_id, {"shopify_id": record.shopify_id}, values)
    if written:
        _sync_lines(session, shop_id, order, record.lines)
        moment = record.updated_at or record.processed_at
        if record.financial_status in PAID_STATUSES and order.paid_at is None:
            order.paid_at = moment
        if record.fulfillment_status == "fulfilled" and order.fulfilled_at is None:
            order.fulfilled_at = moment
    for refund in record.refunds:
        upsert_refund(session, shop_id, refund, recompute=False)
    session.flush()
    _recompute_refunded(session, shop_id, order)
    if record.customer is not None:
        ensure_customer(session, shop_id, record.customer)
    link_order_to_checkout(session, shop_id, order)
    return order


def _sync_lines(session: Session, shop_id: int, order: Order, lines: tuple[LineRecord, ...]) -> None:
    # Lines keep their Shopify id (unique per shop), so update in place rather than delete and re-add.
    existing = {line.shopify_id: line for line in order.lines}
    keep = set()
    for line in lines:
        if line.shopify_id is None:
            continue
        keep.add(line.shopify_id)
        row = existing.get(line.shopify_id)
        if row is None:
            row = OrderLine(shop_id=shop_id, shopify_id=line.shopify_id)
            order.lines.append(row)
        row.variant_id, row.product_id, row.sku = line.variant_id, line.product_id, line.sku
        row.title, row.quantity = line.title, line.quantity
        row.price, row.currency = line.price.amount, line.price.currency
    for shopify_id, row in existing.items():
        if shopify_id not in keep:
            order.lines.remove(row)


def upsert_refund(session: Session, shop_id: int, record: RefundRecord, *, recompute: bool = True) -> Refund:
    """Refunds never change once made; a redelivery rewrites the same values. Updates the order's total."""
    refund, _ = upsert(session, Refund, shop_id, {"shopify_id": record.shopify_id}, refund_values(record),
                       version_attr=None)
    if recompute:
        session.flush()
        order = session.scalars(
            select(Order).where(Order.shop_id == shop_id, Order.shopify_id == record.order_id).with_for_update()
        ).one_or_none()
        if order is not None:
            _recompute_refunded(session, shop_id, order)
    return refund


def refund_values(record: RefundRecord) -> dict:
    return {
        "order_shopify_id": record.order_id,
        "amount": record.amount.amount,
        "currency": record.amount.currency,
        "note": record.note,
        "processed_at": record.processed_at,
        "shopify_created_at": record.created_at,
    }


def _recompute_refunded(session: Session, shop_id: int, order: Order) -> None:
    # Summed from the refund rows, so a refund that arrived before its order still counts.
    total = session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.shop_id == shop_id, Refund.order_shopify_id == order.shopify_id, Refund.currency == order.currency
        )
    )
    order.total_refunded = Decimal(total)
