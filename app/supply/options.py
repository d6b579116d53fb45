"""What a promise answers: shipments, delivery options and the promise itself (plain, frozen data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from app.supply.geo import ResolvedPlace
from app.supply.transit import TransitSource
from app.supply.types import Money, ServiceLevel, TransportMode


class PromiseStatus(StrEnum):
    AVAILABLE = "available"  # ships from stock on hand
    BACKORDER = "backorder"  # ships once known incoming stock arrives
    UNAVAILABLE = "unavailable"  # no date can honestly be given


@dataclass(frozen=True, slots=True)
class Shipment:
    warehouse_id: str
    lines: tuple[tuple[str, int], ...]  # (variant id, quantity)
    service_level: ServiceLevel
    mode: TransportMode
    transit_source: TransitSource
    dispatch_at: datetime  # UTC
    earliest: date  # in the destination's timezone
    latest: date
    price: Money | None
    distance_km: float
    kg_co2e: float
    cutoff_at: datetime | None  # UTC; None for a backorder, whose date does not hinge on today's cutoff
    countdown: timedelta | None
    backorder: bool = False


@dataclass(frozen=True, slots=True)
class DeliveryOption:
    shipments: tuple[Shipment, ...]

    @property
    def earliest(self) -> date:
        # The order is complete when its last parcel arrives.
        return max(s.earliest for s in self.shipments)

    @property
    def latest(self) -> date:
        return max(s.latest for s in self.shipments)

    @property
    def split(self) -> bool:
        return len(self.shipments) > 1

    @property
    def backorder(self) -> bool:
        return any(s.backorder for s in self.shipments)

    @property
    def warehouse_ids(self) -> tuple[str, ...]:
        return tuple(s.warehouse_id for s in self.shipments)

    @property
    def kg_co2e(self) -> float:
        return round(sum(s.kg_co2e for s in self.shipments), 4)

    @property
    def price(self) -> Money | None:
        """Total price when every parcel's price is known in one currency, else None (unknown, not free)."""
        return total_price([s.price for s in self.shipments])

    @property
    def countdown(self) -> timedelta | None:
        counts = [s.countdown for s in self.shipments if s.countdown is not None]
        return min(counts) if counts else None

    @property
    def cutoff_at(self) -> datetime | None:
        cutoffs = [s.cutoff_at for s in self.shipments if s.cutoff_at is not None]
        return min(cutoffs) if cutoffs else None


def total_price(prices: Sequence[Money | None]) -> Money | None:
    if not prices or any(p is None for p in prices):
        return None
    currencies = {p.currency for p in prices if p is not None}
    if len(currencies) != 1:
        return None
    return Money(sum((p.amount for p in prices if p is not None), Decimal(0)), currencies.pop())


def rank_key(option: DeliveryOption) -> tuple:
    """Earliest latest-date first, then cheaper (unknown prices last), then greener, then stable by ids."""
    price = option.price
    return (option.latest, price is None, price.amount if price else Decimal(0), option.kg_co2e,
            option.earliest, len(option.shipments), option.warehouse_ids)


@dataclass(frozen=True, slots=True)
class Promise:
    status: PromiseStatus
    destination: ResolvedPlace
    best: DeliveryOption | None = None
    default: DeliveryOption | None = None  # what the store's default location would do, for "5 days instead of 12"
    options: tuple[DeliveryOption, ...] = ()
    reason: str | None = None  # why UNAVAILABLE, in words an admin can act on

    @property
    def days_saved(self) -> int | None:
        """Calendar days the best option beats the default by (0 when the default is the best)."""
        if self.best is None or self.default is None:
            return None
        return max(0, (self.default.latest - self.best.latest).days)
