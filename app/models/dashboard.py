"""The dashboard's read models: one row per shop, day and dimension, rebuilt by the dashboard job.

Each table is a pure function of the operational tables for its days, so the job rebuilds a range of days
by deleting and re-inserting them in one transaction: running it twice, or two runs racing (they take the
shop's row lock), leaves the same rows. Counts add up across days; snapshot tables (members, stock) hold
what was true on the day the job ran. Dimension columns use "" for "none" so every key is non-null.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Date, Float, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped

Wide = Numeric(24, 4, asdecimal=True)  # sums of squares of order totals outgrow money columns


class DailyRecovery(ShopScoped, Base):
    """Abandoned checkouts by the day they were abandoned and their group (treatment | holdout)."""

    __tablename__ = "daily_recovery"
    __table_args__ = (Index("ix_daily_recovery_shop_day", "shop_id", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    grp: Mapped[str] = mapped_column(String(10))
    abandoned: Mapped[int] = mapped_column(Integer)
    reached: Mapped[int] = mapped_column(Integer)
    converted: Mapped[int] = mapped_column(Integer)
    reached_converted: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[Decimal] = mapped_column(Wide)  # converted cases' order totals
    revenue_sq: Mapped[Decimal] = mapped_column(Wide)  # their squares: the variance for the interval
    recovered_revenue: Mapped[Decimal] = mapped_column(Wide)  # credited to a message


class DailyRecoveryOffer(ShopScoped, Base):
    __tablename__ = "daily_recovery_offers"
    __table_args__ = (Index("ix_daily_recovery_offers_shop_day", "shop_id", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    offer: Mapped[str] = mapped_column(String(24))
    conversions: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[Decimal] = mapped_column(Wide)


class DailyMembers(ShopScoped, Base):
    """Snapshot: members per tier and segment on the day the job ran."""

    __tablename__ = "daily_members"
    __table_args__ = (Index("ix_daily_members_shop_day", "shop_id", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    tier: Mapped[str] = mapped_column(String(40))
    segment: Mapped[str] = mapped_column(String(20))
    members: Mapped[int] = mapped_column(Integer)
    spend: Mapped[Decimal] = mapped_column(Wide)


class DailyTierMoves(ShopScoped, Base):
    __tablename__ = "daily_tier_moves"
    __table_args__ = (Index("ix_daily_tier_moves_shop_day", "shop_id", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    from_tier: Mapped[str] = mapped_column(String(40))
    to_tier: Mapped[str] = mapped_column(String(40))
    moves: Mapped[int] = mapped_column(Integer)


class DailyOrders(ShopScoped, Base):
    """Orders by the day placed and the buyer's current tier; `repeat_orders` had an earlier order."""

    __tablename__ = "daily_orders"
    __table_args__ = (Index("ix_daily_orders_shop_day", "shop_id", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    tier: Mapped[str] = mapped_column(String(40))
    orders: Mapped[int] = mapped_column(Integer)
    repeat_orders: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[Decimal] = mapped_column(Wide)


class DailyPromise(ShopScoped, Base):
    """Delivered orders with a promise, by delivery day, warehouse, lane and tier."""

    __tablename__ = "daily_promises"
    __table_args__ = (Index("ix_daily_promises_shop_day", "shop_id", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    location_shopify_id: Mapped[int] = mapped_column(BigInteger)  # 0: unknown
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(8))
    service_level: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str] = mapped_column(String(40))
    delivered: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    days_late_sum: Mapped[int] = mapped_column(Integer)


class DailyHandling(ShopScoped, Base):
    """Orders by the day placed and tier: handled within the tier's target, missed, or still open."""

    __tablename__ = "daily_handling"
    __table_args__ = (Index("ix_daily_handling_shop_day", "shop_id", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    tier: Mapped[str] = mapped_column(String(40))
    orders: Mapped[int] = mapped_column(Integer)
    met: Mapped[int] = mapped_column(Integer)
    missed: Mapped[int] = mapped_column(Integer)
    open: Mapped[int] = mapped_column(Integer)


class DailyStock(ShopScoped, Base):
    """Snapshot: each warehouse's stock health on the day the job ran."""

    __tablename__ = "daily_stock"
    __table_args__ = (Index("ix_daily_stock_shop_day", "shop_id", "day"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    location_shopify_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(255))
    stockouts: Mapped[int] = mapped_column(Integer)
    oversells: Mapped[int] = mapped_column(Integer)
    units_available: Mapped[int] = mapped_column(Integer)
    units_sold: Mapped[int] = mapped_column(Integer)
    days_of_cover: Mapped[float | None] = mapped_column(Float)


class DashboardState(ShopScoped, Base):
    """When the shop's dashboard tables were last rebuilt, and from which day (the first build goes back a year)."""

    __tablename__ = "dashboard_state"
    __table_args__ = (UniqueConstraint("shop_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    built_from: Mapped[date] = mapped_column(Date)
    refreshed_at: Mapped[datetime]


DASHBOARD_TABLES = (DailyRecovery, DailyRecoveryOffer, DailyMembers, DailyTierMoves, DailyOrders, DailyPromise,
                    DailyHandling, DailyStock)
