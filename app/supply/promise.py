"""Delivery promises: for a cart and a destination, when could it arrive, from where, at what cost and carbon.

`Network` holds what changes rarely (warehouses with their calendars and timezones, the transit table) and is
built once per shop; `promise()` is the pure per-request computation over it, the stock and a resolved
destination. Nothing here reads a clock: `now` is always an argument.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.supply import calendars
from app.supply.calendars import BusinessCalendar
from app.supply.carbon import parcel_kg_co2e
from app.supply.geo import ResolvedPlace, haversine_km
from app.supply.options import DeliveryOption, Promise, PromiseStatus, Shipment, rank_key
from app.supply.split import backorder_ready_on, greedy_split
from app.supply.transit import TransitTable
from app.supply.types import CartLine, Inventory, ServiceLevel, Warehouse

MAX_SHIPMENTS = 3  # a split beyond three parcels costs more goodwill than the days it saves


@dataclass(frozen=True, slots=True)
class Site:
    """A warehouse with the things a promise needs resolved once: its zone and its business calendar."""

    warehouse: Warehouse
    tz: ZoneInfo
    calendar: BusinessCalendar


class Network:
    def __init__(self, warehouses: Iterable[Warehouse], transit: TransitTable | None = None) -> None:
        self.sites: dict[str, Site] = {}
        for wh in warehouses:
            cal = calendars.calendar(wh.working_weekdays, wh.holiday_country or wh.country, wh.holiday_subdivision)
            self.sites[wh.id] = Site(wh, calendars.zone(wh.timezone), cal)
        self.transit = transit or TransitTable()


@dataclass(slots=True)
class _Context:
    network: Network
    place: ResolvedPlace
    now: datetime
    tier: str | None
    dest_tz: ZoneInfo
    dest_cal: BusinessCalendar
    distances: dict[str, float] = field(default_factory=dict)
    # Warehouses sharing a zone, cutoff, calendar and handling time dispatch at the same instant: compute once.
    dispatches: dict[tuple, tuple[calendars.Dispatch, date]] = field(default_factory=dict)
    arrivals: dict[tuple[date, int], date] = field(default_factory=dict)

    def arrival(self, leaves_on: date, days: int) -> date:
        key = (leaves_on, days)
        found = self.arrivals.get(key)
        if found is None:
            found = self.arrivals[key] = self.dest_cal.add(leaves_on, days)
        return found


def promise(network: Network, inventory: Inventory, cart: Sequence[CartLine], place: ResolvedPlace,
            now: datetime, *, tier: str | None = None, default_warehouse_id: str | None = None,
            service_level: ServiceLevel | None = ServiceLevel.STANDARD) -> Promise:
    """Best and default delivery options for `cart` to `place`; `service_level=None` weighs every level."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not place.resolved or place.country is None or place.lat is None or place.lng is None:
        return Promise(PromiseStatus.UNAVAILABLE, place, reason="the destination could not be located")
    lines = _merge(cart)
    if not lines:
        return Promise(PromiseStatus.UNAVAILABLE, place, reason="the cart is empty")
    ctx = _Context(network, place, now, tier, calendars.zone(place.timezone or "UTC"),
                   calendars.destination_calendar(place.country, place.region))
    sites = [s for s in network.sites.values()
             if s.warehouse.ships_cross_border or s.warehouse.country == place.country]
    if not sites:
        return Promise(PromiseStatus.UNAVAILABLE, place, reason="no location ships to this country")

    levels = (service_level,) if service_level else None
    whole = _parcel(lines)
    options = [DeliveryOption((sh,)) for s in _complete(inventory, lines, sites)
               for sh in _quotes(ctx, s, whole, levels)]
    if not options:
        free = {line.variant_id: _free_by_site(inventory, line.variant_id, sites) for line in lines}
        groups = greedy_split(lines, sites, free, MAX_SHIPMENTS, _latest_memo(ctx, whole, levels))
        if groups:
            options.append(DeliveryOption(tuple(_fastest(ctx, s, _parcel(group), levels) for s, group in groups)))
        for site in sites:
            ready_on = backorder_ready_on(inventory, lines, site.warehouse.id, free)
            if ready_on is not None:
                options.extend(DeliveryOption((sh,)) for sh in _quotes(ctx, site, whole, levels, ready_on))
    if not options:
        return Promise(PromiseStatus.UNAVAILABLE, place, reason="no stock and no known restock date")
    options.sort(key=rank_key)
    best = options[0]
    status = PromiseStatus.BACKORDER if best.backorder else PromiseStatus.AVAILABLE
    default = _default_option(ctx, options, sites, inventory, lines, default_warehouse_id, levels)
    return Promise(status, place, best, default, tuple(options))


def _complete(inventory: Inventory, lines: Sequence[CartLine], sites: list[Site]) -> list[Site]:
    """Locations holding every line, narrowed line by line (most carts are decided within a few lines)."""
    candidates = sites
    for line in lines:
        per_wh = inventory.free.get(line.variant_id, {})
        need = line.quantity
        candidates = [s for s in candidates if per_wh.get(s.warehouse.id, 0) - s.warehouse.safety_stock >= need]
        if not candidates:
            break
    return candidates


Parcel = tuple[tuple[tuple[str, int], ...], int]  # ((variant, quantity), ...), total grams


def _parcel(lines: Sequence[CartLine]) -> Parcel:
    return tuple((ln.variant_id, ln.quantity) for ln in lines), sum(ln.weight_grams * ln.quantity for ln in lines)


def _merge(cart: Sequence[CartLine]) -> list[CartLine]:
    """One line per variant, so a variant listed twice is checked against stock once, for its total."""
    merged: dict[str, CartLine] = {}
    for line in cart:
        seen = merged.get(line.variant_id)
        merged[line.variant_id] = line if seen is None else CartLine(
            line.variant_id, seen.quantity + line.quantity, seen.weight_grams)
    return list(merged.values())


def _free_by_site(inventory: Inventory, variant_id: str, sites: list[Site]) -> dict[str, int]:
    per_wh = inventory.free.get(variant_id, {})
    return {s.warehouse.id: per_wh.get(s.warehouse.id, 0) - s.warehouse.safety_stock for s in sites}


def _quotes(ctx: _Context, site: Site, parcel: Parcel, levels: tuple[ServiceLevel, ...] | None,
            ready_on: date | None = None) -> list[Shipment]:
    wh = site.warehouse
    place = ctx.place
    distance = ctx.distances.get(wh.id)
    if distance is None:
        distance = ctx.distances[wh.id] = haversine_km(wh.lat, wh.lng, place.lat, place.lng)  # type: ignore[arg-type]
    handling_days = wh.handling_for(ctx.tier).business_days
    key = (wh.timezone, wh.cutoff, id(site.calendar), handling_days, ready_on)
    memo = ctx.dispatches.get(key)
    if memo is None:
        sent = calendars.dispatch(ctx.now, site.tz, wh.cutoff, site.calendar, handling_days, ready_on)
        # Transit counts from the dispatch day as the destination sees it (across the date line it may differ).
        memo = ctx.dispatches[key] = (sent, sent.at.astimezone(ctx.dest_tz).date())
    sent, leaves_on = memo
    items, grams = parcel
    backorder = ready_on is not None
    transit = ctx.network.transit
    shipments = []
    for level in levels or sorted(transit.levels_for(wh.id, place.country)):  # type: ignore[arg-type]
        est = transit.estimate(wh.id, wh.country, place.country, place.region, level, distance)  # type: ignore[arg-type]
        shipments.append(Shipment(
            wh.id, items, level, est.mode, est.source, sent.at,
            ctx.arrival(leaves_on, est.min_days), ctx.arrival(leaves_on, est.max_days),
            est.price, round(distance, 1), parcel_kg_co2e(distance, est.mode, grams),
            None if backorder else sent.next_cutoff, None if backorder else sent.countdown, backorder))
    return shipments


def _latest_memo(ctx: _Context, parcel: Parcel,
                 levels: tuple[ServiceLevel, ...] | None) -> Callable[[Site], date]:
    seen: dict[str, date] = {}

    def latest_of(site: Site) -> date:
        if site.warehouse.id not in seen:
            seen[site.warehouse.id] = min(sh.latest for sh in _quotes(ctx, site, parcel, levels))
        return seen[site.warehouse.id]

    return latest_of


def _fastest(ctx: _Context, site: Site, parcel: Parcel, levels: tuple[ServiceLevel, ...] | None,
             ready_on: date | None = None) -> Shipment:
    return min(_quotes(ctx, site, parcel, levels, ready_on), key=lambda sh: rank_key(DeliveryOption((sh,))))


def _default_option(ctx: _Context, options: list[DeliveryOption], sites: list[Site], inventory: Inventory,
                    lines: list[CartLine], default_id: str | None,
                    levels: tuple[ServiceLevel, ...] | None) -> DeliveryOption | None:
    """The option the store's default location gives, from stock or from its own restock; None if it cannot."""
    if default_id is None:
        return None
    for option in options:  # already ranked, so the first single-parcel match is the default's best
        if option.warehouse_ids == (default_id,):
            return option
    site = next((s for s in sites if s.warehouse.id == default_id), None)
    if site is None:
        return None
    free = {line.variant_id: _free_by_site(inventory, line.variant_id, [site]) for line in lines}
    ready_on = backorder_ready_on(inventory, lines, default_id, free)
    if ready_on is None:
        return None
    return DeliveryOption((_fastest(ctx, site, _parcel(lines), levels, ready_on),))
