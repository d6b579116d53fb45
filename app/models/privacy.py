"""Privacy records: customer data exports, the staff access log, and each shop's retention period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped, Timestamps, utcnow
from app.models.encrypted import EncryptedJSON

DEFAULT_RETENTION_DAYS = 90  # Shopify keeps abandoned checkouts about this long; we keep no longer by default


class DataExport(ShopScoped, Base):
    __tablename__ = "data_exports"
    # One export per Shopify data request: a redelivered webhook must not produce a second file.
    __table_args__ = (UniqueConstraint("shop_id", "request_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64))
    customer_shopify_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict] = mapped_column(EncryptedJSON)  # everything about one person: encrypted at rest
    # Set once the export has been mailed to the shop's email; a re-run of the mail job sends nothing.
    emailed_at: Mapped[datetime | None]
    # The mail's claim (privacy/export_mail.py): taken before sending, so two runs never send at once...
    mail_claim: Mapped[str | None] = mapped_column(String(16))
    mail_lease_until: Mapped[datetime | None]
    # ...and committed just before the server is given the mail: a run killed after that is not repeated.
    mail_handed_at: Mapped[datetime | None]


class CustomerAccess(ShopScoped, Base):
    """A staff member saw a customer's data in the admin: who (the Shopify user id, the id token's `sub`),
    in which view, and when. One row per customer (or guest's recovery case) shown, so an erasure can unlink
    exactly that customer."""

    __tablename__ = "customer_access_log"
    __table_args__ = (Index("ix_customer_access_log_shop_customer", "shop_id", "customer_shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    staff_user_id: Mapped[str | None] = mapped_column(String(64))
    view: Mapped[str] = mapped_column(String(64))
    customer_shopify_id: Mapped[int | None] = mapped_column(BigInteger)  # 0 once the customer was erased
    # A guest's abandoned checkout has no customer id: the recovery case shown stands for them.
    recovery_case_id: Mapped[int | None] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PrivacySettings(ShopScoped, Timestamps, Base):
    """Absent row = the defaults. `retention_days` bounds abandoned-checkout data and stored webhook bodies."""

    __tablename__ = "privacy_settings"
    __table_args__ = (UniqueConstraint("shop_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    retention_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RETENTION_DAYS)
