"""Benchmark: webhook intake under gunicorn, against an empty Flask JSON endpoint in the same run.

    uv run python tests/bench/bench_intake.py [--seconds 10] [--write-readme]

Needs `wrk`, PostgreSQL and Redis on loopback; BENCH_DATABASE_URL and BENCH_REDIS_URL as in
bench_proxy.py (the schema is DROPPED and re-created, the Redis database FLUSHED).

Method. The server, the production settings (FLEXCHAIN_ENV=production, the Procfile's worker class, 2
workers per CPU), the wrk runs and the pacing are bench_proxy.py's. Every request is a delivery Shopify
could send: orders/paid and checkouts/update bodies of 3-15 KB built from Shopify's samples, signed with
the app secret, each with a webhook id of its own (tests/bench/webhook.lua), so every request is a new
event that must be verified, stored and queued.
1. empty endpoint (GET, closed loop, 8 connections): its max rate;
2. intake, closed loop: max rate of 200 answers;
3. intake paced at half that rate: p50/p99.
After each intake run the events stored under that run's ids are counted in PostgreSQL and compared with
the 200 answers wrk received (a request cut off when wrk stops may be stored without its answer being
counted, so stored >= answered; "lost" is answered but not stored, and must be 0). No worker runs during
the benchmark: the events stay `received`, announced by the doorbell, and their count is printed.
Peak RSS (VmHWM) of each gunicorn worker is read at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sys
import uuid
from pathlib import Path

import redis
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: make the `tests` package importable

from app.config import normalise_database_url  # noqa: E402
from app.devshop.sender import build_payload, sign  # noqa: E402
from app.models import EventStatus, WebhookEvent  # noqa: E402
from tests.bench import bench_proxy as harness  # noqa: E402

LUA = Path(__file__).with_name("webhook.lua")
TOPICS = ("orders/paid", "checkouts/update")
GOALS = {"ratio": 0.80, "p99_ms": 50.0}


def signed_bodies(count: int = 200, seed: int = 11) -> list[tuple[str, str, str]]:
    """(topic, signature, body) with bodies of 3-15 KB: Shopify's samples with 1-12 lines."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        topic = TOPICS[len(out) % 2]
        payload = build_payload(topic, shop_domain="bench-store.myshopify.com")
        lines = payload["line_items"]
        payload["line_items"] = [dict(lines[k % len(lines)], id=9000 + k) for k in range(rng.randint(1, 12))]
        payload["id"] = rng.randint(10**12, 10**13)
        body = json.dumps(payload, separators=(",", ":")).encode()
        if 3 * 1024 <= len(body) <= 15 * 1024:
            out.append((topic, sign(body, harness.SECRET), body.decode()))
    return out


class Deliveries:
    """Lines for webhook.lua; each call is one wrk run with a fresh id prefix (remembered for counting)."""

    def __init__(self) -> None:
        self.bodies = signed_bodies()
        self.prefix = ""

    def __call__(self, _seconds: int = 0) -> list[str]:
        self.prefix = "b" + uuid.uuid4().hex[:10]
        return [f"{self.prefix}\t{topic}\t{sig}\t{body}" for topic, sig, body in self.bodies]


def count_stored(engine, prefix: str) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(WebhookEvent.status, func.count()).where(WebhookEvent.webhook_id.like(f"{prefix}-%"))
            .group_by(WebhookEvent.status)).all()
    return {status: n for status, n in rows}


def peak_rss_mib(master_pid: int) -> list[float]:
    peaks = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) != master_pid:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return sorted(peaks)


def run(seconds: int, engine) -> dict:
    deliveries = Deliveries()
    results: dict = {"body_kib": sum(len(b) for _, _, b in deliveries.bodies) / len(deliveries.bodies) / 1024}
    results["empty"] = harness.wrk(None, seconds)
    results["intake"] = harness.wrk(deliveries(), seconds, script=LUA)
    results["intake"]["stored"] = count_stored(engine, deliveries.prefix)
    results["paced"] = harness.paced(deliveries, results["intake"]["hits"] / seconds / 2, seconds, script=LUA)
    results["paced"]["stored"] = count_stored(engine, deliveries.prefix)
    return results


def table(r: dict) -> list[tuple[str, str]]:
    def acked(x: dict) -> int:
        return x["hits"]

    def lost(x: dict) -> str:
        stored = sum(x["stored"].values())
        missing = max(0, acked(x) - stored)
        return f"{acked(x):,} answered 200, {stored:,} stored, {missing} lost, {x['misses']} non-200"

    rate = r["intake"]["hits"] / (r["intake"]["requests"] / r["intake"]["rate"])
    ratio = rate / r["empty"]["rate"]
    p = r["paced"]
    return [
        (f"empty Flask JSON endpoint, gunicorn -w {r['workers']} -k {r['worker_class']}, max rate",
         f"{r['empty']['rate']:,.0f} req/s (p50 {r['empty']['p50']:.2f} ms)"),
        (f"webhook intake (verify, store, queue), signed {r['body_kib']:.1f} KiB mean bodies, max rate",
         f"{rate:,.0f} webhooks/s = {100 * ratio:.0f} % of empty (goal >= 80 %); {lost(r['intake'])}"),
        ("webhook intake, paced at half that rate",
         f"{p['rate']:,.0f} req/s: p50 {p['p50']:.2f} ms, p99 {p['p99']:.2f} ms (goal < 50 ms); {lost(p)}"),
        ("webhook intake, peak RSS per gunicorn worker", ", ".join(f"{m:.0f} MiB" for m in r["rss"])),
        ("machine", f"{os.cpu_count()} vCPU, server and wrk on the same host, loopback"),
    ]


def write_readme(rows: list[tuple[str, str]]) -> None:
    readme = ROOT / "README.md"
    lines = readme.read_text().splitlines()
    command = "`uv run python tests/bench/bench_intake.py --write-readme`"
    kept = [line for line in lines if "bench_intake.py" not in line]
    header = next(i for i, line in enumerate(kept) if line.strip() == "## Benchmarks")
    end = next(i for i in range(header + 1, len(kept)) if kept[i].startswith("## "))
    last_row = max(i for i in range(header, end) if kept[i].startswith("|"))
    new = [f"| {what} | {command} | {result} |" for what, result in rows]
    readme.write_text("\n".join(kept[:last_row + 1] + new + kept[last_row + 1:]) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--write-readme", action="store_true", help="update this benchmark's rows in README.md")
    parser.add_argument("--workers", type=int, default=harness.WORKERS)
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    database_url = normalise_database_url(os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/flexchain_bench"))
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    harness.prepare_database(database_url)
    redis.Redis.from_url(redis_url).flushdb()
    engine = create_engine(database_url)
    server = harness.start_gunicorn(harness.production_env(database_url, redis_url), args.workers, args.worker_class)
    try:
        harness.wait_until_up()
        results = run(args.seconds, engine)
        results.update(workers=args.workers, worker_class=args.worker_class, rss=peak_rss_mib(server.pid))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        engine.dispose()
    rows = table(results)
    harness.print_table(rows)
    if args.write_readme:
        write_readme(rows)
    received = results["paced"]["stored"].get(EventStatus.RECEIVED, 0)
    print(f"(events left for the workers after the paced run: {received:,})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
