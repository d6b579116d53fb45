"""Orders, their lines and refunds. Money is stored in the shop's currency with the currency beside it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, BigId, ShopScoped, Timestamps
from app.models.encrypted import EncryptedJSON, EncryptedText, email_indexed


class Order(ShopScoped, Timestamps, Base):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("shop_id", "shopify_id"),
                      Index("ix_orders_shop_email_hash", "shop_id", "email_hash"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shopify_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(EncryptedText)  # encrypted at rest; found by email_hash
    email_hash: Mapped[str | None] = mapped_column(String(64))
    customer_shopify_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    currency: Mapped[str] = mapped_column(String(3))
    presentment_currency: Mapped[str | None] = mapped_column(String(3))
    total_price: Mapped[Decimal]
    subtotal_price: Mapped[Decimal | None]
    total_shipping: Mapped[Decimal | None]
    total_refunded: Mapped[Decimal] = mapped_column(default=Decimal(0))
    financial_status: Mapped[str | None] = mapped_column(String(32))
    fulfillment_status: Mapped[str | None] = mapped_column(String(32))
    checkout_token: Mapped[str | None] = mapped_column(String(64), index=True)
    cart_token: Mapped[str | None] = mapped_column(String(64), index=True)
    source_name: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[str] = mapped_column(Text, default="")
    test: Mapped[bool] = mapped_column(default=False)
    shipping_address: Mapped[dict | None] = mapped_column(EncryptedJSON)
    processed_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(32))
    fulfilled_at: Mapped[datetime | None]
    shopify_created_at: Mapped[datetime | None]
    shopify_updated_at: Mapped[datetime | None]

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", cascade="all, delete-orphan")


class OrderLine(ShopScoped, Base):
    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("shop_id", "shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(BigId, ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    shopify_id: Mapped[int] = mapped_column(BigInteger)
    variant_id: Mapped[int | None] = mapped_column(BigInteger)  # Shopify id
    product_id: Mapped[int | None] = mapped_column(BigInteger)  # Shopify id
    sku: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(512), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))

    order: Mapped[Order] = relationship(back_populates="lines")


class Refund(ShopScoped, Base):
    __tablename__ = "refunds"
    __table_args__ = (UniqueConstraint("shop_id", "shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shopify_id: Mapped[int] = mapped_column(BigInteger)
    order_shopify_id: Mapped[int] = mapped_column(BigInteger, index=True)
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]
    shopify_created_at: Mapped[datetime | None]


email_indexed(Order.email)
