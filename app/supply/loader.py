"""From the database to the engine's plain inputs: one shop's warehouses, transit table and stock.

Warehouse ids in the engine are Shopify location ids as strings; variant ids are Shopify variant ids as
strings. Free stock is Shopify's `available` (which already nets unfulfilled orders) less the units our
own live offers reserved; the engine subtracts each warehouse's safety stock itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    IncomingStock,
    InventoryLevel,
    Location,
    ShippingLane,
    StockReservation,
    TransitSample,
    Variant,
    WarehouseProfile,
)
from app.supply import geo
from app.supply import types as t
from app.supply.promise import Network
from app.supply.transit import TransitTable


@dataclass(frozen=True)
class ShopSupply:
    """What changes rarely for a shop: built once, reused for every promise until a setting changes."""

    network: Network
    warehouses: dict[str, t.Warehouse]
    default_warehouse_id: str | None


def load_supply(session: Session, shop_id: int) -> ShopSupply:
    profiles = {p.location_shopify_id: p for p in session.scalars(
        select(WarehouseProfile).where(WarehouseProfile.shop_id == shop_id))}
    locations = session.scalars(select(Location).where(Location.shop_id == shop_id, Location.active.is_(True)))
    warehouses: dict[str, t.Warehouse] = {}
    default_id = None
    targets = tier_targets(session, shop_id)
    for location in locations:
        profile = profiles.get(location.shopify_id)
        if profile is not None and not profile.enabled:
            continue
        warehouse = to_warehouse(location, profile)
        if warehouse is None:
            continue
        warehouse = with_tier_targets(warehouse, targets)
        warehouses[warehouse.id] = warehouse
        if profile is not None and profile.is_default:
            default_id = warehouse.id
    if default_id is None and warehouses:
        # Shopify ships from the first (oldest) location unless told otherwise.
        default_id = min(warehouses, key=int)
    lanes = [to_lane(row) for row in session.scalars(select(ShippingLane).where(ShippingLane.shop_id == shop_id))]
    samples = [
        t.TransitSample(str(s.location_shopify_id), s.country, t.ServiceLevel(s.service_level), s.business_days,
                        s.region)
        for s in session.scalars(select(TransitSample).where(TransitSample.shop_id == shop_id))
    ]
    return ShopSupply(Network(warehouses.values(), TransitTable(lanes, samples)), warehouses, default_id)


def tier_targets(session: Session, shop_id: int) -> dict[str, int]:
    """Membership's handling target per tier slug, in hours (Gold 48 h, Silver 72 h by default)."""
    from app.membership.perks import tier_slug  # membership's settings; imported here, supply stays the base
    from app.membership.service import load_perks

    return {tier_slug(name): perk.handling_hours for name, perk in load_perks(session, shop_id).by_tier.items()
            if perk.handling_hours}


def with_tier_targets(warehouse: t.Warehouse, targets: dict[str, int]) -> t.Warehouse:
    """A tier's handling target applies where the warehouse has no handling of its own for that tier and the
    target is faster than its standard: a target is a promise to ship sooner, never later."""
    own = {name for name, _ in warehouse.tier_handling}
    extra = []
    for slug, hours in sorted(targets.items()):
        days = -(-hours // 24)  # the target counts calendar hours; the warehouse counts business days
        if slug not in own and days < warehouse.handling.business_days:
            extra.append((slug, t.Handling(days=days)))
    if not extra:
        return warehouse
    return replace(warehouse, tier_handling=tuple(sorted((*warehouse.tier_handling, *extra), key=lambda pair: pair[0])))


def to_warehouse(location: Location, profile: WarehouseProfile | None) -> t.Warehouse | None:
    """None when the location has neither coordinates nor a resolvable address: no honest promise possible."""
    lat = profile.latitude if profile and profile.latitude is not None else location.latitude
    lng = profile.longitude if profile and profile.longitude is not None else location.longitude
    place = geo.resolve(t.Destination(country=location.country_code, region=location.province_code,
                                      city=location.city, postal_code=location.zip, lat=lat, lng=lng))
    if not place.resolved or place.lat is None or not location.country_code:
        return None
    timezone = (profile.timezone if profile else None) or place.timezone or "UTC"
    public_city = location.city or location.name
    if profile is None:
        return t.Warehouse(id=str(location.shopify_id), name=location.name, city=public_city,
                           country=location.country_code, lat=place.lat, lng=place.lng, timezone=timezone)
    return t.Warehouse(
        id=str(location.shopify_id),
        name=profile.public_name or location.name,
        city=public_city,
        country=location.country_code,
        lat=place.lat,
        lng=place.lng,
        timezone=timezone,
        handling=t.Handling(days=profile.handling_days, hours=profile.handling_hours),
        tier_handling=tuple(
            (tier, t.Handling(days=int(h.get("days", 0)), hours=int(h.get("hours", 0))))
            for tier, h in sorted((profile.tier_handling or {}).items())
        ),
        cutoff=parse_cutoff(profile.cutoff),
        working_weekdays=frozenset(int(d) for d in (profile.working_weekdays or [0, 1, 2, 3, 4])),
        holiday_country=profile.holiday_country,
        holiday_subdivision=profile.holiday_subdivision,
        safety_stock=profile.safety_stock,
        ships_cross_border=profile.ships_cross_border,
    )


def parse_cutoff(value: str | None) -> time:
    hours, _, minutes = (value or "14:00").partition(":")
    return time(int(hours), int(minutes or 0))


def to_lane(row: ShippingLane) -> t.Lane:
    price = t.Money(row.price, row.currency) if row.price is not None and row.currency else None
    return t.Lane(str(row.location_shopify_id), row.country, t.ServiceLevel(row.service_level), row.min_days,
                  row.max_days, price, t.TransportMode(row.mode), row.region)


def load_inventory(session: Session, shop_id: int, variant_ids: Iterable[int], now: datetime) -> t.Inventory:
    """Free stock and incoming stock of the given variants at every location."""
    ids = sorted(set(variant_ids))
    if not ids:
        return t.Inventory()
    item_of = dict(session.execute(
        select(Variant.inventory_item_id, Variant.shopify_id).where(
            Variant.shop_id == shop_id, Variant.shopify_id.in_(ids), Variant.inventory_item_id.is_not(None))
    ).all())
    reserved = {
        (v, loc): int(q) for v, loc, q in session.execute(
            select(StockReservation.variant_shopify_id, StockReservation.location_shopify_id,
                   func.sum(StockReservation.quantity))
            .where(StockReservation.shop_id == shop_id, StockReservation.variant_shopify_id.in_(ids),
                   StockReservation.expires_at > now)
            .group_by(StockReservation.variant_shopify_id, StockReservation.location_shopify_id))
    }
    levels = []
    if item_of:
        for item_id, location_id, available in session.execute(
            select(InventoryLevel.inventory_item_id, InventoryLevel.location_id, InventoryLevel.available)
            .where(InventoryLevel.shop_id == shop_id, InventoryLevel.inventory_item_id.in_(list(item_of)))
        ):
            variant = item_of[item_id]
            levels.append(t.StockLevel(str(variant), str(location_id), available,
                                       reserved.get((variant, location_id), 0)))
    incoming = [
        t.IncomingStock(str(row.variant_shopify_id), str(row.location_shopify_id), row.quantity, row.expected_on)
        for row in session.scalars(select(IncomingStock).where(
            IncomingStock.shop_id == shop_id, IncomingStock.variant_shopify_id.in_(ids),
            IncomingStock.expected_on >= now.date()))
    ]
    return t.Inventory.build(levels, incoming)
