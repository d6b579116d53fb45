"""Tier notices: the emails before and after a downgrade, as an outbox (one row per notice, sent once)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped, Timestamps


class TierNotice(ShopScoped, Timestamps, Base):
    __tablename__ = "tier_notices"
    # The key names what the notice is about (the grace period that started, the tier change that happened),
    # so the sweeps that create notices can run any number of times.
    __table_args__ = (UniqueConstraint("shop_id", "key"), Index("ix_tier_notices_state", "state", "shop_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(8))  # before | after
    customer_shopify_id: Mapped[int] = mapped_column(BigInteger)
    from_tier: Mapped[str] = mapped_column(String(40))
    to_tier: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[datetime | None]  # "before": when the downgrade will happen
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sending | sent | skipped | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(255))
