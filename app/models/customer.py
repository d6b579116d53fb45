"""Customers and their marketing consent, as Shopify last told us."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped, Timestamps
from app.models.encrypted import EncryptedText, email_indexed, phone_indexed


class Customer(ShopScoped, Timestamps, Base):
    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("shop_id", "shopify_id"),
        # Guest orders join the customer with their email (its blind index) on every paid order.
        Index("ix_customers_shop_email_hash", "shop_id", "email_hash"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shopify_id: Mapped[int] = mapped_column(BigInteger)
    # Encrypted at rest (app/models/encrypted.py); found by their blind indexes.
    email: Mapped[str | None] = mapped_column(EncryptedText)
    email_hash: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    first_name: Mapped[str | None] = mapped_column(String(255))
    last_name: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str | None] = mapped_column(String(20))
    tags: Mapped[str] = mapped_column(Text, default="")
    # Shopify's marketing states: SUBSCRIBED, NOT_SUBSCRIBED, UNSUBSCRIBED, PENDING, REDACTED, INVALID.
    email_marketing_state: Mapped[str | None] = mapped_column(String(20))
    email_marketing_opt_in_level: Mapped[str | None] = mapped_column(String(32))
    email_consent_updated_at: Mapped[datetime | None]
    sms_marketing_state: Mapped[str | None] = mapped_column(String(20))
    deleted: Mapped[bool] = mapped_column(default=False)
    shopify_updated_at: Mapped[datetime | None]


email_indexed(Customer.email)
phone_indexed(Customer.phone)
