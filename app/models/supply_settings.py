"""One row of supply settings per shop: when to route orders to a better warehouse."""

from __future__ import annotations

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped, Timestamps

DEFAULT_ALWAYS_FOR_TIERS = ("gold",)


class SupplySettings(ShopScoped, Timestamps, Base):
    __tablename__ = "supply_settings"
    __table_args__ = (UniqueConstraint("shop_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Off until the merchant opts in: moving orders between locations changes their operations.
    routing_enabled: Mapped[bool] = mapped_column(default=False)
    # Move only when the best warehouse delivers at least this many days earlier than the assigned one.
    routing_min_gain_days: Mapped[int] = mapped_column(Integer, default=2)
    # Members of these tiers always get the fastest warehouse that can ship their order complete.
    routing_always_for_tiers: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_ALWAYS_FOR_TIERS))
    # The service level a routed order is compared at when its own promise names none.
    routing_service_level: Mapped[str] = mapped_column(String(16), default="standard")
