"""Checkouts and carts, and the link from an order back to the checkout it converted.

Shopify delivers orders/create and checkouts/update in any order, so the link is made from both
sides: storing an order marks its checkout converted, and storing a checkout looks for its order.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.field_crypto import email_index, phone_index
from app.models import Cart, CartLine, Checkout, CheckoutLine, Order
from app.shopify.records import CartRecord, CheckoutRecord
from app.store._rows import upsert

# An order placed by the same email within this time after a checkout started is that checkout's conversion.
EMAIL_MATCH_WINDOW = timedelta(days=7)


def checkout_values(record: CheckoutRecord) -> dict:
    """The checkout's columns from its record (shared with the batch path, app/store/batch.py)."""
    values = {
        "shopify_id": record.shopify_id,
        "cart_token": record.cart_token,
        "email": record.email,
        "email_hash": email_index(record.email),  # email and phone are encrypted: lookups use these
        "phone": record.phone,
        "phone_hash": phone_index(record.phone),
        "customer_shopify_id": record.customer_id,
        "buyer_accepts_marketing": record.buyer_accepts_marketing,
        "buyer_accepts_sms_marketing": record.buyer_accepts_sms_marketing,
        "customer_locale": record.customer_locale,
        "currency": record.total_price.currency,
        "presentment_currency": record.presentment_currency,
        "total_price": record.total_price.amount,
        "subtotal_price": record.subtotal_price.amount if record.subtotal_price else None,
        "shipping_address": record.shipping_address.as_dict() if record.shipping_address else None,
        "abandoned_checkout_url": record.abandoned_checkout_url,
        "shopify_created_at": record.created_at,
        "shopify_updated_at": record.updated_at,
        "completed_at": record.completed_at,
        "closed_at": record.closed_at,
    }
    if record.cart_token is None:
        # The abandonedCheckouts query has no cart token; a re-read must not erase the one a webhook gave.
        del values["cart_token"]
    return values


def upsert_checkout(session: Session, shop_id: int, record: CheckoutRecord) -> Checkout:
    values = checkout_values(record)
    checkout, written = upsert(session, Checkout, shop_id, {"token": record.token}, values)
    if written:
        checkout.lines = [
            CheckoutLine(shop_id=shop_id, variant_id=line.variant_id, product_id=line.product_id, sku=line.sku,
                         title=line.title, quantity=line.quantity, price=line.price.amount,
                         image_url=line.image_url)
            for line in record.lines
        ]
    if checkout.converted_order_shopify_id is None:
        order = _order_for_checkout(session, shop_id, checkout)
        if order is not None:
            checkout.converted_order_shopify_id = order.shopify_id
    return checkout


def _order_for_checkout(session: Session, shop_id: int, checkout: Checkout) -> Order | None:
    base = select(Order).where(Order.shop_id == shop_id)
    order = session.scalars(base.where(Order.checkout_token == checkout.token).limit(1)).first()
    if order is None and checkout.cart_token:
        order = session.scalars(base.where(Order.cart_token == checkout.cart_token).limit(1)).first()
    if order is None and checkout.email and checkout.shopify_created_at:
        order = session.scalars(
            base.where(
                Order.email_hash == email_index(checkout.email),
                Order.shopify_created_at >= checkout.shopify_created_at,
                Order.shopify_created_at <= checkout.shopify_created_at + EMAIL_MATCH_WINDOW,
            ).order_by(Order.shopify_created_at).limit(1)
        ).first()
    return order


def link_order_to_checkout(session: Session, shop_id: int, order: Order) -> Checkout | None:
    """Mark the checkout this order came from as converted: by checkout token, cart token, else email."""
    base = select(Checkout).where(Checkout.shop_id == shop_id)
    checkout = None
    if order.checkout_token:
        checkout = session.scalars(base.where(Checkout.token == order.checkout_token)).first()
    if checkout is None and order.cart_token:
        checkout = session.scalars(base.where(Checkout.cart_token == order.cart_token)).first()
    if checkout is None and order.email and order.shopify_created_at:
        checkout = session.scalars(
            base.where(
                Checkout.email_hash == email_index(order.email),
                Checkout.converted_order_shopify_id.is_(None),
                Checkout.shopify_created_at <= order.shopify_created_at,
                Checkout.shopify_created_at >= order.shopify_created_at - EMAIL_MATCH_WINDOW,
            ).order_by(Checkout.shopify_created_at.desc()).limit(1)
        ).first()
    if checkout is not None and checkout.converted_order_shopify_id is None:
        checkout.converted_order_shopify_id = order.shopify_id
    return checkout


def upsert_cart(session: Session, shop_id: int, record: CartRecord) -> Cart:
    values = {"shopify_created_at": record.created_at, "shopify_updated_at": record.updated_at}
    cart, written = upsert(session, Cart, shop_id, {"token": record.token}, values)
    if written:
        cart.lines = [
            CartLine(shop_id=shop_id, variant_id=line.variant_id, product_id=line.product_id,
                     quantity=line.quantity, price=line.price.amount)
            for line in record.lines
        ]
    return cart
