"""Benchmark: the dashboard of a shop with 100,000 customers and 1,000,000 orders over a year.

Run with `uv run python tests/bench/bench_dashboard.py [--orders N] [--customers N] [--loads N]` against
PostgreSQL (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local `test` database; its schema is
dropped and migrated) and Redis (BENCH_REDIS_URL, else TEST_REDIS_URL).

Seeded with set-based SQL (generate_series), not one row at a time: customers, a membership per customer
(tier and segment), orders spread over 365 days (a third of them by returning customers), a promise with a
delivery outcome for every third order, abandoned checkouts with recovery cases (treatment and holdout,
some converted) and tier changes. Then the dashboard job's first build runs once (timed, reported apart),
and the dashboard is loaded through the app's full request path (id-token verification included) with a
Flask test client: the JSON for the last 365 days and the page for the last 30. Reported: median and p95
server time per load. Target: under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime

from sqlalchemy import create_engine, text

URL = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SHOP = "bench-dashboard.myshopify.com"

SEED = """
INSERT INTO customers (shop_id, shopify_id, email, first_name, tags, deleted, created_at, updated_at)
SELECT :shop, g, 'c' || g || '@example.com', 'C' || g, '', false, now(), now() FROM generate_series(1, :customers) g;

INSERT INTO memberships (shop_id, customer_shopify_id, tier, tier_since, trailing_spend, segment, writeback_due,
                         created_at, updated_at)
SELECT :shop, g, (ARRAY['Bronze','Bronze','Bronze','Silver','Gold'])[1 + g % 5], now() - interval '100 days',
       (g % 3000)::numeric, (ARRAY['active','new','dormant','churned','potential','high_value'])[1 + g % 6], false,
       now(), now()
FROM generate_series(1, :customers) g;

INSERT INTO orders (shop_id, shopify_id, customer_shopify_id, currency, total_price, total_refunded, tags, test,
                    processed_at, shopify_created_at, created_at, updated_at)
SELECT :shop, g, 1 + (g::bigint * 7919) % :customers, 'USD', 20 + g % 180, 0, '', false,
       now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second',
       now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second', now(), now()
FROM generate_series(1, :orders) g;

INSERT INTO order_promises (shop_id, order_shopify_id, location_shopify_id, country, service_level, tier,
                            promised_earliest, promised_latest, first_fulfilled_at, delivered_on, outcome, days_late,
                            created_at, updated_at)
SELECT :shop, g, 1 + g % 3, (ARRAY['US','DE','FR','GB','NL','CN','JP','CA'])[1 + g % 8], 'standard',
       (ARRAY['Bronze','Silver','Gold'])[1 + g % 3],
       (now() - (g % 365) * interval '1 day')::date + 5, (now() - (g % 365) * interval '1 day')::date + 9,
       now() - (g % 365) * interval '1 day' + (g % 72) * interval '1 hour',
       (now() - (g % 365) * interval '1 day')::date + 6 + g % 5,
       CASE WHEN g % 5 = 0 THEN 'late' ELSE 'on_time' END, g % 5 - 3, now(), now()
FROM generate_series(3, :orders, 3) g;

INSERT INTO checkouts (shop_id, token, email, currency, total_price, buyer_accepts_marketing,
                       buyer_accepts_sms_marketing, created_at, updated_at)
SELECT :shop, 'bench-' || g, 'c' || g || '@example.com', 'USD', 50 + g % 200, true, false, now(), now()
FROM generate_series(1, :checkouts) g;

INSERT INTO recovery_cases (shop_id, checkout_id, status, "group", abandoned_at, value, currency, repeat_abandoner,
                            high_value, converted_at, revenue, attributed_stage, attributed_offer, created_at,
                            updated_at)
SELECT :shop, c.id, CASE WHEN c.id % 7 = 0 THEN 'converted' ELSE 'abandoned' END,
       CASE WHEN c.id % 10 = 0 THEN 'holdout' ELSE 'treatment' END,
       now() - (c.id % 365) * interval '1 day', c.total_price, 'USD', false, false,
       CASE WHEN c.id % 7 = 0 THEN now() - (c.id % 365) * interval '1 day' + interval '20 hours' END,
       CASE WHEN c.id % 7 = 0 THEN c.total_price END,
       CASE WHEN c.id % 7 = 0 AND c.id % 10 <> 0 THEN 1 END,
       CASE WHEN c.id % 7 = 0 AND c.id % 10 <> 0 THEN (ARRAY['supply','reminder','split'])[1 + c.id % 3] END,
       now(), now()
FROM checkouts c WHERE c.shop_id = :shop;

INSERT INTO tier_changes (shop_id, customer_shopify_id, from_tier, to_tier, reason, at)
SELECT :shop, g, 'Bronze', 'Silver', 'spend', now() - (g % 365) * interval '1 day'
FROM generate_series(1, :customers / 5) g;

ANALYZE;
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--checkouts", type=int, default=50_000)
    parser.add_argument("--loads", type=int, default=30)
    args = parser.parse_args()

    engine = create_engine(URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    from app.migrate import upgrade

    upgrade(URL)

    from app import create_app
    from app.devshop import create_simulator
    from app.devshop.idtoken import mint_id_token
    from app.devshop.state import DevShopState, SimShop
    from tests.conftest import API_KEY, API_SECRET, make_config
    from tests.support.servers import serve

    state = DevShopState(API_KEY, API_SECRET, scope="read_products,read_orders")
    state.add_shop(SimShop(domain=SHOP, shopify_id=9001, name="Bench"))
    with serve(create_simulator(state)) as simulator:
        app = create_app(make_config(database_url=URL, redis_url=REDIS, shopify_admin_base_url=simulator))
        client = app.test_client()

        def get(path: str):
            token = mint_id_token(API_KEY, API_SECRET, SHOP)
            return client.get(path, headers={"Authorization": f"Bearer {token}"})

        assert get("/api/session").status_code == 200  # installs the shop (token exchange with the simulator)
        with engine.begin() as conn:
            shop_id = conn.execute(text("SELECT id FROM shops WHERE domain = :d"), {"d": SHOP}).scalar_one()
            started = time.perf_counter()
            for statement in SEED.split(";\n"):
                if statement.strip():
                    conn.execute(text(statement), {"shop": shop_id, "customers": args.customers,
                                                   "orders": args.orders, "checkouts": args.checkouts})
        seeded = time.perf_counter() - started
        print(f"seeded {args.customers:,} customers, {args.orders:,} orders, {args.checkouts:,} checkouts "
              f"in {seeded:.1f} s")

        from app.dashboard.build import refresh
        from app.extensions import db
        from app.models import Shop

        started = time.perf_counter()
        with db.session(shop_id=shop_id) as session:
            first, last = refresh(session, session.get(Shop, shop_id), datetime.now(UTC))
        print(f"first build of the daily tables ({first}..{last}): {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        with db.session(shop_id=shop_id) as session:
            refresh(session, session.get(Shop, shop_id), datetime.now(UTC))
        print(f"periodic refresh (recent weeks): {time.perf_counter() - started:.1f} s")

        for label, path in (("JSON, 365 days", "/api/dashboard?days=365"), ("page, 30 days", "/dashboard?days=30")):
            get(path)  # warm: templates compiled, connections open
            times = []
            for _ in range(args.loads):
                started = time.perf_counter()
                response = get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(f"dashboard {label}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms "
                  f"over {args.loads} loads (target < 300 ms)")
        body = get("/api/dashboard?days=365").get_json()
        print(f"  abandoned {body['recovery']['abandoned']:,}, members {body['members']['total']:,}, "
              f"orders {sum(r['orders'] for r in body['repurchase']):,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
