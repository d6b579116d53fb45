"""Benchmark: Lighthouse performance score of the dev storefront's product page with and without the blocks.

Run with `uv run python tests/bench/bench_lighthouse.py [--runs N]` after `npm ci` (Lighthouse is in
package.json) with Debian's Chromium installed. The dev stack runs in this process on a throw-away SQLite
database and an in-process Redis: the demo shop is installed and synced, and the product gets a passport,
so both blocks render fully. Lighthouse's default mobile profile (simulated throttling) scores the page
`?blocks=1` and `?blocks=0`, alternating, N times each; the medians are printed. Shopify refuses apps that
cost more than 10 points; our goal is at most 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, date, datetime
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.config import Config  # noqa: E402
from app.devshop.dev_server import DEMO_SHOP, build_dev_stack, install_demo_shop  # noqa: E402
from app.extensions import db  # noqa: E402
from tests.support.servers import serve  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"


class _Deferred:
    target = None

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


def _prepare(url: str, config: Config) -> str:
    from sqlalchemy import select

    from app.models import Shop
    from app.traceability import service
    from app.traceability.records import Certificate, StepInput
    from worker.jobs.traceability import publish_passport
    from worker.runner import build_worker

    stack, state, flask_app = build_dev_stack(config, url)
    _Deferred.target = stack
    install_demo_shop(url, state)
    worker = threading.Thread(target=lambda: build_worker(in_thread=True).work(burst=True))
    worker.start()
    worker.join(timeout=300)
    product = next(p for p in state.shops[DEMO_SHOP].data["products"].values() if p["handle"] == "linen-overshirt")
    steps = [StepInput("raw_material", "Biella", date(2026, 3, 2), country="IT", footprint_kg="1.5",
                       certificates=(Certificate("GOTS", "https://example.org/gots"),)),
             StepInput("production", "Porto", date(2026, 4, 1), country="PT", footprint_kg="0.75"),
             StepInput("packing", "Lyon", date(2026, 4, 20), country="FR")]
    with flask_app.app_context():
        with db.session() as s:
            shop = s.scalars(select(Shop).where(Shop.domain == DEMO_SHOP)).one()
        with db.session(shop_id=shop.id) as s:
            service.append_steps(s, shop, config, product["id"], steps, datetime.now(UTC))
        publish_passport(shop.id, product["id"])
    return f"{url}/_devshop/store/{DEMO_SHOP}/products/linen-overshirt"


def _score(page: str) -> tuple[float, dict]:
    out = subprocess.run(
        [str(LIGHTHOUSE), page, f"--chrome-path={CHROMIUM}", f"--chrome-flags={FLAGS}",
         "--only-categories=performance", "--output=json", "--output-path=stdout", "--quiet"],
        capture_output=True, text=True, timeout=180, check=True)
    report = json.loads(out.stdout)
    audits = report["audits"]
    metrics = {k: audits[k]["numericValue"] for k in ("first-contentful-paint", "largest-contentful-paint",
                                                       "total-blocking-time", "cumulative-layout-shift")}
    return report["categories"]["performance"]["score"] * 100, metrics


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `npm ci` at the repository root")
    logging.disable(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp, serve(_Deferred()) as url:
        config = Config(env="development", shopify_api_key="bench-key", shopify_api_secret="bench-secret-" + "x" * 32,
                        app_url=url, database_url=f"sqlite:///{tmp}/bench.db", redis_url=None,
                        encryption_keys=(Fernet.generate_key().decode(),))
        page = _prepare(url, config)
        scores: dict[str, list[float]] = {"with blocks": [], "without blocks": []}
        for _ in range(args.runs):
            for label, blocks in (("with blocks", "1"), ("without blocks", "0")):
                score, metrics = _score(f"{page}?blocks={blocks}")
                scores[label].append(score)
                print(f"{label}: {score:.0f}  " + "  ".join(f"{k}={v:.0f}" if k != "cumulative-layout-shift"
                                                            else f"{k}={v:.3f}" for k, v in metrics.items()))
        medians = {k: statistics.median(v) for k, v in scores.items()}
        print(f"median with blocks {medians['with blocks']:.0f}, without {medians['without blocks']:.0f}, "
              f"cost {medians['without blocks'] - medians['with blocks']:.0f} point(s) over {args.runs} run(s) each")


if __name__ == "__main__":
    main()
