"""What we answered to a customer's data request: the export itself, kept for the merchant to download."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped, utcnow


class DataExport(ShopScoped, Base):
    __tablename__ = "data_exports"
    # One export per Shopify data request: a redelivered webhook must not produce a second file.
    __table_args__ = (UniqueConstraint("shop_id", "request_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64))
    customer_shopify_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict] = mapped_column(JSON)
