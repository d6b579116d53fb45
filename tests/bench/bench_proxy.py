"""Benchmark: the storefront promise endpoint under gunicorn, against an empty Flask JSON endpoint.

    uv run python tests/bench/bench_proxy.py [--seconds 10] [--write-readme]

Needs `wrk` (Debian/Ubuntu: `apt-get install wrk`), PostgreSQL and Redis on loopback. BENCH_DATABASE_URL
(default postgresql+psycopg://postgres@127.0.0.1:5432/flexchain_bench; its schema is DROPPED and re-created)
and BENCH_REDIS_URL (default redis://127.0.0.1:6379/15; FLUSHED) choose them.

Method. gunicorn serves tests/bench/proxy_wsgi.py (the production app plus `/bench/empty`) with
FLEXCHAIN_ENV=production and 2 sync workers per CPU (--workers to change) on a free port (BENCH_PORT to
choose). Every request is a signed app proxy request, as Shopify sends.
1. empty endpoint, closed loop (wrk, 8 connections): its max rate;
2. cached promise (one variant, one place, so every answer after warm-up is a cache hit): max rate;
3. the cached promise paced at half that rate: p95 latency;
4. uncached promise: unique (city, quantity) pairs, so every request misses the cache and runs the whole
   path (tier, versions, database reads, the engine, the cache write): max rate, then p95 at half of it.
wrk has no fixed-rate mode, so pacing is done in tests/bench/paced.lua: each connection waits a random
0.5-1.5x of the mean gap between its requests, and the gap is re-calibrated until the achieved rate is
within 7 % of the target. It is closed-loop pacing: a stalled request delays its connection's next one,
so the tail percentiles are slightly optimistic compared with an open-loop (wrk2) measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import redis
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # run as a script: make the `tests` package importable

from app.config import normalise_database_url  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.shopify.proxy import sign_proxy_params  # noqa: E402
from tests.bench import proxy_seed  # noqa: E402

LUA = Path(__file__).with_name("paced.lua")


def _free_port() -> int:
    # Whatever else runs on this machine (a dev server, another benchmark) must not collide with gunicorn.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT") or _free_port())
CONNECTIONS = 8
WORKERS = 2 * (os.cpu_count() or 1)
THREADS = 2
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"
GOALS = {"ratio": 0.80, "cached_p95_ms": 10.0, "uncached_p95_ms": 25.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--write-readme", action="store_true", help="update this benchmark's rows in README.md")
    parser.add_argument("--workers", type=int, default=WORKERS,
                        help=f"gunicorn workers (default {WORKERS}: 2 per CPU, as the Procfile)")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"),
                        help="gunicorn worker class (gthread: 4 threads per worker, HTTP keep-alive)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    database_url = normalise_database_url(os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/flexchain_bench"))
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    prepare_database(database_url)
    redis.Redis.from_url(redis_url).flushdb()
    proxy_seed.seed(database_url)
    env = production_env(database_url, redis_url)
    server = start_gunicorn(env, args.workers, args.worker_class)
    try:
        wait_until_up()
        results = run_all(args.seconds)
        results["worker_class"] = args.worker_class
        results["workers"] = args.workers
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    rows = table(results)
    print_table(rows)
    if args.write_readme:
        write_readme(rows)
    return 0


def production_env(database_url: str, redis_url: str) -> dict[str, str]:
    return {**os.environ, "FLEXCHAIN_ENV": "production", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "APP_URL": "https://flexchain.example", "SHOPIFY_API_KEY": "bench-key", "SHOPIFY_API_SECRET": SECRET,
            "ENCRYPTION_KEY": Fernet.generate_key().decode(), "PYTHONPATH": str(ROOT)}


def start_gunicorn(env: dict[str, str], workers: int, worker_class: str = "sync",
                   app: str = "tests.bench.proxy_wsgi:app") -> subprocess.Popen:
    """gunicorn in its own process group (stop it with os.killpg), on PORT."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", worker_class, "--threads",
         "4" if worker_class == "gthread" else "1", "-b", f"127.0.0.1:{PORT}", "--backlog", "2048",
         "--log-level", "warning", app], cwd=ROOT, env=env, start_new_session=True)


def prepare_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}):
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(url)


def wait_until_up() -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/bench/empty", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit("gunicorn did not come up")


def signed_path(**params: object) -> str:
    query = {"shop": proxy_seed.SHOP, "logged_in_customer_id": "", "path_prefix": "/apps/flexchain",
             "timestamp": str(int(time.time())), **{k: str(v) for k, v in params.items()}}
    query["signature"] = sign_proxy_params(query, SECRET)
    return f"/proxy/promise?{urlencode(query)}"


def wrk(paths: list[str] | None, seconds: int, delay_ms: float = 0.0, script: Path = LUA) -> dict:
    """One wrk run; returns its RESULT (latencies in ms, rate in requests/s). `script` gets the same
    arguments as paced.lua and prints the same RESULT line."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths or []))
        path_file = handle.name
    url = f"http://127.0.0.1:{PORT}{'/bench/empty' if not paths else ''}"
    out = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script), url,
         "--", path_file if paths else "-", f"{delay_ms:.2f}", str(THREADS)],
        capture_output=True, text=True, check=True).stdout
    os.unlink(path_file)
    raw = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
    result = {"rate": raw["requests"] / (raw["duration_us"] / 1e6), "requests": raw["requests"],
              "p50": raw["p50_us"] / 1000, "p95": raw["p95_us"] / 1000, "p99": raw["p99_us"] / 1000,
              "errors": raw["status_errors"] + raw["socket_errors"], "hits": raw["hits"], "misses": raw["misses"]}
    if result["errors"]:
        print(f"warning: {result['errors']} failed requests", file=sys.stderr)
    return result


def paced(make_paths, target_rate: float, seconds: int, script: Path = LUA) -> dict:
    """p95 at `target_rate`: calibrate the per-connection gap (short runs), then one full run."""
    gap = CONNECTIONS / target_rate * 1000
    probe_seconds = max(3, seconds // 3)
    for _ in range(4):
        probe = wrk(make_paths(probe_seconds), probe_seconds, gap, script)
        if abs(probe["rate"] - target_rate) / target_rate < 0.07:
            break
        gap *= probe["rate"] / target_rate
    result = wrk(make_paths(seconds), seconds, gap, script)
    result["target"] = target_rate
    return result


def run_all(seconds: int) -> dict[str, dict]:
    results = {}
    warm = [signed_path(variant_id=proxy_seed.VARIANT, country="FR", city="Lyon") for _ in range(20)]
    for path in warm:  # both workers build their network and the answer lands in the cache
        httpx.get(f"http://127.0.0.1:{PORT}{path}", timeout=5).raise_for_status()
    results["empty"] = wrk(None, seconds)
    results["cached"] = wrk([signed_path(variant_id=proxy_seed.VARIANT, country="FR", city="Lyon")], seconds)
    results["cached_paced"] = paced(
        lambda _seconds: [signed_path(variant_id=proxy_seed.VARIANT, country="FR", city="Lyon")],
        results["cached"]["rate"] / 2, seconds)
    places = iter(proxy_seed.unique_places())

    def fresh(count: int) -> list[str]:
        return [signed_path(variant_id=proxy_seed.VARIANT, country=c, city=n, quantity=q)
                for (c, n, q), _ in zip(places, range(count), strict=False)]

    results["uncached"] = wrk(fresh(800 * seconds), seconds)
    target = results["uncached"]["rate"] / 2
    results["uncached_paced"] = paced(lambda secs: fresh(int(target * secs * 1.3) + 50), target, seconds)
    return results


def table(r: dict) -> list[tuple[str, str]]:
    ratio = r["cached"]["rate"] / r["empty"]["rate"]
    cpus = os.cpu_count()

    def hits(x: dict) -> str:
        total = x["hits"] + x["misses"]
        return f"{100 * x['hits'] / total:.0f} % hits" if total else "no cache header"

    return [
        (f"empty Flask JSON endpoint, gunicorn -w {r['workers']} -k {r['worker_class']}, max rate",
         f"{r['empty']['rate']:,.0f} req/s (p50 {r['empty']['p50']:.2f} ms)"),
        ("storefront promise, cached, max rate",
         f"{r['cached']['rate']:,.0f} req/s = {100 * ratio:.0f} % of empty (goal >= 80 %), {hits(r['cached'])}"),
        ("storefront promise, cached, paced at half that rate",
         f"{r['cached_paced']['rate']:,.0f} req/s: p50 {r['cached_paced']['p50']:.2f} ms, "
         f"p95 {r['cached_paced']['p95']:.2f} ms (goal < 10 ms), p99 {r['cached_paced']['p99']:.2f} ms"),
        ("storefront promise, uncached (unique places), max rate",
         f"{r['uncached']['rate']:,.0f} req/s, {hits(r['uncached'])}"),
        ("storefront promise, uncached, paced at half that rate",
         f"{r['uncached_paced']['rate']:,.0f} req/s: p50 {r['uncached_paced']['p50']:.2f} ms, "
         f"p95 {r['uncached_paced']['p95']:.2f} ms (goal < 25 ms), {hits(r['uncached_paced'])}"),
        ("machine", f"{cpus} vCPU, server and wrk on the same host, loopback"),
    ]


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(what) for what, _ in rows)
    for what, result in rows:
        print(f"{what:<{width}}  {result}")


def write_readme(rows: list[tuple[str, str]]) -> None:
    readme = ROOT / "README.md"
    lines = readme.read_text().splitlines()
    command = "`uv run python tests/bench/bench_proxy.py --write-readme`"
    kept = [line for line in lines if "bench_proxy.py" not in line]
    header = next(i for i, line in enumerate(kept) if line.strip() == "## Benchmarks")
    last_row = max(i for i, line in enumerate(kept) if i > header and line.startswith("|")
                   and not re.match(r"^## ", line) and all(not kept[j].startswith("## ") for j in range(header + 1, i)))
    new = [f"| {what} | {command} | {result} |" for what, result in rows]
    readme.write_text("\n".join(kept[:last_row + 1] + new + kept[last_row + 1:]) + "\n")


if __name__ == "__main__":
    sys.exit(main())
