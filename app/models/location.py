"""Shopify locations (our warehouses) and the stock each holds per inventory item."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped, Timestamps


class Location(ShopScoped, Timestamps, Base):
    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("shop_id", "shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shopify_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(255))
    address1: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str | None] = mapped_column(String(255))
    province_code: Mapped[str | None] = mapped_column(String(16))
    country_code: Mapped[str | None] = mapped_column(String(2))
    zip: Mapped[str | None] = mapped_column(String(32))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(default=True)
    fulfills_online_orders: Mapped[bool] = mapped_column(default=True)
    shopify_updated_at: Mapped[datetime | None]


class InventoryLevel(ShopScoped, Base):
    """Stock of one inventory item at one location; last write (by Shopify's updated_at) wins."""

    __tablename__ = "inventory_levels"
    __table_args__ = (UniqueConstraint("shop_id", "inventory_item_id", "location_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    inventory_item_id: Mapped[int] = mapped_column(BigInteger)  # Shopify id
    location_id: Mapped[int] = mapped_column(BigInteger)  # Shopify id
    available: Mapped[int] = mapped_column(Integer, default=0)
    on_hand: Mapped[int | None] = mapped_column(Integer)
    committed: Mapped[int | None] = mapped_column(Integer)
    incoming: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime]
