"""Benchmark: one pure delivery promise for a 20-line cart over 50 warehouses.

Run with `uv run python tests/bench/bench_promise.py`. The network, inventory and resolved destination are built
once, as the service caches them per shop; the timed part is exactly what a request pays: `promise(...)`.
Target: median under 1 ms on a 2-vCPU machine.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from app.supply.geo import resolve
from app.supply.promise import Network, promise
from app.supply.transit import TransitTable
from app.supply.types import CartLine, Destination, Inventory, Lane, ServiceLevel, StockLevel, Warehouse

SITES = [("FR", "Europe/Paris", 48.85, 2.35), ("DE", "Europe/Berlin", 52.52, 13.40), ("US", "America/New_York",
         40.71, -74.0), ("GB", "Europe/London", 51.5, -0.12), ("NZ", "Pacific/Auckland", -36.85, 174.76),
         ("JP", "Asia/Tokyo", 35.68, 139.69), ("ES", "Europe/Madrid", 40.41, -3.70)]
RUNS = 5000


def build(rng: random.Random) -> tuple[Network, Inventory, list[CartLine], list[Lane]]:
    warehouses = []
    for i in range(50):
        country, tz, lat, lng = SITES[i % len(SITES)]
        warehouses.append(Warehouse(f"w{i}", f"W{i}", "City", country, lat + rng.uniform(-2, 2),
                                    lng + rng.uniform(-2, 2), tz))
    lanes = [Lane(f"w{i}", "DE", ServiceLevel.STANDARD, 1 + i % 3, 3 + i % 4) for i in range(0, 50, 3)]
    cart = [CartLine(f"v{j}", 1 + j % 2, 300 + 10 * j) for j in range(20)]
    # Every warehouse holds every variant: the worst case, where all 50 must be quoted.
    levels = [StockLevel(f"v{j}", f"w{i}", 10) for i in range(50) for j in range(20)]
    return Network(warehouses, TransitTable(lanes)), Inventory.build(levels), cart, lanes


def main() -> int:
    rng = random.Random(7)
    network, inventory, cart, _lanes = build(rng)
    place = resolve(Destination(country="DE", city="Berlin"))
    start = datetime(2025, 6, 10, 10, 0, tzinfo=UTC)
    for k in range(200):  # warm calendars and holiday caches, as a running worker has them
        promise(network, inventory, cart, place, start + timedelta(minutes=k), default_warehouse_id="w0")
    samples = []
    for k in range(RUNS):
        now = start + timedelta(seconds=37 * k)  # moving clock: nothing is cached per `now`
        t0 = time.perf_counter()
        result = promise(network, inventory, cart, place, now, default_warehouse_id="w0")
        samples.append(time.perf_counter() - t0)
        assert result.best is not None
    samples.sort()
    median = statistics.median(samples) * 1000
    p95 = samples[int(len(samples) * 0.95)] * 1000
    sys.stdout.write(f"promise: 20 lines x 50 warehouses, {RUNS} runs: median {median:.3f} ms, p95 {p95:.3f} ms\n")
    return 0 if median < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
