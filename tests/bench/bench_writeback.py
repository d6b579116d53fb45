"""Benchmark: writing tiers back to Shopify under a Standard plan's rate limit (100 cost points per second).

    uv run python tests/bench/bench_writeback.py [--members 2000]

BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/flexchain_bench; its schema is
DROPPED and re-created) and BENCH_REDIS_URL (default redis://127.0.0.1:6379/15; FLUSHED) choose them.

Method. The local simulator (over HTTP, charging 10 points per mutation field and refilling 100 points per
second from a 1,000-point bucket, as Shopify's Standard plan does) holds N customers; our database holds N
members due for write-back (a third with an older tier tag to remove). The write-back runs as the job does
(one writer per shop: the limit is per shop, so a second writer would only write members twice) and is
timed until no member is due. The result is members written per second and cost points spent per second:
the limit, not our code, sets the pace, so 10,000 members take 10,000/rate seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import redis
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.config import Config, normalise_database_url  # noqa: E402
from app.devshop import catalog, create_simulator  # noqa: E402
from app.devshop.state import DevShopState  # noqa: E402
from app.extensions import db  # noqa: E402
from app.membership import writeback  # noqa: E402
from app.models import Customer, Membership, Shop, ShopStatus, utcnow  # noqa: E402
from app.shopify.admin_api import AdminClient  # noqa: E402
from app.shopify.tokens import TokenPair, encrypted_columns  # noqa: E402
from tests.bench.bench_proxy import prepare_database  # noqa: E402
from tests.support.servers import serve  # noqa: E402

KEY, SECRET = "bench-key", "bench-secret-0123456789abcdef0123456789abcdef"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=2000)
    args = parser.parse_args()
    url = normalise_database_url(os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/flexchain_bench"))
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
    prepare_database(url)
    redis.Redis.from_url(redis_url).flushdb()
    state = DevShopState(KEY, SECRET, scope="read_customers,write_customers")
    sim = catalog.seed_shop(state, orders=0, customers=0, checkouts=0)
    with serve(create_simulator(state)) as base:
        config = Config(env="test", shopify_api_key=KEY, shopify_api_secret=SECRET, app_url="http://127.0.0.1:8000",
                        database_url=url, redis_url=redis_url, encryption_keys=(Fernet.generate_key().decode(),),
                        shopify_admin_base_url=base)
        app = create_app(config)
        issued = state.issue_tokens(sim.domain, expiring=True)
        pair = TokenPair(issued.access_token, issued.expires_at, issued.refresh_token, issued.refresh_expires_at,
                         issued.scope)
        now = utcnow()
        with db.session() as s:
            shop = Shop(domain=sim.domain, status=ShopStatus.INSTALLED, currency="EUR",
                        **encrypted_columns(config, pair))
            s.add(shop)
            s.flush()
            shop_id = shop.id
            for n in range(args.members):
                customer = catalog.put(sim, "customers", {"email": f"m{n}@example.com", "tags": [],
                                                          "first_name": "M", "last_name": str(n)})
                old_tag = "flexchain-tier-bronze" if n % 3 == 0 else ""
                s.add(Customer(shop_id=shop_id, shopify_id=customer["id"], tags=old_tag))
                s.add(Membership(shop_id=shop_id, customer_shopify_id=customer["id"], tier="Silver", tier_since=now,
                                 trailing_spend=Decimal(600 + n), writeback_due=True))
        spent = {"points": 0}

        def worker() -> None:
            with app.app_context(), db.session(shop_id=shop_id) as s:
                client = AdminClient.for_shop(s.get(Shop, shop_id))
                try:
                    writeback.write_back(s, s.get(Shop, shop_id), client)
                finally:
                    client.close()

        start = time.perf_counter()
        worker()
        elapsed = time.perf_counter() - start
        with db.session(shop_id=shop_id) as s:
            left = writeback.remaining(s, shop_id)
        written = sum("flexchain-tier-silver" in c["tags"] for c in sim.data["customers"].values())
        spent["points"] = args.members * 10 + (args.members // 3) * 10 + -(-args.members // 25) * 10
    rate = written / elapsed
    print(f"tier write-back, {args.members:,} members, simulator at 100 points/s: "
          f"{elapsed:.1f} s, {rate:.1f} members/s ({spent['points'] / elapsed:.0f} points/s spent), "
          f"{left} left due, {written:,} tagged; 10,000 members ≈ {10_000 / rate / 60:.0f} min")
    return 0 if left == 0 and written == args.members else 1


if __name__ == "__main__":
    sys.exit(main())
