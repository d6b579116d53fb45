"""Benchmark: re-quote 10,000 abandoned checkouts (1-5 lines each) over 5 warehouses and 500 variants.

Run with `uv run python tests/bench/bench_requote.py` against PostgreSQL (BENCH_DATABASE_URL, else
TEST_DATABASE_URL, else the local `test` database). The dataset is bulk-inserted under a shop of its own,
which is deleted afterwards; nothing else in the database is touched. The timed part is one
`requote_many(...)` call over every checkout: loading the checkouts, their lines, their customers' tiers,
the shop's supply and the stock of every variant involved, then the pure promise per checkout.
The offline city index is loaded first, as a worker does at start. Target: under 30 s on a 2-vCPU machine.
"""

from __future__ import annotations

import logging
import os
import random
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import delete, insert

from app.extensions import db
from app.migrate import upgrade
from app.models import (
    Checkout,
    CheckoutLine,
    Customer,
    InventoryItem,
    InventoryLevel,
    Location,
    Product,
    ShippingLane,
    Shop,
    Variant,
    WarehouseProfile,
)
from app.supply import geodata
from app.supply.requote import requote_many

URL = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
CHECKOUTS, VARIANTS, CUSTOMERS = 10_000, 500, 3_000
WAREHOUSES = [  # shopify id, name, city, region, country, lat, lng
    (101, "Newark", "Newark", "NJ", "US", 40.73, -74.17),
    (102, "Reno", "Reno", "NV", "US", 39.53, -119.81),
    (103, "Paris", "Paris", None, "FR", 48.85, 2.35),
    (104, "Berlin", "Berlin", None, "DE", 52.52, 13.40),
    (105, "Toronto", "Toronto", "ON", "CA", 43.65, -79.38),
]
ADDRESSES = [
    {"country_code": "US", "province_code": "CA", "city": "Los Angeles", "zip": "90012"},
    {"country_code": "US", "province_code": "NY", "city": "New York", "zip": "10001"},
    {"country_code": "US", "province_code": "TX", "city": "Austin", "zip": "73301"},
    {"country_code": "US", "province_code": "IL", "city": "Chicago"},
    {"country_code": "US", "province_code": "WA", "city": "Seattle"},
    {"country_code": "FR", "city": "Lyon"}, {"country_code": "FR", "city": "Marseille"},
    {"country_code": "DE", "city": "Munich"}, {"country_code": "DE", "city": "Hamburg"},
    {"country_code": "GB", "city": "London"}, {"country_code": "IT", "city": "Milan"},
    {"country_code": "ES", "city": "Madrid"}, {"country_code": "CA", "province_code": "QC", "city": "Montreal"},
    {"country_code": "AU", "city": "Sydney"}, {"country_code": "JP", "city": "Tokyo"},
    {"country_code": "US", "latitude": 47.6, "longitude": -122.3},
]


def build(session, rng: random.Random) -> tuple[int, list[int]]:
    shop = Shop(domain=f"bench-requote-{int(time.time())}.myshopify.com", currency="USD")
    session.add(shop)
    session.flush()
    sid = shop.id
    session.execute(insert(Location), [
        {"shop_id": sid, "shopify_id": w, "name": n, "city": c, "province_code": r, "country_code": cc,
         "latitude": lat, "longitude": lng} for w, n, c, r, cc, lat, lng in WAREHOUSES])
    session.execute(insert(WarehouseProfile), [
        {"shop_id": sid, "location_shopify_id": w[0], "is_default": w[0] == 101, "safety_stock": 1,
         "tier_handling": {"gold": {"days": 0, "hours": 4}}} for w in WAREHOUSES])
    session.execute(insert(ShippingLane), [
        {"shop_id": sid, "location_shopify_id": w, "country": cc, "service_level": "standard", "min_days": lo,
         "max_days": hi, "price": Decimal(price), "currency": "USD"}
        for w, cc, lo, hi, price in [(101, "US", 2, 5, "9.00"), (102, "US", 1, 4, "8.00"), (103, "FR", 1, 2, "6.00"),
                                     (104, "DE", 1, 2, "6.00"), (105, "CA", 2, 4, "11.00")]])
    product_ids = session.scalars(insert(Product).returning(Product.id, sort_by_parameter_order=True), [
        {"shop_id": sid, "shopify_id": 1000 + p, "title": f"Product {p}"} for p in range(VARIANTS // 5)]).all()
    session.execute(insert(Variant), [
        {"shop_id": sid, "shopify_id": 50_000 + v, "product_id": product_ids[v // 5], "inventory_item_id": 90_000 + v}
        for v in range(VARIANTS)])
    session.execute(insert(InventoryItem), [
        {"shop_id": sid, "shopify_id": 90_000 + v, "weight_grams": rng.randint(100, 3000)} for v in range(VARIANTS)])
    # A fifth of the levels are empty (splits happen) and every 40th variant is out everywhere (unavailable).
    session.execute(insert(InventoryLevel), [
        {"shop_id": sid, "inventory_item_id": 90_000 + v, "location_id": w[0], "updated_at": NOW,
         "available": 0 if v % 40 == 0 or rng.random() < 0.2 else rng.randint(1, 40)}
        for v in range(VARIANTS) for w in WAREHOUSES])
    session.execute(insert(Customer), [
        {"shop_id": sid, "shopify_id": 7_000_000 + c, "tags": "flexchain-tier-gold" if c % 10 == 0 else "vip"}
        for c in range(CUSTOMERS)])
    checkout_ids = session.scalars(insert(Checkout).returning(Checkout.id, sort_by_parameter_order=True), [
        {"shop_id": sid, "token": f"bench-{n}", "currency": "USD", "total_price": Decimal(100),
         "shipping_address": rng.choice(ADDRESSES),
         "customer_shopify_id": 7_000_000 + rng.randrange(CUSTOMERS) if rng.random() < 0.6 else None}
        for n in range(CHECKOUTS)]).all()
    lines = [{"shop_id": sid, "checkout_id": cid, "variant_id": 50_000 + rng.randrange(VARIANTS),
              "quantity": rng.randint(1, 3), "price": Decimal(20)}
             for cid in checkout_ids for _ in range(rng.randint(1, 5))]
    session.execute(insert(CheckoutLine), lines)
    return sid, checkout_ids


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    upgrade(URL)
    db.init(URL)
    rng = random.Random(7)
    geodata.city_index()
    started = time.perf_counter()
    with db.session() as session:
        shop_id, ids = build(session, rng)
    built = time.perf_counter() - started
    try:
        with db.session(shop_id=shop_id) as session:
            started = time.perf_counter()
            results = requote_many(session, shop_id, ids, NOW)
            elapsed = time.perf_counter() - started
    finally:
        with db.session() as session:
            session.execute(delete(Shop).where(Shop.id == shop_id))
    statuses: dict[str, int] = {}
    for r in results.values():
        statuses[r.status] = statuses.get(r.status, 0) + 1
    improved = sum(1 for r in results.values() if r.improved)
    out = sys.stdout
    out.write(f"dataset: {len(WAREHOUSES)} warehouses, {VARIANTS} variants, {len(ids)} checkouts "
              f"(bulk insert {built:.1f} s)\n")
    out.write(f"re-quote of all {len(results)}: {elapsed:.2f} s ({elapsed / len(results) * 1000:.3f} ms each); "
              f"statuses {statuses}; improved on the default: {improved}\n")
    out.write(f"target < 30 s: {'met' if elapsed < 30 else 'MISSED'}\n")
    return 0 if elapsed < 30 else 1


if __name__ == "__main__":
    sys.exit(main())
