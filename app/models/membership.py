"""Membership: the spend ledger, each customer's tier and RFM scores, tier history, merchant settings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Index, Integer, SmallInteger, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped, Timestamps, utcnow


class SpendEntry(ShopScoped, Base):
    """One ledger line per (shop, kind, source): replaying a webhook finds the line already there."""

    __tablename__ = "spend_entries"
    __table_args__ = (
        UniqueConstraint("shop_id", "kind", "source_id"),
        Index("ix_spend_entries_shop_order", "shop_id", "order_shopify_id"),
        Index("ix_spend_entries_shop_customer", "shop_id", "customer_shopify_id"),
        Index("ix_spend_entries_shop_email_hash", "shop_id", "email_hash"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # paid | refund | cancel
    source_id: Mapped[int] = mapped_column(BigInteger)  # the order's id (paid, cancel) or the refund's id
    order_shopify_id: Mapped[int] = mapped_column(BigInteger)
    refund_shopify_id: Mapped[int | None] = mapped_column(BigInteger)
    customer_shopify_id: Mapped[int | None] = mapped_column(BigInteger)
    # The blind index of the order's email (app/field_crypto.py): how a guest's orders find their customer.
    email_hash: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal]  # shop money; negative for refunds and cancellations
    currency: Mapped[str] = mapped_column(String(3))
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Membership(ShopScoped, Timestamps, Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("shop_id", "customer_shopify_id"),
        Index("ix_memberships_writeback_due", "shop_id", postgresql_where=text("writeback_due"),
              sqlite_where=text("writeback_due")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_shopify_id: Mapped[int] = mapped_column(BigInteger)
    tier: Mapped[str] = mapped_column(String(40))
    tier_since: Mapped[datetime]
    pinned_tier: Mapped[str | None] = mapped_column(String(40))
    # When spend first fell short of the current tier; the downgrade grace period runs from here.
    below_since: Mapped[datetime | None]
    last_review_at: Mapped[datetime | None]
    trailing_spend: Mapped[Decimal] = mapped_column(default=Decimal(0))
    recency_score: Mapped[int | None] = mapped_column(SmallInteger)
    frequency_score: Mapped[int | None] = mapped_column(SmallInteger)
    monetary_score: Mapped[int | None] = mapped_column(SmallInteger)
    segment: Mapped[str | None] = mapped_column(String(20))
    scored_at: Mapped[datetime | None]
    # Shopify write-back: set whenever what Shopify should show (tag, metafield) may have changed, cleared
    # once written; the write-back job reads only flagged rows (partial index).
    writeback_due: Mapped[bool] = mapped_column(default=False, server_default=false())
    written_tier: Mapped[str | None] = mapped_column(String(40))  # the tier whose tag Shopify has
    written_at: Mapped[datetime | None]
    writeback_error: Mapped[str | None] = mapped_column(String(255))


class TierChange(ShopScoped, Base):
    __tablename__ = "tier_changes"
    __table_args__ = (Index("ix_tier_changes_shop_customer", "shop_id", "customer_shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_shopify_id: Mapped[int] = mapped_column(BigInteger)
    from_tier: Mapped[str | None] = mapped_column(String(40))
    to_tier: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime]


class SegmentChange(ShopScoped, Base):
    """A customer moving between RFM segments at a recompute or review (None: first scored, or unscored)."""

    __tablename__ = "segment_changes"
    __table_args__ = (Index("ix_segment_changes_shop_at", "shop_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_shopify_id: Mapped[int] = mapped_column(BigInteger)
    from_segment: Mapped[str | None] = mapped_column(String(20))
    to_segment: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[datetime]


class MembershipSettings(ShopScoped, Timestamps, Base):
    """Absent row = the defaults in app/membership/tiers.py and rfm.py."""

    __tablename__ = "membership_settings"
    __table_args__ = (UniqueConstraint("shop_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tiers: Mapped[list | None] = mapped_column(JSON)  # [{"name": "Bronze", "threshold": "0"}, ...]
    spend_window: Mapped[str] = mapped_column(String(16), default="trailing_365")  # or calendar_year
    grace_days: Mapped[int] = mapped_column(Integer, default=30)
    segment_rules: Mapped[dict | None] = mapped_column(JSON)
    perks: Mapped[dict | None] = mapped_column(JSON)  # app/membership/perks.py; None = the defaults
    # What we created in Shopify: {"segments": {slug: gid}, "discounts": {slug: {"percent": gid, "shipping": gid}}}
    shopify_ids: Mapped[dict | None] = mapped_column(JSON)
    # The perks and tiers those objects were last made from; a difference means they need updating.
    shopify_digest: Mapped[str | None] = mapped_column(String(64))
    # The last full recompute and write-back ("backfill"): {"state", "members", "written", "started_at", ...}
    backfill: Mapped[dict | None] = mapped_column(JSON)
