"""Benchmark: full membership recompute (ledger totals, tiers, RFM) for one large shop on PostgreSQL.

    uv run python tests/bench/bench_membership.py [--customers 100000] [--orders 1000000]

BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/flexchain_bench; its schema is
DROPPED and re-created) chooses the database.

Method. The shop is seeded with set-based SQL: N customers, M paid orders spread over the last 18 months
(amounts 5-400, customers drawn unevenly so spend is skewed as in real stores), refunds on 5 % of orders
(a quarter of them larger than what is left) and cancellations on 1 %. Then `recompute_shop` runs once
in a fresh process and is timed from call to commit; peak memory is the process's maximum resident set
(including Python, SQLAlchemy and the driver) read before and after. A second run shows the steady case,
where nothing changed and no membership row is written. Last, the per-event path: 300 `orders/paid` for
random existing customers, each its own transaction (store the order, ledger line, the customer's spend,
tier rule, membership row, commit), timed from the handler's call to its commit, and the part of that
spent inside SQL statements (cursor execute to result) reported on its own.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, event, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import os  # noqa: E402
from decimal import Decimal  # noqa: E402

from app.config import normalise_database_url  # noqa: E402
from app.extensions import db  # noqa: E402
from app.membership.service import on_order_paid, recompute_shop  # noqa: E402
from app.models import Membership, Order, Shop, utcnow  # noqa: E402
from tests.bench.bench_proxy import prepare_database  # noqa: E402

GOALS = {"seconds": 60.0, "peak_mb": 300.0}


def seed(url: str, customers: int, orders: int) -> int:
    engine = create_engine(url)
    with engine.begin() as conn:
        shop_id = conn.scalar(text(
            "INSERT INTO shops (domain, status, scopes, timezone, currency, created_at, updated_at) "
            "VALUES ('bench-members.myshopify.com', 'installed', '', 'UTC', 'USD', now(), now()) RETURNING id"))
        conn.execute(text(
            "INSERT INTO customers (shop_id, shopify_id, email, tags, deleted, created_at, updated_at) "
            "SELECT :shop, g, 'c' || g || '@example.com', '', false, now(), now() "
            "FROM generate_series(1, :n) g"), {"shop": shop_id, "n": customers})
        # Customer ids drawn with a skew (square of a uniform draw): a few customers order often.
        conn.execute(text(
            "INSERT INTO spend_entries (shop_id, kind, source_id, order_shopify_id, customer_shopify_id, amount, "
            "currency, occurred_at, created_at) "
            "SELECT :shop, 'paid', g, g, 1 + floor(power(random(), 2) * :n)::bigint, "
            "round((5 + random() * 395)::numeric, 2), 'USD', now() - random() * interval '540 days', now() "
            "FROM generate_series(1, :m) g"), {"shop": shop_id, "n": customers, "m": orders})
        conn.execute(text(
            "INSERT INTO spend_entries (shop_id, kind, source_id, order_shopify_id, customer_shopify_id, amount, "
            "currency, occurred_at, created_at) "
            "SELECT shop_id, 'refund', source_id + 10000000000, order_shopify_id, customer_shopify_id, "
            "-round(amount * (CASE WHEN source_id % 4 = 0 THEN 1.5 ELSE random()::numeric END), 2), currency, "
            "occurred_at + interval '3 days', now() FROM spend_entries WHERE shop_id = :shop AND kind = 'paid' "
            "AND source_id % 20 = 0"), {"shop": shop_id})
        conn.execute(text(
            "INSERT INTO spend_entries (shop_id, kind, source_id, order_shopify_id, customer_shopify_id, amount, "
            "currency, occurred_at, created_at) "
            "SELECT shop_id, 'cancel', source_id, order_shopify_id, customer_shopify_id, -amount, currency, "
            "occurred_at + interval '1 day', now() FROM spend_entries WHERE shop_id = :shop AND kind = 'paid' "
            "AND source_id % 100 = 7"), {"shop": shop_id})
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return shop_id


def run_once(url: str, shop_id: int) -> tuple[float, int]:
    db.init(url)
    start = time.perf_counter()
    with db.session(shop_id=shop_id) as session:
        scored = recompute_shop(session, session.get(Shop, shop_id))
    return time.perf_counter() - start, scored


def paid_events(shop_id: int, customers: int, count: int) -> tuple[list[float], list[float]]:
    """(wall ms from the handler's call to its commit, ms of that spent inside SQL statements) per event."""
    rng = random.Random(7)
    took, in_sql = [], []
    clock = {"sql": 0.0}

    @event.listens_for(db.engine, "before_cursor_execute")
    def _before(conn, cursor, statement, params, context, executemany):
        context._bench_started = time.perf_counter()

    @event.listens_for(db.engine, "after_cursor_execute")
    def _after(conn, cursor, statement, params, context, executemany):
        clock["sql"] += time.perf_counter() - context._bench_started

    for n in range(count):
        order_id = 50_000_000 + n
        with db.session(shop_id=shop_id) as session:
            shop = session.get(Shop, shop_id)
            session.add(Order(shop_id=shop_id, shopify_id=order_id, customer_shopify_id=rng.randint(1, customers),
                              currency="USD", total_price=Decimal("120.00"), financial_status="paid",
                              paid_at=utcnow(), processed_at=utcnow()))
            session.flush()
            start, clock["sql"] = time.perf_counter(), 0.0
            on_order_paid(session, shop, order_id)
            session.commit()
            took.append((time.perf_counter() - start) * 1000)
            in_sql.append(clock["sql"] * 1000)
    return took, in_sql


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    args = parser.parse_args()
    url = normalise_database_url(os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/flexchain_bench"))
    prepare_database(url)
    started = time.perf_counter()
    shop_id = seed(url, args.customers, args.orders)
    print(f"seeded {args.customers:,} customers and {args.orders:,} orders in {time.perf_counter() - started:.1f} s")
    first, scored = run_once(url, shop_id)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    second, _ = run_once(url, shop_id)
    event_ms, sql_ms = paid_events(shop_id, args.customers, 300)
    with db.session(shop_id=shop_id) as session:
        members = session.query(Membership).count()
        tiers = dict(session.execute(text(
            "SELECT tier, count(*) FROM memberships WHERE shop_id = :s GROUP BY tier"), {"s": shop_id}).all())
    rows = [(f"membership recompute, {args.customers:,} customers / {args.orders:,} orders, first run",
             f"{first:.1f} s, peak RSS {peak_mb:.0f} MB "
             f"(goal < {GOALS['seconds']:.0f} s, < {GOALS['peak_mb']:.0f} MB); "
             f"{members:,} members ({', '.join(f'{k} {v:,}' for k, v in sorted(tiers.items()))}), {scored:,} scored"),
            ("membership recompute, same data again (nothing changed)", f"{second:.1f} s"),
            (f"one orders/paid into that shop: ledger line, spend, tier, commit ({len(event_ms)} events)",
             f"SQL statements median {statistics.median(sql_ms):.1f} ms (p95 {_p95(sql_ms):.1f} ms); with the ORM and "
             f"the commit median {statistics.median(event_ms):.1f} ms (p95 {_p95(event_ms):.1f} ms)")]
    for what, result in rows:
        print(f"{what:<80} {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
