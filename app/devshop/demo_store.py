"""The demo store: a cross-border shop selling from Shenzhen, Los Angeles and Rotterdam.

`seed_store()` fills the simulator with what the shop held before it installed Flexchain (warehouses, 50
products with stock, customers in ten countries, the orders older than the live window). `live_events()`
is what happens after the install, in time order: orders with their payment, fulfillment, delivery and
sometimes a refund, and a stream of checkouts left behind. The demo delivers those as signed webhooks.

Everything is drawn from one seeded generator and ids are handed out in a fixed order, so the same
`anchor` gives the same store, object for object: that is what makes the demo idempotent.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from app.devshop import catalog
from app.devshop.state import DevShopState, SimShop

WAREHOUSES = [
    # name, address, city, province, country, zip, latitude, longitude
    ("Shenzhen Bao'an DC", "1 Fuyong Logistics Park", "Shenzhen", "GD", "CN", "518103", 22.6727, 113.8150),
    ("Los Angeles Gateway", "2001 E Dominguez St", "Carson", "CA", "US", "90810", 33.8458, -118.2318),
    ("Rotterdam Europoort", "Waalhaven Zuidzijde 19", "Rotterdam", None, "NL", "3089 JH", 51.8877, 4.4302),
]
# country: (locale, weight, cities as (name, province, latitude, longitude)), warehouse index it ships from
MARKETS: dict[str, tuple[str, int, list[tuple[str, str | None, float, float]], int]] = {
    "US": ("en-US", 30, [("Los Angeles", "CA", 34.0522, -118.2437), ("New York", "NY", 40.7128, -74.0060),
                         ("Chicago", "IL", 41.8781, -87.6298), ("Austin", "TX", 30.2672, -97.7431)], 1),
    "CA": ("en-CA", 8, [("Toronto", "ON", 43.6532, -79.3832), ("Vancouver", "BC", 49.2827, -123.1207)], 1),
    "GB": ("en-GB", 12, [("London", None, 51.5074, -0.1278), ("Manchester", None, 53.4808, -2.2426)], 2),
    "DE": ("de", 12, [("Berlin", None, 52.5200, 13.4050), ("München", None, 48.1351, 11.5820)], 2),
    "FR": ("fr", 9, [("Lyon", None, 45.7640, 4.8357), ("Paris", None, 48.8566, 2.3522)], 2),
    "NL": ("nl", 6, [("Utrecht", None, 52.0907, 5.1214), ("Amsterdam", None, 52.3676, 4.9041)], 2),
    "ES": ("es", 5, [("Madrid", None, 40.4168, -3.7038)], 2),
    "IT": ("it", 5, [("Milano", None, 45.4642, 9.1900)], 2),
    "AU": ("en-AU", 7, [("Sydney", "NSW", -33.8688, 151.2093), ("Melbourne", "VIC", -37.8136, 144.9631)], 0),
    "JP": ("ja", 6, [("Osaka", None, 34.6937, 135.5023), ("Tokyo", None, 35.6762, 139.6503)], 0),
}
LINES = ["Aurora", "Bamboo", "Cobalt", "Dune", "Ember"]
GOODS = [  # noun, product type, price, options
    ("Power Bank 10000 mAh", "Electronics", "39.00", ["Black", "White"]),
    ("Wireless Earbuds", "Electronics", "69.00", ["Black", "Pearl"]),
    ("Phone Stand", "Accessories", "19.00", ["Default"]),
    ("Desk Lamp", "Home", "54.00", ["Warm", "Cool"]),
    ("Silk Pillowcase", "Home", "45.00", ["Ivory", "Rose", "Slate"]),
    ("Yoga Mat", "Sport", "49.00", ["Green", "Sand"]),
    ("Insulated Bottle", "Sport", "29.00", ["500 ml", "750 ml"]),
    ("Travel Backpack", "Bags", "119.00", ["Black", "Olive"]),
    ("Tea Set", "Home", "88.00", ["Celadon", "White"]),
    ("Mechanical Keyboard", "Electronics", "149.00", ["Brown switch", "Red switch"]),
]
FIRST = ["Wei", "Li", "Emma", "Noah", "Olivia", "Liam", "Sophie", "Lukas", "Yuki", "Haruto", "Chloé", "Hugo",
         "Daan", "Lotte", "Lucía", "Mateo", "Giulia", "Marco", "Amelia", "Jack", "Mia", "Ben", "Aiko", "Ethan"]
LAST = ["Smith", "Chen", "Wang", "Müller", "Schmidt", "Martin", "Dubois", "de Vries", "Jansen", "García",
        "Rossi", "Tanaka", "Sato", "Brown", "Wilson", "Taylor", "Nguyen", "Kowalski"]
TRANSIT = {0: (6, 14), 1: (2, 6), 2: (2, 5)}  # business-ish days from each warehouse to its markets


@dataclass(frozen=True)
class Size:
    customers: int = 2000
    orders: int = 5000  # over the twelve months
    checkouts_per_day: int = 12
    live_days: int = 60  # Flexchain was installed this long before the anchor


@dataclass(order=True)
class Event:
    at: datetime
    seq: int
    kind: str = field(compare=False)  # order | paid | shipped | delivered | refund | checkout
    data: dict[str, Any] = field(compare=False, default_factory=dict)


def seed_store(state: DevShopState, domain: str, anchor: datetime, size: Size, seed: int = 2026) -> SimShop:
    rng = random.Random(seed)
    shop = SimShop(domain=domain, shopify_id=64_000_000_777, name="Lumen & Loom", email="owner@lumenloom.example",
                   currency="USD", timezone="Asia/Shanghai", country_code="CN", plan_name="Shopify Plus")
    shop.data = {kind: {} for kind in catalog.KINDS}
    shop.data.update(levels={}, bulk_operations={}, segments={}, discounts={}, metafields={},
                     metafield_definitions={}, fulfillment_orders={})
    _plus_plan_limits(shop)
    year_ago = anchor - timedelta(days=365)
    for name, address1, city, province, country, zip_code, lat, lng in WAREHOUSES:
        catalog.put(shop, "locations", {
            "name": name, "address1": address1, "city": city, "province_code": province, "country_code": country,
            "zip": zip_code, "latitude": lat, "longitude": lng, "active": True, "fulfills_online_orders": True},
            now=year_ago)
    for line in LINES:
        for good in GOODS:
            _product(shop, rng, line, *good, at=year_ago)
    weights = [MARKETS[c][1] for c in MARKETS]
    for k in range(size.customers):
        _customer(shop, rng, k, rng.choices(list(MARKETS), weights)[0], year_ago, anchor)
    history_end = anchor - timedelta(days=size.live_days)
    buyers = sorted(shop.data["customers"])
    # Loyal customers buy far more often than the rest (a long tail): a few reach the top tiers.
    loyalty = [rng.paretovariate(1.6) for _ in buyers]
    history = int(size.orders * (365 - size.live_days) / 365)
    for _ in range(history):
        customer = shop.data["customers"][rng.choices(buyers, loyalty)[0]]
        at = year_ago + timedelta(seconds=rng.randint(0, int((history_end - year_ago).total_seconds())))
        order = new_order(shop, rng, customer, at)
        order["fulfillment_status"] = "FULFILLED"
        catalog.put(shop, "orders", order, now=at)
    shop.data["demo"] = {"buyers": buyers, "loyalty": loyalty}
    state.add_shop(shop)
    return shop


def _plus_plan_limits(shop: SimShop) -> None:
    """Shopify Plus's GraphQL limits (1,000 points/s, 10,000 in the bucket): the write-back of 2,000 members
    takes seconds instead of minutes, as it would for a Plus store."""
    from app.devshop.graphql_api import LeakyBucket

    shop.data["bucket"] = LeakyBucket(maximum=10_000.0, restore_rate=1_000.0)


def _product(shop: SimShop, rng: random.Random, line: str, noun: str, ptype: str, price: str,
             options: list[str], at: datetime) -> None:
    title = f"{line} {noun}"
    handle = title.lower().replace(" ", "-")
    product = catalog.put(shop, "products", {"title": title, "handle": handle, "vendor": "Lumen & Loom",
                                             "product_type": ptype, "status": "ACTIVE", "variant_ids": []}, now=at)
    for option in options:
        sku = f"LL-{line[:3]}-{noun[:4]}-{option[:5]}".upper().replace(" ", "")
        item = catalog.put(shop, "inventory_items", {"sku": sku, "tracked": True, "country_code_of_origin": "CN",
                                                     "harmonized_system_code": "851830"}, now=at)
        variant = catalog.put(shop, "variants", {"product_id": product["id"], "title": option, "sku": sku,
                                                 "price": Decimal(price), "inventory_item_id": item["id"]}, now=at)
        product["variant_ids"].append(variant["id"])
        for index, loc_id in enumerate(sorted(shop.data["locations"])):
            # Shenzhen holds the bulk; the overseas warehouses hold fast movers and sometimes run dry or
            # oversell (Shopify lets a variant that continues selling go negative).
            roll = rng.random()
            units = rng.randint(150, 600) if index == 0 else (
                0 if roll < 0.15 else -rng.randint(1, 3) if roll < 0.2 else rng.randint(5, 80))
            catalog.set_level(shop, item["id"], loc_id, units, now=at, incoming=rng.choice([0, 0, 0, 24]))


def _customer(shop: SimShop, rng: random.Random, k: int, country: str, start: datetime, anchor: datetime) -> None:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    locale = MARKETS[country][0]
    created = start + timedelta(days=rng.randint(0, 300))
    consent = rng.choice(["SUBSCRIBED"] * 7 + ["NOT_SUBSCRIBED"] * 2 + ["UNSUBSCRIBED"])
    # ASCII addresses: an internationalised local part needs SMTPUTF8, which many providers refuse.
    email = unicodedata.normalize("NFKD", f"{first}.{last}.{k}@example.com".lower().replace(" ", ""))
    email = email.encode("ascii", "ignore").decode()
    catalog.put(shop, "customers", {
        "first_name": first, "last_name": last, "email": email, "phone": None, "locale": locale,
        "country_code": country, "state": "ENABLED", "tags": [country.lower()],
        "email_marketing_state": consent, "opt_in_level": "SINGLE_OPT_IN" if consent == "SUBSCRIBED" else None,
        "consent_updated_at": created if consent != "NOT_SUBSCRIBED" else None, "sms_marketing_state": "NOT_SUBSCRIBED",
        "city": rng.choice(MARKETS[country][2]),
    }, now=created)


def address_of(rng: random.Random, customer: dict) -> dict:
    city, province, lat, lng = customer["city"]
    return {"address1": f"{rng.randint(1, 400)} Market Street", "city": city, "province_code": province,
            "country_code": customer["country_code"], "zip": f"{rng.randint(10000, 99999)}",
            "latitude": lat, "longitude": lng}


def cart_lines(shop: SimShop, rng: random.Random) -> list[dict]:
    lines = []
    for variant_id in rng.sample(sorted(shop.data["variants"]), rng.choice([1, 1, 2, 2, 3])):
        variant = shop.data["variants"][variant_id]
        product = shop.data["products"][variant["product_id"]]
        lines.append({"id": catalog.new_id(shop), "variant_id": variant_id, "product_id": product["id"],
                      "sku": variant["sku"], "title": product["title"], "quantity": rng.choice([1, 1, 1, 2]),
                      "price": variant["price"], "currency": "USD"})
    return lines


def new_order(shop: SimShop, rng: random.Random, customer: dict, at: datetime, *, lines: list[dict] | None = None,
              checkout_token: str | None = None) -> dict:
    """An order as the simulator stores it (not yet put: the caller decides when Shopify has it)."""
    lines = lines if lines is not None else cart_lines(shop, rng)
    subtotal = sum((line["price"] * line["quantity"] for line in lines), Decimal(0))
    shipping = Decimal("0.00") if subtotal >= 80 else Decimal("9.90")
    # Numbers are handed out when the order is built, not when Shopify receives it: the same story always
    # gives each order the same name.
    shop.data["order_numbers"] = number = shop.data.get("order_numbers", 1000) + 1
    return {
        "id": catalog.new_id(shop), "name": f"#{number}", "email": customer["email"], "customer_id": customer["id"],
        "processed_at": at, "created_at": at, "updated_at": at, "cancelled_at": None, "cancel_reason": None,
        "financial_status": "PAID", "fulfillment_status": "UNFULFILLED", "currency": "USD",
        "presentment_currency": "USD", "subtotal": subtotal, "shipping": shipping, "total": subtotal + shipping,
        "checkout_token": checkout_token or f"{rng.getrandbits(128):032x}", "cart_token": None,
        "source_name": "web", "tags": [], "test": False, "shipping_address": address_of(rng, customer),
        "lines": lines,
    }


def live_events(shop: SimShop, anchor: datetime, size: Size, seed: int = 2027) -> list[Event]:
    """The install window's activity, oldest first. Orders are built now (ids fixed) and put into the
    simulator only when the replay reaches them."""
    rng = random.Random(seed)
    start = anchor - timedelta(days=size.live_days)
    demo = shop.data["demo"]
    events: list[Event] = []
    for _ in range(int(size.orders * size.live_days / 365)):
        customer = shop.data["customers"][rng.choices(demo["buyers"], demo["loyalty"])[0]]
        at = start + timedelta(seconds=rng.randint(0, int((anchor - start).total_seconds()) - 1))
        events.extend(order_events(shop, new_order(shop, rng, customer, at), anchor))
    for day in range(size.live_days):
        for _ in range(size.checkouts_per_day):
            customer = shop.data["customers"][rng.choice(demo["buyers"])]
            at = start + timedelta(days=day, seconds=rng.randint(0, 86_399))
            lines = cart_lines(shop, rng)
            total = sum((line["price"] * line["quantity"] for line in lines), Decimal(0))
            checkout = {"id": catalog.new_id(shop), "token": f"{rng.getrandbits(128):032x}",
                        "customer_id": customer["id"], "email": customer["email"], "completed_at": None,
                        "subtotal": total, "total": total, "currency": "USD", "presentment_currency": "USD",
                        "shipping_address": address_of(rng, customer), "lines": lines, "created_at": at,
                        "updated_at": at, "locale": customer["locale"],
                        # Some shoppers come back on their own, mail or not (the holdout's baseline).
                        "returns_after": timedelta(hours=rng.randint(6, 120)) if rng.random() < 0.07 else None,
                        "reply_draw": rng.random(), "reply_after": timedelta(hours=rng.randint(2, 60))}
            # The order it would become is built now, so a conversion has the same ids however it comes about.
            checkout["order"] = new_order(shop, rng, customer, at, lines=lines, checkout_token=checkout["token"])
            events.append(Event(at, len(events), "checkout", checkout))
    events.sort()
    return events


def order_events(shop: SimShop, order: dict, anchor: datetime) -> list[Event]:
    """An order's life: placed, paid, shipped from its market's warehouse, delivered, sometimes refunded.
    Drawn from the order's own id, so a conversion placed at any point of the replay has the same life."""
    rng = random.Random(order["id"])
    at = order["processed_at"]
    events = [Event(at, 0, "order", order), Event(at + timedelta(minutes=1), 0, "paid", order)]
    customer = shop.data["customers"][order["customer_id"]]
    warehouse = MARKETS[customer["country_code"]][3]
    location_id = sorted(shop.data["locations"])[warehouse]
    shipped = at + timedelta(hours=rng.randint(8, 70))
    lo, hi = TRANSIT[warehouse]
    # Carriers are sometimes slow (customs, peaks): about one parcel in six arrives days later than usual.
    delay = rng.randint(5, 12) if rng.random() < 0.16 else 0
    delivered = shipped + timedelta(days=rng.randint(lo, hi) + delay, hours=5)
    fulfillment = {"id": order["id"] * 10 + 1, "order": order, "location_id": location_id, "shipped": shipped,
                   "delivered": delivered}
    if shipped < anchor:
        events.append(Event(shipped, 0, "shipped", fulfillment))
    if delivered < anchor:
        events.append(Event(delivered, 0, "delivered", fulfillment))
    if rng.random() < 0.06:
        refunded = at + timedelta(days=rng.randint(3, 20))
        line = order["lines"][0]
        refund = {"id": order["id"] * 10 + 2, "order": order, "line": line, "amount": line["price"]}
        if refunded < anchor:
            events.append(Event(refunded, 0, "refund", refund))
    return events
