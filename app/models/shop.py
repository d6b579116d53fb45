"""A shop that installed Flexchain, with its (encrypted) Admin API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, Timestamps


class ShopStatus:
    INSTALLED = "installed"
    UNINSTALLED = "uninstalled"
    # The refresh token was rejected: nothing can reach Shopify until the merchant opens the app again.
    NEEDS_REAUTH = "needs_reauth"


class Shop(Timestamps, Base):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    shopify_id: Mapped[int | None] = mapped_column(BigInteger)
    name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20), default=ShopStatus.INSTALLED)
    status_reason: Mapped[str | None] = mapped_column(Text)
    # When `status` last changed: since when a shop has needed re-authorisation, for the merchant's banner.
    status_changed_at: Mapped[datetime | None]
    # Fernet tokens (ciphertext); never the plain Admin API token.
    access_token_enc: Mapped[str | None] = mapped_column(Text)
    access_token_expires_at: Mapped[datetime | None]
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    refresh_token_expires_at: Mapped[datetime | None]
    scopes: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    country_code: Mapped[str | None] = mapped_column(String(2))
    plan_name: Mapped[str | None] = mapped_column(String(64))
    primary_locale: Mapped[str | None] = mapped_column(String(16))  # the shop's primary language, e.g. "fr"
    installed_at: Mapped[datetime | None]
    uninstalled_at: Mapped[datetime | None]

    @property
    def subdomain(self) -> str:
        return self.domain.removesuffix(".myshopify.com")

    @property
    def is_active(self) -> bool:
        return self.status == ShopStatus.INSTALLED
