"""Seed data for the simulator: a believable cross-border store, the same every time for a given `now`.

`seed_shop()` fills a SimShop with locations (real coordinates), products with variants and stock per
location, customers with consent states, a year of orders and some abandoned checkouts. `put()` and
`modify()` let tests and the demo add or change objects the way a merchant or a shopper would, bumping
`updated_at` so reconciliation can find the change.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.devshop.state import DevShopState, SimShop

DEMO_DOMAIN = "flexchain-demo.myshopify.com"
KINDS = ("locations", "products", "variants", "inventory_items", "customers", "orders", "checkouts")

LOCATIONS = [
    ("Paris Marais", "12 Rue de Turenne", "Paris", None, "FR", "75004", 48.8566, 2.3622),
    ("Rotterdam Hub", "Waalhaven Zuidzijde 19", "Rotterdam", None, "NL", "3089 JH", 51.8877, 4.4302),
    ("Milano Studio", "Via Tortona 31", "Milano", "MI", "IT", "20144", 45.4520, 9.1635),
    ("Newark Fulfilment", "200 Port St", "Newark", "NJ", "US", "07114", 40.6895, -74.1745),
]
PRODUCTS = [
    ("Linen Overshirt", "Apparel", "Atelier Sud", Decimal("89.00"), ["S", "M", "L", "XL"]),
    ("Merino Crew", "Apparel", "Atelier Sud", Decimal("75.00"), ["S", "M", "L"]),
    ("Canvas Tote", "Bags", "Maison Rive", Decimal("35.00"), ["Natural", "Black"]),
    ("Leather Weekender", "Bags", "Maison Rive", Decimal("260.00"), ["Cognac"]),
    ("Ceramic Pour-Over", "Home", "Terra Fina", Decimal("42.00"), ["White", "Sand"]),
    ("Olive Wood Board", "Home", "Terra Fina", Decimal("38.00"), ["Small", "Large"]),
    ("Espresso Cups (set of 4)", "Home", "Terra Fina", Decimal("48.00"), ["Default"]),
    ("Wool Throw", "Home", "Lana Alpina", Decimal("120.00"), ["Grey", "Ochre"]),
    ("Cashmere Beanie", "Accessories", "Lana Alpina", Decimal("65.00"), ["Navy", "Camel"]),
    ("Silk Scarf", "Accessories", "Maison Rive", Decimal("95.00"), ["Blue", "Rust"]),
    ("Chino Trousers", "Apparel", "Atelier Sud", Decimal("99.00"), ["30", "32", "34", "36"]),
    ("Oxford Shirt", "Apparel", "Atelier Sud", Decimal("79.00"), ["S", "M", "L"]),
    ("Leather Belt", "Accessories", "Maison Rive", Decimal("55.00"), ["85", "95"]),
    ("Sunglasses Riviera", "Accessories", "Ottica Lido", Decimal("145.00"), ["Tortoise", "Black"]),
    ("Linen Napkins (set of 6)", "Home", "Terra Fina", Decimal("32.00"), ["Natural"]),
    ("Beeswax Candle", "Home", "Terra Fina", Decimal("24.00"), ["Default"]),
    ("Espadrilles", "Footwear", "Suela", Decimal("59.00"), ["38", "40", "42", "44"]),
    ("Suede Loafers", "Footwear", "Suela", Decimal("185.00"), ["40", "42", "44"]),
    ("Rain Jacket", "Apparel", "Nordvind", Decimal("150.00"), ["S", "M", "L"]),
    ("Travel Wallet", "Accessories", "Maison Rive", Decimal("70.00"), ["Default"]),
]
FIRST = ["Camille", "Lucas", "Giulia", "Marco", "Sofia", "Daan", "Emma", "Noah", "Léa", "Hugo", "Chiara", "Sem",
         "Olivia", "James", "Lucía", "Pablo", "Anna", "Luca", "Chloé", "Finn"]
LAST = ["Martin", "Bernard", "Rossi", "Bianchi", "de Vries", "Jansen", "Smith", "Johnson", "García", "Dubois",
        "Romano", "Bakker", "Müller", "Moreau", "Conti"]
MARKETS = [("fr", "FR", "EUR"), ("nl", "NL", "EUR"), ("it", "IT", "EUR"), ("en-US", "US", "USD"), ("es", "ES", "EUR")]
CONSENT = ["SUBSCRIBED"] * 5 + ["NOT_SUBSCRIBED"] * 3 + ["UNSUBSCRIBED", "PENDING"]


def new_id(shop: SimShop) -> int:
    shop.data["next_id"] = shop.data.get("next_id", 7_100_000_000_000) + 1
    return shop.data["next_id"]


def seed_shop(state: DevShopState, domain: str = DEMO_DOMAIN, *, now: datetime | None = None, seed: int = 7,
              orders: int = 300, customers: int = 60, checkouts: int = 25) -> SimShop:
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    shop = SimShop(domain=domain, shopify_id=64_000_000_001, name="Flexchain Demo", email="owner@flexchain.example",
                   currency="EUR", timezone="Europe/Paris", country_code="FR", plan_name="Basic")
    shop.data = {kind: {} for kind in KINDS}
    shop.data.update(levels={}, bulk_operations={}, segments={}, discounts={}, metafields={},
                     metafield_definitions={}, fulfillment_orders={})
    year_ago = now - timedelta(days=365)
    for name, address1, city, province, country, zip_code, lat, lng in LOCATIONS:
        put(shop, "locations", {"name": name, "address1": address1, "city": city, "province_code": province,
                                "country_code": country, "zip": zip_code, "latitude": lat, "longitude": lng,
                                "active": True, "fulfills_online_orders": True}, now=year_ago)
    for title, ptype, vendor, price, options in PRODUCTS:
        _seed_product(shop, rng, title, ptype, vendor, price, options, year_ago, now)
    for k in range(customers):
        _seed_customer(shop, rng, k, year_ago, now)
    for _ in range(orders):
        _seed_order(shop, rng, year_ago, now)
    for _ in range(checkouts):
        _seed_checkout(shop, rng, now)
    state.add_shop(shop)
    return shop


def seed_demo_shop(state: DevShopState, domain: str = DEMO_DOMAIN, **kwargs: Any) -> SimShop:
    """The demo store the dev server starts with."""
    return seed_shop(state, domain, **kwargs)


def put(shop: SimShop, kind: str, obj: dict[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """Add an object of `kind` (or replace one with the same id); sets id and timestamps when missing."""
    now = now or datetime.now(UTC)
    obj = dict(obj)
    obj.setdefault("id", new_id(shop))
    obj.setdefault("created_at", now)
    obj.setdefault("updated_at", now)
    shop.data[kind][obj["id"]] = obj
    return obj


def modify(shop: SimShop, kind: str, object_id: int, *, now: datetime | None = None, **changes: Any) -> dict:
    obj = shop.data[kind][object_id]
    obj.update(changes)
    obj["updated_at"] = now or datetime.now(UTC)
    return obj


def set_level(shop: SimShop, item_id: int, location_id: int, available: int, *, now: datetime | None = None,
              committed: int = 0, incoming: int = 0) -> dict:
    now = now or datetime.now(UTC)
    level = shop.data["levels"].setdefault((item_id, location_id), {"created_at": now})
    level.update(available=available, committed=committed, incoming=incoming, on_hand=available + committed,
                 updated_at=now, item_id=item_id, location_id=location_id)
    return level


def _seed_product(shop, rng, title, ptype, vendor, price, options, start, now) -> None:
    handle = title.lower().replace(" ", "-").replace("(", "").replace(")", "")
    product = put(shop, "products", {"title": title, "handle": handle, "vendor": vendor, "product_type": ptype,
                                     "status": "ACTIVE", "variant_ids": []}, now=start)
    for option in options:
        sku = f"{handle[:12].upper()}-{option.upper()}".replace(" ", "")
        origin = rng.choice(["FR", "IT", "PT", "ES"])
        item = put(shop, "inventory_items", {"sku": sku, "tracked": True, "country_code_of_origin": origin,
                                             "harmonized_system_code": rng.choice(["620520", "420292", "691200"])},
                   now=start)
        variant = put(shop, "variants", {"product_id": product["id"], "title": option, "sku": sku, "price": price,
                                         "inventory_item_id": item["id"]}, now=start)
        product["variant_ids"].append(variant["id"])
        for loc_id in shop.data["locations"]:
            stocked = rng.random() < 0.8
            set_level(shop, item["id"], loc_id, rng.randint(0, 40) if stocked else 0,
                      now=now - timedelta(days=rng.randint(0, 30)), incoming=rng.choice([0, 0, 0, 12]))


def _seed_customer(shop, rng, k, start, now) -> None:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    locale, country, _currency = rng.choice(MARKETS)
    created = start + timedelta(days=rng.randint(0, 300))
    state = rng.choice(CONSENT)
    put(shop, "customers", {
        "first_name": first, "last_name": last, "email": f"{first.lower()}.{k}@example.com".replace("é", "e"),
        "phone": f"+3361234{k:04d}" if rng.random() < 0.4 else None, "locale": locale, "country_code": country,
        "state": "ENABLED", "tags": sorted(rng.sample(["vip", "newsletter", "wholesale", "eu", "us"], 2)),
        "email_marketing_state": state, "opt_in_level": "SINGLE_OPT_IN" if state == "SUBSCRIBED" else None,
        "consent_updated_at": created if state != "NOT_SUBSCRIBED" else None,
        "sms_marketing_state": "NOT_SUBSCRIBED",
    }, now=created)
    shop.data["customers"][max(shop.data["customers"])]["updated_at"] = created + timedelta(days=rng.randint(0, 60))


def _lines(shop, rng, currency: str) -> list[dict]:
    lines = []
    for variant_id in rng.sample(sorted(shop.data["variants"]), rng.randint(1, 3)):
        variant = shop.data["variants"][variant_id]
        product = shop.data["products"][variant["product_id"]]
        lines.append({"id": new_id(shop), "variant_id": variant_id, "product_id": product["id"], "sku": variant["sku"],
                      "title": product["title"], "quantity": rng.randint(1, 2), "price": variant["price"],
                      "currency": currency})
    return lines


def _address(rng, country: str) -> dict:
    city = {"FR": ("Lyon", 45.764, 4.8357), "NL": ("Utrecht", 52.0907, 5.1214), "IT": ("Torino", 45.0703, 7.6869),
            "US": ("Brooklyn", 40.6782, -73.9442), "ES": ("Barcelona", 41.3874, 2.1686)}[country]
    return {"address1": f"{rng.randint(1, 120)} Main Street", "city": city[0], "country_code": country,
            "province_code": "NY" if country == "US" else None, "zip": f"{rng.randint(10000, 99999)}",
            "latitude": city[1], "longitude": city[2]}


def _seed_order(shop, rng, start, now) -> None:
    customer = shop.data["customers"][rng.choice(sorted(shop.data["customers"]))]
    created = start + timedelta(seconds=rng.randint(0, int((now - start).total_seconds()) - 3600))
    lines = _lines(shop, rng, "EUR")
    subtotal = sum((line["price"] * line["quantity"] for line in lines), Decimal(0))
    shipping = Decimal("0.00") if subtotal >= 100 else Decimal("7.50")
    cancelled = rng.random() < 0.03
    number = 1000 + len(shop.data["orders"]) + 1
    put(shop, "orders", {
        "name": f"#{number}", "email": customer["email"], "customer_id": customer["id"],
        "processed_at": created, "cancelled_at": created + timedelta(hours=2) if cancelled else None,
        "cancel_reason": "CUSTOMER" if cancelled else None,
        "financial_status": "REFUNDED" if cancelled else "PAID",
        "fulfillment_status": "UNFULFILLED" if now - created < timedelta(days=3) else "FULFILLED",
        "currency": "EUR", "presentment_currency": "USD" if customer["country_code"] == "US" else "EUR",
        "subtotal": subtotal, "shipping": shipping, "total": subtotal + shipping,
        "checkout_token": f"{rng.getrandbits(128):032x}",
        "cart_token": f"{rng.getrandbits(96):024x}", "source_name": "web", "tags": [], "test": False,
        "shipping_address": _address(rng, customer["country_code"]), "lines": lines,
    }, now=created)
    order = shop.data["orders"][max(shop.data["orders"])]
    order["updated_at"] = min(now, created + timedelta(days=rng.randint(0, 5)))


def _seed_checkout(shop, rng, now) -> None:
    customer = shop.data["customers"][rng.choice(sorted(shop.data["customers"]))]
    created = now - timedelta(hours=rng.randint(2, 24 * 20))
    lines = _lines(shop, rng, "EUR")
    subtotal = sum((line["price"] * line["quantity"] for line in lines), Decimal(0))
    put(shop, "checkouts", {
        "token": f"{rng.getrandbits(128):032x}", "customer_id": customer["id"], "email": customer["email"],
        "completed_at": None, "subtotal": subtotal, "total": subtotal, "currency": "EUR",
        "presentment_currency": "EUR", "shipping_address": _address(rng, customer["country_code"]), "lines": lines,
    }, now=created)


def assign_fulfillment_order(shop: SimShop, order_id: int, location_id: int, *, status: str = "OPEN",
                             fulfilled: int = 0) -> dict:
    """Give an order one fulfillment order at `location_id`, as Shopify does at checkout; `fulfilled` units of
    its first line already shipped make it IN_PROGRESS, the way a partial fulfillment does."""
    order = shop.data["orders"][order_id]
    lines = [{**line, "fulfilled": 0} for line in order["lines"]]
    if fulfilled and lines:
        lines[0]["fulfilled"] = min(fulfilled, lines[0]["quantity"])
        status = "IN_PROGRESS" if status == "OPEN" else status
    fo = {"id": new_id(shop), "status": status, "location_id": location_id, "lines": lines}
    shop.data["fulfillment_orders"][order_id] = [fo]
    return fo
