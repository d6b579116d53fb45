"""Products, their variants and the inventory items that carry stock."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, BigId, ShopScoped, Timestamps


class Product(ShopScoped, Timestamps, Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("shop_id", "shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shopify_id: Mapped[int] = mapped_column(BigInteger)
    title: Mapped[str] = mapped_column(String(512), default="")
    handle: Mapped[str | None] = mapped_column(String(255))
    vendor: Mapped[str | None] = mapped_column(String(255))
    product_type: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str | None] = mapped_column(String(20))
    deleted: Mapped[bool] = mapped_column(default=False)
    shopify_updated_at: Mapped[datetime | None]

    variants: Mapped[list[Variant]] = relationship(back_populates="product", cascade="all, delete-orphan")


class Variant(ShopScoped, Timestamps, Base):
    __tablename__ = "variants"
    __table_args__ = (UniqueConstraint("shop_id", "shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shopify_id: Mapped[int] = mapped_column(BigInteger)
    product_id: Mapped[int] = mapped_column(BigId, ForeignKey("products.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(512), default="")
    sku: Mapped[str | None] = mapped_column(String(255), index=True)
    price: Mapped[Decimal | None]
    currency: Mapped[str | None] = mapped_column(String(3))
    inventory_item_id: Mapped[int | None] = mapped_column(BigInteger, index=True)  # Shopify id
    # The variant's own image, else its product's featured image: shown beside the line in recovery mail.
    image_url: Mapped[str | None] = mapped_column(String(2048))

    product: Mapped[Product] = relationship(back_populates="variants")


class InventoryItem(ShopScoped, Timestamps, Base):
    __tablename__ = "inventory_items"
    __table_args__ = (UniqueConstraint("shop_id", "shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shopify_id: Mapped[int] = mapped_column(BigInteger)
    sku: Mapped[str | None] = mapped_column(String(255))
    tracked: Mapped[bool] = mapped_column(default=True)
    country_code_of_origin: Mapped[str | None] = mapped_column(String(2))
    harmonized_system_code: Mapped[str | None] = mapped_column(String(32))
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    shopify_updated_at: Mapped[datetime | None]
