"""Plain inputs of the supply engine: warehouses, lanes, stock and carts.

Every value here is a frozen dataclass or an enum so the rules in this package can be called from a service,
a job, a benchmark or a test with the same data, and nothing can be changed behind a computation's back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from enum import StrEnum

# A part-day of handling fits before the same day's pickup; a full day of hours pushes dispatch one business day.
BUSINESS_DAY_HOURS = 8

WEEKDAYS_MON_FRI: frozenset[int] = frozenset({0, 1, 2, 3, 4})


class ServiceLevel(StrEnum):
    ECONOMY = "economy"
    STANDARD = "standard"
    EXPRESS = "express"


class TransportMode(StrEnum):
    ROAD = "road"
    RAIL = "rail"
    SEA = "sea"
    AIR = "air"


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Handling:
    """How long a warehouse needs between the start of handling and dispatch, in business days or hours."""

    days: int = 0
    hours: int = 0

    def __post_init__(self) -> None:
        if self.days < 0 or self.hours < 0:
            raise ValueError("handling time cannot be negative")

    @property
    def business_days(self) -> int:
        return self.days + self.hours // BUSINESS_DAY_HOURS


@dataclass(frozen=True, slots=True)
class Warehouse:
    id: str
    name: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    lat: float
    lng: float
    timezone: str  # IANA name, e.g. "Europe/Paris"
    handling: Handling = Handling(days=1)
    tier_handling: tuple[tuple[str, Handling], ...] = ()  # (tier, shorter handling) pairs
    cutoff: time = time(14, 0)  # local wall-clock time; orders before it start handling the same working day
    working_weekdays: frozenset[int] = WEEKDAYS_MON_FRI  # 0 = Monday
    holiday_country: str | None = None  # defaults to `country`
    holiday_subdivision: str | None = None  # e.g. "CA" for California, "BY" for Bavaria
    safety_stock: int = 0
    ships_cross_border: bool = True

    def handling_for(self, tier: str | None) -> Handling:
        if tier is not None:
            for name, handling in self.tier_handling:
                if name == tier:
                    return handling
        return self.handling


@dataclass(frozen=True, slots=True)
class Lane:
    """A merchant-entered route: origin warehouse to a destination country (or one region of it)."""

    warehouse_id: str
    country: str
    service_level: ServiceLevel
    min_days: int
    max_days: int
    price: Money | None = None
    mode: TransportMode = TransportMode.ROAD
    region: str | None = None  # ISO 3166-2 suffix ("CA" in US-CA); None = the whole country

    def __post_init__(self) -> None:
        if not 0 <= self.min_days <= self.max_days:
            raise ValueError(f"lane {self.warehouse_id}->{self.country}: need 0 <= min_days <= max_days")


@dataclass(frozen=True, slots=True)
class StockLevel:
    variant_id: str
    warehouse_id: str
    on_hand: int
    reserved: int = 0  # unfulfilled orders and offers already made

    @property
    def free(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True, slots=True)
class IncomingStock:
    variant_id: str
    warehouse_id: str
    quantity: int
    expected_on: date  # in the warehouse's local calendar


@dataclass(frozen=True, slots=True)
class CartLine:
    variant_id: str
    quantity: int
    weight_grams: int = 500

    def __post_init__(self) -> None:
        if self.quantity <= 0:
            raise ValueError("cart line quantity must be positive")
        if self.weight_grams < 0:
            raise ValueError("cart line weight cannot be negative")


@dataclass(frozen=True, slots=True)
class Destination:
    """What is known about where the shopper is; any field may be missing."""

    country: str | None = None
    region: str | None = None  # ISO 3166-2 code ("US-CA"), its suffix ("CA") or a region name
    city: str | None = None
    postal_code: str | None = None
    lat: float | None = None
    lng: float | None = None


@dataclass(frozen=True, slots=True)
class TransitSample:
    """One measured delivery: business days from shipped to delivered on a lane."""

    warehouse_id: str
    country: str
    service_level: ServiceLevel
    business_days: int
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Inventory:
    """Stock and incoming stock, indexed once so a promise reads them in O(lines x warehouses)."""

    free: dict[str, dict[str, int]] = field(default_factory=dict)  # variant -> warehouse -> free units
    incoming: dict[str, dict[str, tuple[tuple[date, int], ...]]] = field(default_factory=dict)

    @classmethod
    def build(cls, levels: tuple[StockLevel, ...] | list[StockLevel],
              incoming: tuple[IncomingStock, ...] | list[IncomingStock] = ()) -> Inventory:
        free: dict[str, dict[str, int]] = {}
        for level in levels:
            per_wh = free.setdefault(level.variant_id, {})
            per_wh[level.warehouse_id] = per_wh.get(level.warehouse_id, 0) + level.free
        arrivals: dict[str, dict[str, list[tuple[date, int]]]] = {}
        for item in incoming:
            if item.quantity > 0:
                arrivals.setdefault(item.variant_id, {}).setdefault(item.warehouse_id, []).append(
                    (item.expected_on, item.quantity))
        frozen = {v: {w: tuple(sorted(a)) for w, a in per.items()} for v, per in arrivals.items()}
        return cls(free=free, incoming=frozen)
