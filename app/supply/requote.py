"""Re-quote abandoned checkouts for the recovery feature: what could we promise this shopper right now?

Each checkout is quoted whole (its lines, its shipping address, the customer's tier) and the best option is
compared with what the store's default location would give: which warehouse, the window, the price
difference (lane prices, when both are known in one currency), the days saved, whether anything improved,
and whether every line is in stock at this moment. `requote_many` loads the shop's supply, the stock of every
variant involved and the checkouts themselves once per batch, so re-quoting thousands costs a few queries
plus the pure engine per checkout.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Checkout, CheckoutLine
from app.supply import geo, loader
from app.supply.loader import ShopSupply
from app.supply.options import DeliveryOption, PromiseStatus
from app.supply.orders import cart_of, destination_from_address, variant_weights
from app.supply.promise import promise
from app.supply.tiers import customer_tiers
from app.supply.types import CartLine, Destination, Inventory, Money, ServiceLevel

MISSING = "missing"  # no such checkout for this shop
_CHUNK = 5000  # ids per IN (...) list: well under every driver's parameter limit


@dataclass(frozen=True)
class Quote:
    location_shopify_ids: tuple[int, ...]  # more than one: a split shipment
    warehouse_names: tuple[str, ...]
    earliest: date  # in the destination's timezone
    latest: date
    service_level: str
    price: Money | None  # None: some lane has no price
    backorder: bool


@dataclass(frozen=True)
class Requote:
    checkout_id: int
    status: str  # available | backorder | unavailable | missing
    best: Quote | None = None
    default: Quote | None = None  # the store's default location; None when it cannot ship the cart
    days_saved: int | None = None  # calendar days the best beats the default by
    price_difference: Money | None = None  # best minus default; negative when the best is cheaper
    improved: bool = False  # the best option is faster (or as fast and cheaper) than the default's
    in_stock: bool = False  # every line can ship from stock right now
    short_variant_ids: tuple[int, ...] = ()  # lines the whole network cannot cover right now
    reason: str | None = None


def requote_checkout(session: Session, shop_id: int, checkout_id: int, now: datetime) -> Requote:
    return requote_many(session, shop_id, [checkout_id], now)[checkout_id]


def requote_many(session: Session, shop_id: int, checkout_ids: Iterable[int], now: datetime) -> dict[int, Requote]:
    """Re-quote every checkout (by our id); ids of other shops or unknown ids answer `missing`."""
    ids = sorted(set(checkout_ids))
    heads: dict[int, tuple[int | None, dict | None]] = {}
    pairs: dict[int, list[tuple[int | None, int]]] = {}
    for chunk in (ids[i:i + _CHUNK] for i in range(0, len(ids), _CHUNK)):
        for cid, customer, address in session.execute(
                select(Checkout.id, Checkout.customer_shopify_id, Checkout.shipping_address)
                .where(Checkout.shop_id == shop_id, Checkout.id.in_(chunk))):
            heads[cid] = (customer, address)
        for cid, variant, quantity in session.execute(
                select(CheckoutLine.checkout_id, CheckoutLine.variant_id, CheckoutLine.quantity)
                .where(CheckoutLine.shop_id == shop_id, CheckoutLine.checkout_id.in_(chunk))
                .order_by(CheckoutLine.checkout_id, CheckoutLine.id)):
            pairs.setdefault(cid, []).append((variant, quantity))
    variants = {v for lines in pairs.values() for v, _ in lines if v is not None}
    weights = variant_weights(session, shop_id, variants)
    tiers = _tiers(session, shop_id, {c for c, _ in heads.values() if c is not None})
    supply = loader.load_supply(session, shop_id)
    inventory = loader.load_inventory(session, shop_id, variants, now)
    places: dict[Destination, geo.ResolvedPlace] = {}
    out: dict[int, Requote] = {}
    for cid in ids:
        if cid not in heads:
            out[cid] = Requote(cid, MISSING, reason="no such checkout")
            continue
        customer, address = heads[cid]
        dest = destination_from_address(address)
        place = places.get(dest)
        if place is None:
            place = places[dest] = geo.resolve(dest)
        cart = cart_of(pairs.get(cid, []), weights)
        out[cid] = _requote(cid, supply, inventory, cart, place, now, tiers.get(customer) if customer else None)
    return out


def _tiers(session: Session, shop_id: int, customer_ids: set[int]) -> dict[int, str]:
    """Every customer's tier, a chunk of customers per query pair; the rule itself stays in tiers.py."""
    found: dict[int, str] = {}
    ordered = sorted(customer_ids)
    for chunk in (ordered[i:i + _CHUNK] for i in range(0, len(ordered), _CHUNK)):
        found.update(customer_tiers(session, shop_id, chunk))
    return found


def _requote(cid: int, supply: ShopSupply, inventory: Inventory, cart: Sequence[CartLine],
             place: geo.ResolvedPlace, now: datetime, tier: str | None) -> Requote:
    result = promise(supply.network, inventory, cart, place, now, tier=tier,
                     default_warehouse_id=supply.default_warehouse_id, service_level=ServiceLevel.STANDARD)
    short = _short(supply, inventory, cart)
    if result.best is None:
        return Requote(cid, result.status.value, short_variant_ids=short, reason=result.reason)
    best, default = _quote(supply, result.best), _quote(supply, result.default) if result.default else None
    return Requote(
        cid, result.status.value, best, default, result.days_saved, _difference(best, default),
        _improved(result.best, result.default), result.status is PromiseStatus.AVAILABLE, short, result.reason)


def _quote(supply: ShopSupply, option: DeliveryOption) -> Quote:
    names = tuple(supply.warehouses[w].name if w in supply.warehouses else w for w in option.warehouse_ids)
    return Quote(tuple(int(w) for w in option.warehouse_ids), names, option.earliest, option.latest,
                 option.shipments[0].service_level.value, option.price, option.backorder)


def _improved(best: DeliveryOption, default: DeliveryOption | None) -> bool:
    if default is None:
        return True  # the default location cannot ship this cart at all; the best can
    if best.warehouse_ids == default.warehouse_ids:
        return False
    if best.latest != default.latest:
        return best.latest < default.latest
    b, d = best.price, default.price
    return b is not None and d is not None and b.currency == d.currency and b.amount < d.amount


def _difference(best: Quote, default: Quote | None) -> Money | None:
    if default is None or best.price is None or default.price is None:
        return None
    if best.price.currency != default.price.currency:
        return None
    return Money(best.price.amount - default.price.amount, best.price.currency)


def shortages(session: Session, shop_id: int, lines: dict[int, list[tuple[int, int]]], now: datetime
              ) -> dict[int, dict[int, int]]:
    """For each key's (variant, quantity) lines, the variants the whole network cannot cover right now, with the
    units needed: one stock read for the batch, no promise computed (abandonment detection calls this)."""
    variants = {v for pairs in lines.values() for v, _ in pairs if v is not None}
    if not variants:
        return {}
    supply = loader.load_supply(session, shop_id)
    inventory = loader.load_inventory(session, shop_id, variants, now)
    out: dict[int, dict[int, int]] = {}
    for key, pairs in lines.items():
        need: dict[int, int] = {}
        for variant, quantity in pairs:
            if variant is not None:
                need[variant] = need.get(variant, 0) + quantity
        cart = [CartLine(str(v), q) for v, q in need.items() if q > 0]
        short = _short(supply, inventory, cart)
        if short:
            out[key] = {v: need[v] for v in short}
    return out


def _short(supply: ShopSupply, inventory: Inventory, cart: Sequence[CartLine]) -> tuple[int, ...]:
    """Variants whose free units across every warehouse (after safety stock) fall short of the cart."""
    need: dict[str, int] = {}
    for line in cart:
        need[line.variant_id] = need.get(line.variant_id, 0) + line.quantity
    short = []
    for variant, quantity in need.items():
        per = inventory.free.get(variant, {})
        total = sum(max(units - wh.safety_stock, 0) for w, units in per.items()
                    if (wh := supply.warehouses.get(w)) is not None)
        if total < quantity:
            short.append(int(variant))
    return tuple(sorted(short))

