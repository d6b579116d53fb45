"""Supply settings and facts: warehouse profiles, lanes, incoming stock, our own reservations, fulfillments,
measured transit times, the promise made with each order, and routing decisions.

Locations and variants are referred to by their Shopify ids (as the engine and webhooks know them).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Date, Float, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped, Timestamps, utcnow


class WarehouseProfile(ShopScoped, Timestamps, Base):
    """The merchant's tuning of one Shopify location. Coordinates default to the location's own."""

    __tablename__ = "warehouse_profiles"
    __table_args__ = (UniqueConstraint("shop_id", "location_shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    location_shopify_id: Mapped[int] = mapped_column(BigInteger)
    public_name: Mapped[str | None] = mapped_column(String(255))  # shown to shoppers ("our Paris warehouse")
    latitude: Mapped[float | None] = mapped_column(Float)  # override when Shopify has none
    longitude: Mapped[float | None] = mapped_column(Float)
    timezone: Mapped[str | None] = mapped_column(String(64))  # None: derived from the location's country/city
    handling_days: Mapped[int] = mapped_column(Integer, default=1)
    handling_hours: Mapped[int] = mapped_column(Integer, default=0)
    # {"gold": {"days": 0, "hours": 4}, ...}: shorter handling per membership tier
    tier_handling: Mapped[dict] = mapped_column(JSON, default=dict)
    cutoff: Mapped[str] = mapped_column(String(5), default="14:00")  # local HH:MM
    working_weekdays: Mapped[list] = mapped_column(JSON, default=lambda: [0, 1, 2, 3, 4])
    holiday_country: Mapped[str | None] = mapped_column(String(2))
    holiday_subdivision: Mapped[str | None] = mapped_column(String(8))
    safety_stock: Mapped[int] = mapped_column(Integer, default=0)
    ships_cross_border: Mapped[bool] = mapped_column(default=True)
    is_default: Mapped[bool] = mapped_column(default=False)  # the store's default shipping location
    enabled: Mapped[bool] = mapped_column(default=True)


class ShippingLane(ShopScoped, Timestamps, Base):
    __tablename__ = "shipping_lanes"
    __table_args__ = (
        UniqueConstraint("shop_id", "location_shopify_id", "country", "region", "service_level"),
        # The constraint above treats two NULL regions as different: this one makes "no region" one key.
        Index("uq_shipping_lanes_key", "shop_id", "location_shopify_id", "country", text("coalesce(region, '')"),
              "service_level", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    location_shopify_id: Mapped[int] = mapped_column(BigInteger)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(8))
    service_level: Mapped[str] = mapped_column(String(16))  # economy | standard | express
    min_days: Mapped[int] = mapped_column(Integer)
    max_days: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    mode: Mapped[str] = mapped_column(String(8), default="road")  # road | rail | sea | air


class IncomingStock(ShopScoped, Timestamps, Base):
    """Merchant-entered restocks: the basis of backorder promises."""

    __tablename__ = "incoming_stock"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    location_shopify_id: Mapped[int] = mapped_column(BigInteger, index=True)
    variant_shopify_id: Mapped[int] = mapped_column(BigInteger, index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    expected_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class StockReservation(ShopScoped, Base):
    """Units we promised in an offer (Shopify's `available` already nets unfulfilled orders)."""

    __tablename__ = "stock_reservations"
    __table_args__ = (UniqueConstraint("shop_id", "reference", "variant_shopify_id", "location_shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    location_shopify_id: Mapped[int] = mapped_column(BigInteger)
    variant_shopify_id: Mapped[int] = mapped_column(BigInteger, index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(128))  # e.g. "checkout:<token>"
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Fulfillment(ShopScoped, Timestamps, Base):
    __tablename__ = "fulfillments"
    __table_args__ = (UniqueConstraint("shop_id", "shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shopify_id: Mapped[int] = mapped_column(BigInteger)
    order_shopify_id: Mapped[int] = mapped_column(BigInteger, index=True)
    location_shopify_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str | None] = mapped_column(String(32))
    shipment_status: Mapped[str | None] = mapped_column(String(32))  # delivered, in_transit, ...
    tracking_company: Mapped[str | None] = mapped_column(String(128))
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    shopify_updated_at: Mapped[datetime | None]


class TransitSample(ShopScoped, Base):
    """One measured delivery (shipped → delivered, in business days at the destination) on a lane."""

    __tablename__ = "transit_samples"
    __table_args__ = (UniqueConstraint("shop_id", "fulfillment_shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    fulfillment_shopify_id: Mapped[int] = mapped_column(BigInteger)
    location_shopify_id: Mapped[int] = mapped_column(BigInteger, index=True)
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(8))
    service_level: Mapped[str] = mapped_column(String(16))
    business_days: Mapped[int] = mapped_column(Integer)
    shipped_at: Mapped[datetime]
    delivered_at: Mapped[datetime]


class OrderPromise(ShopScoped, Timestamps, Base):
    """The window we promised for an order, and how it turned out."""

    __tablename__ = "order_promises"
    __table_args__ = (UniqueConstraint("shop_id", "order_shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_shopify_id: Mapped[int] = mapped_column(BigInteger)
    location_shopify_id: Mapped[int | None] = mapped_column(BigInteger)
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(8))
    service_level: Mapped[str | None] = mapped_column(String(16))
    tier: Mapped[str | None] = mapped_column(String(32))
    promised_earliest: Mapped[date | None] = mapped_column(Date)
    promised_latest: Mapped[date | None] = mapped_column(Date)
    first_fulfilled_at: Mapped[datetime | None]
    delivered_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))  # on_time | late
    days_late: Mapped[int | None] = mapped_column(Integer)  # negative: early


class RoutingDecision(ShopScoped, Base):
    __tablename__ = "routing_decisions"
    # One decision per order: the row is claimed before Shopify is called, so two runs never both move it.
    __table_args__ = (UniqueConstraint("shop_id", "order_shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_shopify_id: Mapped[int] = mapped_column(BigInteger, index=True)
    from_location_shopify_id: Mapped[int | None] = mapped_column(BigInteger)
    to_location_shopify_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(16))  # moved | kept | skipped | failed
    reason: Mapped[str] = mapped_column(Text)
    promised_earliest: Mapped[date | None] = mapped_column(Date)
    promised_latest: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
