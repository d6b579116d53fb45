"""Benchmark: abandoned checkouts from one shop detected, re-quoted and mailed by two worker processes.

Run with `uv run python tests/bench/bench_recovery.py [--checkouts N]` against PostgreSQL
(BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local `test` database) and Redis (BENCH_REDIS_URL,
else TEST_REDIS_URL). The store is the re-quote benchmark's (5 warehouses, 500 variants, 1-5 lines per
checkout) under a shop of its own, deleted afterwards. Every checkout has its own email address, accepts
marketing and was last updated two hours ago; its case is pending and due, as the checkout webhooks leave
it. Quiet hours are off (the run must not depend on the time of day); the holdout is the default 10 %.

Timed: two worker processes, each looping the recovery jobs (`detect`, then `send_due` for the shop) until
nothing is pending or due, against a local aiosmtpd server in this process that counts what arrives. Each
stage-one message is claimed, decided (consent, caps, quiet hours under the shopper's lock), re-quoted
with stock read at send time, rendered (HTML + text) and sent over SMTP. Reported: messages per second and
per hour, and each worker's peak resident memory (ru_maxrss). Target: 10,000 an hour with room to spare.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import random
import resource
import socket
import sys
import time
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller
from sqlalchemy import delete, insert, select, update

from app.extensions import db
from app.migrate import upgrade
from app.models import Checkout, RecoveryCase, RecoverySettings, Shop
from app.supply import geodata
from tests.bench import bench_requote

URL = bench_requote.URL
REDIS = os.environ.get("BENCH_REDIS_URL") or os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TARGET_PER_HOUR = 10_000


class Counter:
    def __init__(self, counter) -> None:
        self.counter = counter

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 OK"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(n: int) -> int:
    bench_requote.CHECKOUTS = n
    rng = random.Random(7)
    with db.session() as session:
        shop_id, ids = bench_requote.build(session, rng)
        session.execute(update(Shop).where(Shop.id == shop_id).values(name="Bench Store", email="shop@bench.example"))
        updated = datetime.now(UTC) - timedelta(hours=2)
        session.execute(update(Checkout).where(Checkout.shop_id == shop_id).values(
            buyer_accepts_marketing=True, shopify_updated_at=updated, customer_locale="en",
            abandoned_checkout_url="https://bench.example/checkouts/recover"))
        session.execute(update(Checkout), [{"id": cid, "email": f"s{k}@bench.example"} for k, cid in enumerate(ids)])
        session.add(RecoverySettings(shop_id=shop_id, values={"quiet_start": "00:00", "quiet_end": "00:00"}))
        session.execute(insert(RecoveryCase), [
            {"shop_id": shop_id, "checkout_id": cid, "status": "pending", "email": f"s{k}@bench.example",
             "due_at": updated + timedelta(minutes=60), "repeat_abandoner": False, "high_value": False}
            for k, cid in enumerate(ids)])
    return shop_id


def worker(shop_id: int, smtp_url: str, out) -> None:
    from app import create_app
    from tests.conftest import make_config
    from worker.jobs import recovery as jobs

    logging.basicConfig(level=logging.WARNING)
    create_app(make_config(database_url=URL, redis_url=REDIS, smtp_url=smtp_url))
    geodata.city_index()
    sent = 0
    while True:
        jobs.detect()
        result = jobs.send_due(shop_id)
        sent += result.get("sent", 0)
        if not result:
            with db.session(shop_id=shop_id) as s:
                pending = s.scalar(select(RecoveryCase.id).where(RecoveryCase.shop_id == shop_id,
                                                                 RecoveryCase.status == "pending").limit(1))
            if pending is None:
                break
    out.put((sent, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkouts", type=int, default=10_000)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    upgrade(URL)
    db.init(URL)
    started = time.perf_counter()
    shop_id = seed(args.checkouts)
    seeded = time.perf_counter() - started
    ctx = multiprocessing.get_context("spawn")
    counter = ctx.Value("i", 0)
    port = _port()
    controller = Controller(Counter(counter), hostname="127.0.0.1", port=port)
    controller.start()
    out = ctx.Queue()
    try:
        procs = [ctx.Process(target=worker, args=(shop_id, f"smtp://127.0.0.1:{port}?starttls=off", out))
                 for _ in range(2)]
        started = time.perf_counter()
        for p in procs:
            p.start()
        reports = [out.get(timeout=1800) for _ in procs]
        elapsed = time.perf_counter() - started
        for p in procs:
            p.join(30)
    finally:
        controller.stop()
        with db.session() as session:
            holdout = session.query(RecoveryCase).filter_by(shop_id=shop_id, group="holdout").count()
            session.execute(delete(Shop).where(Shop.id == shop_id))
    sent = sum(r[0] for r in reports)
    rate = sent / elapsed
    out_ = sys.stdout
    out_.write(f"{args.checkouts} abandoned checkouts (seeded in {seeded:.1f} s), holdout {holdout}, "
               f"mails received by SMTP: {counter.value}, reported sent: {sent}\n")
    out_.write(f"two workers, detect + re-quote + send: {elapsed:.1f} s, {rate:.0f} mails/s = "
               f"{rate * 3600:,.0f} per hour (target {TARGET_PER_HOUR:,}/h)\n")
    out_.write("peak RSS per worker: " + ", ".join(f"{r[1]:.0f} MiB" for r in reports) + "\n")
    ok = counter.value == sent == args.checkouts - holdout and rate * 3600 >= TARGET_PER_HOUR
    out_.write(f"target: {'met' if ok else 'MISSED'}\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
