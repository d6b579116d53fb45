"""Delivery promises from stored data: load what the pure engine needs, call it, return its answer.

A shop's supply network (warehouses, calendars, lanes) changes rarely and is costly to build, so each
process keeps the last one per shop, tagged with the shop's settings version from `app.supply.versions`.
It is reused only while Redis confirms that version. When Redis is unreachable the version cannot be
confirmed; then a network is reused for at most REDIS_DOWN_TTL_S seconds (rebuilding on every request
would put the whole storefront load on PostgreSQL exactly when one shared service is already down).
Stock is never cached here: it is read for every quote.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Product, Shop, Variant
from app.supply import geo, versions
from app.supply.cache import Answer
from app.supply.geo import GeoLevel, ResolvedPlace
from app.supply.loader import ShopSupply, load_supply
from app.supply.options import Promise, PromiseStatus
from app.supply.promise import promise
from app.supply.stock_sql import load_stock
from app.supply.types import CartLine, Destination

REDIS_DOWN_TTL_S = 10.0
# Backstop for a Redis that lost its data: counters restart at 0 and could match an older network.
MAX_AGE_S = 600.0
MAX_SHOPS = 512  # networks kept per process; the oldest is dropped beyond this
DEFAULT_WEIGHT_GRAMS = 500  # a parcel of unknown weight, for the carbon estimate
SHOP_COUNTRY = "shop_country"  # destination level when the shopper's place is unknown

_UNKNOWN = object()  # "settings version not read yet" (None means "Redis unavailable")


class UnknownVariant(LookupError):
    """A variant that this shop does not sell (never synced, or its product was deleted)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    supply: ShopSupply
    country: str | None  # the shop's own country: where we assume a shopper is when nothing says otherwise
    version: int | None  # settings version it was built from; None when Redis could not say
    built_at: float  # time.monotonic()


class _Snapshots:
    def __init__(self) -> None:
        self.entries: dict[int, Snapshot] = {}
        self.builds = 0  # observable for tests: how many times a network was built from the database
        self.redis_down_ttl_s = REDIS_DOWN_TTL_S
        self.lock = threading.Lock()

    def get(self, session: Session, shop_id: int, settings_version: int | None) -> Snapshot:
        entry = self.entries.get(shop_id)
        if entry is not None and self.still_valid(entry, settings_version):
            return entry
        entry = Snapshot(load_supply(session, shop_id), session.scalar(
            select(Shop.country_code).where(Shop.id == shop_id)), settings_version, time.monotonic())
        with self.lock:
            self.builds += 1
            self.entries.pop(shop_id, None)
            if len(self.entries) >= MAX_SHOPS:
                self.entries.pop(next(iter(self.entries)))
            self.entries[shop_id] = entry
        return entry

    def still_valid(self, entry: Snapshot, settings_version: int | None) -> bool:
        age = time.monotonic() - entry.built_at
        if settings_version is None:  # Redis down: nothing can confirm the entry, so trust it only briefly
            return age < self.redis_down_ttl_s
        return entry.version == settings_version and age < MAX_AGE_S

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.builds = 0


snapshots = _Snapshots()


def snapshot(session: Session, shop_id: int, settings_version: object = _UNKNOWN) -> Snapshot:
    """The shop's current supply network (see the module docstring for when it is rebuilt)."""
    if settings_version is _UNKNOWN:
        found = versions.current(shop_id)
        settings_version = found[0] if found else None
    return snapshots.get(session, shop_id, settings_version)  # type: ignore[arg-type]


@lru_cache(maxsize=4096)
def resolve(destination: Destination) -> ResolvedPlace:
    """geo.resolve, memoised: a postal-code lookup costs over a millisecond and shoppers repeat places."""
    return geo.resolve(destination)


def quote(session: Session, shop_id: int, lines: Sequence[tuple[int, int]], destination: Destination, *,
          tier: str | None = None, now: datetime, settings_version: object = _UNKNOWN) -> Promise:
    """The promise for these (variant Shopify id, quantity) lines delivered to `destination`.

    Raises UnknownVariant when a line's variant is not in the shop's catalogue, ValueError for a
    non-positive quantity."""
    snap = snapshot(session, shop_id, settings_version)
    return _quote(session, shop_id, snap, lines, resolve(destination), tier, now)


def _quote(session: Session, shop_id: int, snap: Snapshot, lines: Sequence[tuple[int, int]],
           place: ResolvedPlace, tier: str | None, now: datetime) -> Promise:
    ids = sorted({variant for variant, _ in lines})
    stock = load_stock(session, shop_id, ids, now)
    weights = stock.weights
    missing = [v for v in ids if v not in weights]
    if missing:
        raise UnknownVariant(f"unknown variant(s) {missing[:5]}")
    cart = [CartLine(str(v), q, weights[v] if weights[v] is not None else DEFAULT_WEIGHT_GRAMS) for v, q in lines]
    return promise(snap.supply.network, stock.inventory, cart, place, now, tier=tier,
                   default_warehouse_id=snap.supply.default_warehouse_id)


def storefront_answer(session: Session, shop_id: int, variant_id: int, quantity: int,
                      destination: Destination | None, *, tier: str | None, now: datetime,
                      settings_version: object = _UNKNOWN) -> Answer:
    """The storefront's promise for one variant, as the compact, locale-free record the cache keeps.

    `destination=None`: the shopper's place is unknown (the app proxy forwards no location), so the
    shop's own country stands in and the answer says so (`level == "shop_country"`)."""
    snap = snapshot(session, shop_id, settings_version)
    if destination is None:
        place = resolve(Destination(country=snap.country or _default_country(snap)))
        level = SHOP_COUNTRY if place.resolved else place.level.value
    else:
        place = resolve(destination)
        level = place.level.value
    result = _quote(session, shop_id, snap, [(variant_id, quantity)], place, tier, now)
    return to_answer(result, snap.supply, level, tier)


def _default_country(snap: Snapshot) -> str | None:
    default = snap.supply.warehouses.get(snap.supply.default_warehouse_id or "")
    return default.country if default else None


def to_answer(result: Promise, supply: ShopSupply, level: str, tier: str | None) -> Answer:
    place = result.destination
    best = result.best
    if best is None:
        return Answer(result.status.value, place.country, place.region, level if place.resolved
                      else GeoLevel.UNRESOLVED.value)
    first = best.shipments[0]
    warehouse = supply.warehouses.get(first.warehouse_id)
    cutoff = best.cutoff_at if result.status is PromiseStatus.AVAILABLE else None
    tier_hours = None
    if tier is not None and warehouse is not None:
        # Only a real perk is worth a line: the tier's own handling time at the warehouse that ships.
        perk = next((h for name, h in warehouse.tier_handling if name == tier), None)
        if perk is not None:
            tier_hours = perk.days * 24 + perk.hours
    default = result.default
    return Answer(
        status=result.status.value,
        country=place.country,
        region=place.region,
        level=level,
        earliest=best.earliest,
        latest=best.latest,
        cutoff_at=int(cutoff.timestamp()) if cutoff is not None else None,
        warehouse_name=warehouse.name if warehouse else None,
        warehouse_city=warehouse.city if warehouse else None,
        service_level=first.service_level.value,
        kg_co2e=best.kg_co2e,
        parcels=len(best.shipments),
        default_latest=default.latest if default is not None else None,
        days_saved=result.days_saved,
        tier=tier,
        tier_hours=tier_hours,
    )


def variants_of_items(session: Session, shop_id: int, inventory_item_ids: Sequence[int]) -> list[int]:
    """Variant Shopify ids stocked as these inventory items: whose cached promises a stock change touches."""
    return list(session.scalars(select(Variant.shopify_id).where(
        Variant.shop_id == shop_id, Variant.inventory_item_id.in_(list(inventory_item_ids)))))


def variants_of_product(session: Session, shop_id: int, product_shopify_id: int) -> list[int]:
    return list(session.scalars(select(Variant.shopify_id).join(Product, Product.id == Variant.product_id).where(
        Variant.shop_id == shop_id, Product.shopify_id == product_shopify_id)))
