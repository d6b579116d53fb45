"""Benchmark: stored webhook events processed end to end by two worker processes.

    uv run python tests/bench/bench_processing.py [--events 20000] [--per-event 300] [--write-readme]

PostgreSQL and Redis on loopback; BENCH_DATABASE_URL and BENCH_REDIS_URL as in bench_proxy.py (the schema is
DROPPED and re-created, the Redis database FLUSHED).

Method. One installed shop; `--events` events stored as the web edge stores them (status received), 70 %
orders/paid (distinct orders of 2 lines, from 2,000 customers, so most customers pay several times and
cross tiers) and 30 % checkouts/update (distinct checkouts). Then two worker processes start (RQ
SimpleWorker on the webhooks queue, as `flexchain worker` runs them, without the scheduler) and one
doorbell ring starts the drains; the clock runs from the ring until every event is finished. Each drain
takes 200 events at a time and handles their orders/paid and checkouts/update set-based (app/webhooks/batch.py:
a few statements per table for the whole batch, in rounds where events share an order or a customer, the
two drains keeping out of each other's rows with advisory locks that never wait). Checked
afterwards: every event done after exactly one attempt, one order and one paid ledger line per
orders/paid event, one membership per customer with the tier its spend earns, one stored checkout and
one scheduled recovery case per checkouts/update event. For comparison, `--per-event` events are processed
the old way, one RQ job each
(`process_event`), by two of RQ's default forking `Worker`s and then by two `SimpleWorker`s. Peak RSS
(VmHWM) of each worker process is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
from sqlalchemy import create_engine, func, insert, select, text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: make the `tests` package importable

from app.config import normalise_database_url  # noqa: E402
from app.models import EventStatus, Shop, ShopStatus, WebhookEvent, utcnow  # noqa: E402
from tests.bench import bench_proxy as harness  # noqa: E402
from tests.support import webhook_payloads as payloads  # noqa: E402

SHOP = "bench-store.myshopify.com"
CUSTOMERS = 2000
GOAL = 1000.0


def seed(engine, count: int, start: int = 0) -> tuple[int, int]:
    """Store `count` events; returns (orders/paid, checkouts/update) counts."""
    rng = random.Random(5 + start)
    rows, paid = [], 0
    now = utcnow()
    for k in range(start, start + count):
        if rng.random() < 0.7:
            topic, body = "orders/paid", payloads.order(k, customer=rng.randrange(CUSTOMERS))
            paid += 1
        else:
            topic, body = "checkouts/update", payloads.checkout(k)
        rows.append({"shop_domain": SHOP, "topic": topic, "webhook_id": f"w{k}", "event_id": f"e{k}",
                     "api_version": "2026-07", "received_at": now, "status": EventStatus.RECEIVED,
                     "attempts": 0, "body": json.dumps(body, separators=(",", ":")).encode()})
    with engine.begin() as conn:
        for i in range(0, len(rows), 2000):
            conn.execute(insert(WebhookEvent), rows[i:i + 2000])
    return paid, count - paid


def start_workers(env: dict[str, str], kind: str) -> list[subprocess.Popen]:
    code = ("import sys; from tests.bench.bench_processing import worker_main; worker_main(sys.argv[1])")
    return [subprocess.Popen([sys.executable, "-c", code, kind], cwd=ROOT, env=env, start_new_session=True)
            for _ in range(2)]


def worker_main(kind: str) -> None:
    """A worker process: the app as production boots it, one RQ worker on the webhooks queue."""
    import logging

    from rq import SimpleWorker, Worker

    from app import create_app
    from app import queue as queues
    from app.extensions import redis_handle
    from worker.runner import warm_up

    logging.basicConfig(level=logging.WARNING)
    create_app()
    warm_up()
    cls = Worker if kind == "fork" else SimpleWorker
    cls([queues.get_queue(queues.WEBHOOKS)], connection=redis_handle.conn).work(logging_level="WARNING")


def wait_finished(engine, ids_from: int, timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        with engine.connect() as conn:
            left = conn.scalar(select(func.count()).where(WebhookEvent.id >= ids_from,
                                                          WebhookEvent.status == EventStatus.RECEIVED))
        if left == 0:
            return time.perf_counter() - started
        time.sleep(0.05)
    raise SystemExit(f"events still waiting after {timeout:.0f} s")


def stop(workers: list[subprocess.Popen]) -> list[float]:
    peaks = []
    for proc in workers:
        try:
            status = Path(f"/proc/{proc.pid}/status").read_text()
            peaks.append(next(int(x.split()[1]) / 1024 for x in status.splitlines() if x.startswith("VmHWM:")))
        except OSError:
            peaks.append(float("nan"))
        os.killpg(proc.pid, signal.SIGTERM)
    for proc in workers:
        proc.wait(timeout=30)
    return peaks


def run_drains(engine, env, count: int) -> dict:
    paid, checkouts = seed(engine, count)
    workers = start_workers(env, "simple")
    time.sleep(4)  # both workers booted (app, city index) before the clock starts
    from app import create_app
    from app.webhooks import bell

    create_app()
    try:
        bell.ring()
        elapsed = wait_finished(engine, 0, timeout=240)
    finally:
        rss = stop(workers)
    return {"events": count, "paid": paid, "checkouts": checkouts, "seconds": elapsed, "rate": count / elapsed,
            "rss": rss, "check": check(engine, paid, checkouts)}


def check(engine, paid: int, checkouts: int) -> dict:
    with engine.connect() as conn:
        q = conn.scalar
        return {
            "events not done once": q(text(
                "SELECT count(*) FROM webhook_events WHERE status <> 'done' OR attempts <> 1")),
            "orders": q(text("SELECT count(*) FROM orders")), "expected orders": paid,
            "paid ledger lines": q(text("SELECT count(*) FROM spend_entries WHERE kind = 'paid'")),
            "memberships": q(text("SELECT count(*) FROM memberships")),
            "members with a tier": q(text("SELECT count(*) FROM memberships WHERE tier IS NOT NULL")),
            # Spend only grows here (no refunds, every order paid inside the window), so each member's spend is
            # the sum of their paid lines and their tier the one it earns under the default tiers.
            "members off": q(text(
                "SELECT count(*) FROM memberships m JOIN (SELECT customer_shopify_id, sum(amount) AS spend "
                "FROM spend_entries GROUP BY customer_shopify_id) s USING (customer_shopify_id) "
                "WHERE m.trailing_spend <> s.spend OR m.tier <> CASE WHEN s.spend > 2000 THEN 'Gold' "
                "WHEN s.spend >= 500 THEN 'Silver' ELSE 'Bronze' END")),
            "checkouts": q(text("SELECT count(*) FROM checkouts")), "expected checkouts": checkouts,
            # Every benchmark checkout has an email, so each gets a recovery case due after the abandon delay.
            "scheduled recovery cases": q(text(
                "SELECT count(*) FROM recovery_cases WHERE status = 'pending' AND due_at IS NOT NULL")),
        }


def run_per_event(engine, env, count: int, kind: str, start: int) -> dict:
    from app import create_app
    from app import queue as queues

    with engine.connect() as conn:
        before = conn.scalar(select(func.coalesce(func.max(WebhookEvent.id), 0)))
    seed(engine, count, start=start)
    create_app()
    with engine.connect() as conn:
        ids = list(conn.scalars(select(WebhookEvent.id).where(WebhookEvent.id > before).order_by(WebhookEvent.id)))
    queue = queues.get_queue(queues.WEBHOOKS)
    queue.enqueue_many([queue.prepare_data("worker.jobs.ingest.process_event", (i,), result_ttl=60) for i in ids])
    workers = start_workers(env, kind)
    try:
        elapsed = wait_finished(engine, ids[0], timeout=240)
    finally:
        rss = stop(workers)
    return {"kind": kind, "events": count, "seconds": elapsed, "rate": count / elapsed, "rss": rss}


def table(r: dict) -> list[tuple[str, str]]:
    d, c = r["drains"], r["drains"]["check"]
    ok = (c["events not done once"] == 0 and c["orders"] == c["expected orders"] == c["paid ledger lines"]
          and c["checkouts"] == c["expected checkouts"] == c["scheduled recovery cases"]
          and c["members off"] == 0)
    rows = [(
        f"webhook processing, two worker processes draining in batches ({d['paid']:,} orders/paid through "
        f"ledger and tier, {d['checkouts']:,} checkouts/update through the scheduled recovery case)",
        f"{d['rate']:,.0f} events/s (goal >= {GOAL:,.0f}); {d['events']:,} in {d['seconds']:.1f} s; "
        f"{'all done once, records match' if ok else 'MISMATCH: ' + json.dumps(c)}; "
        f"{c['memberships']:,} members, {c['members with a tier']:,} with a tier; "
        f"peak RSS {', '.join(f'{m:.0f}' for m in d['rss'])} MiB")]
    for p in r["per_event"]:
        name = "RQ's default forking Worker" if p["kind"] == "fork" else "RQ SimpleWorker (no fork)"
        rows.append((f"the same events, one RQ job each, two {name}",
                     f"{p['rate']:,.0f} events/s ({p['events']:,} in {p['seconds']:.1f} s, incl. worker start); "
                     f"peak RSS {', '.join(f'{m:.0f}' for m in p['rss'])} MiB"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--per-event", type=int, default=300, help="events for each one-job-per-event run")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    database_url = normalise_database_url(os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/flexchain_bench"))
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    harness.prepare_database(database_url)
    redis.Redis.from_url(redis_url).flushdb()
    env = harness.production_env(database_url, redis_url)
    os.environ.update(env)
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(insert(Shop).values(domain=SHOP, status=ShopStatus.INSTALLED, currency="USD",
                                         installed_at=utcnow()))
    results = {"drains": run_drains(engine, env, args.events), "per_event": []}
    start = args.events
    for kind in ("fork", "simple"):
        if args.per_event:
            results["per_event"].append(run_per_event(engine, env, args.per_event, kind, start))
            start += args.per_event
    engine.dispose()
    rows = table(results)
    harness.print_table(rows)
    if args.write_readme:
        write_readme(rows)
    return 0


def write_readme(rows: list[tuple[str, str]]) -> None:
    readme = ROOT / "README.md"
    lines = readme.read_text().splitlines()
    command = "`uv run python tests/bench/bench_processing.py --write-readme`"
    kept = [line for line in lines if "bench_processing.py" not in line]
    header = next(i for i, line in enumerate(kept) if line.strip() == "## Benchmarks")
    end = next(i for i in range(header + 1, len(kept)) if kept[i].startswith("## "))
    last_row = max(i for i in range(header, end) if kept[i].startswith("|"))
    new = [f"| {what} | {command} | {result} |" for what, result in rows]
    readme.write_text("\n".join(kept[:last_row + 1] + new + kept[last_row + 1:]) + "\n")


if __name__ == "__main__":
    sys.exit(main())
