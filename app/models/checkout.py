"""Checkouts (with contact details: what recovery works from) and carts (demand signals only)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, BigId, ShopScoped, Timestamps
from app.models.encrypted import EncryptedJSON, EncryptedText, email_indexed, phone_indexed


class Checkout(ShopScoped, Timestamps, Base):
    __tablename__ = "checkouts"
    __table_args__ = (UniqueConstraint("shop_id", "token"),
                      Index("ix_checkouts_shop_email_hash", "shop_id", "email_hash"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shopify_id: Mapped[int | None] = mapped_column(BigInteger)
    token: Mapped[str] = mapped_column(String(64))
    cart_token: Mapped[str | None] = mapped_column(String(64), index=True)
    # Encrypted at rest (app/models/encrypted.py); found by their blind indexes.
    email: Mapped[str | None] = mapped_column(EncryptedText)
    email_hash: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    customer_shopify_id: Mapped[int | None] = mapped_column(BigInteger)
    buyer_accepts_marketing: Mapped[bool] = mapped_column(default=False)
    buyer_accepts_sms_marketing: Mapped[bool] = mapped_column(default=False)
    customer_locale: Mapped[str | None] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    presentment_currency: Mapped[str | None] = mapped_column(String(3))
    total_price: Mapped[Decimal]
    subtotal_price: Mapped[Decimal | None]
    shipping_address: Mapped[dict | None] = mapped_column(EncryptedJSON)
    abandoned_checkout_url: Mapped[str | None] = mapped_column(String(2048))
    shopify_created_at: Mapped[datetime | None]
    shopify_updated_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # Set when an order arrives for this checkout (by checkout token, cart token or email).
    converted_order_shopify_id: Mapped[int | None] = mapped_column(BigInteger)

    lines: Mapped[list[CheckoutLine]] = relationship(back_populates="checkout", cascade="all, delete-orphan")


email_indexed(Checkout.email)
phone_indexed(Checkout.phone)


class CheckoutLine(ShopScoped, Base):
    __tablename__ = "checkout_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    checkout_id: Mapped[int] = mapped_column(BigId, ForeignKey("checkouts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(BigInteger)
    product_id: Mapped[int | None] = mapped_column(BigInteger)
    sku: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(512), default="")
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal]
    image_url: Mapped[str | None] = mapped_column(String(2048))  # the abandonedCheckouts query gives it

    checkout: Mapped[Checkout] = relationship(back_populates="lines")


class Cart(ShopScoped, Timestamps, Base):
    __tablename__ = "carts"
    __table_args__ = (UniqueConstraint("shop_id", "token"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token: Mapped[str] = mapped_column(String(128))
    shopify_created_at: Mapped[datetime | None]
    shopify_updated_at: Mapped[datetime | None]

    lines: Mapped[list[CartLine]] = relationship(back_populates="cart", cascade="all, delete-orphan")


class CartLine(ShopScoped, Base):
    __tablename__ = "cart_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cart_id: Mapped[int] = mapped_column(BigId, ForeignKey("carts.id", ondelete="CASCADE"), index=True)
    variant_id: Mapped[int | None] = mapped_column(BigInteger)
    product_id: Mapped[int | None] = mapped_column(BigInteger)
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal | None]

    cart: Mapped[Cart] = relationship(back_populates="lines")


class CartDemandDaily(ShopScoped, Base):
    """Demand signals from carts (no contact details, so never a recovery case): units put in carts and units
    taken out again, per day, variant and region. `region` is the shipping country of the checkout that
    carries the cart's token when one is known, else "ZZ" (unknown region)."""

    __tablename__ = "cart_demand_daily"
    __table_args__ = (UniqueConstraint("shop_id", "day", "variant_id", "region"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    variant_id: Mapped[int] = mapped_column(BigInteger)
    region: Mapped[str] = mapped_column(String(2))
    carted: Mapped[int] = mapped_column(Integer, default=0)
    dropped: Mapped[int] = mapped_column(Integer, default=0)
