"""Helpers for tests that talk to the simulator's Admin API over real HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field

import redis

from app.devshop.catalog import seed_shop
from app.devshop.graphql_api import LeakyBucket
from app.devshop.state import DevShopState, SimShop
from app.shopify.admin_api import AdminClient
from app.shopify.throttle import ThrottleStore


@dataclass
class FakeClock:
    """One clock for the client and the simulator's bucket: sleeping advances it, nobody waits."""

    now: float = 1_000_000.0
    sleeps: list[float] = field(default_factory=list)

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def seeded(sim_state: DevShopState, **kwargs) -> SimShop:
    return seed_shop(sim_state, **kwargs)


def use_bucket(shop: SimShop, clock: FakeClock, maximum: float = 2000, restore_rate: float = 100) -> LeakyBucket:
    bucket = LeakyBucket(maximum=maximum, restore_rate=restore_rate, clock=clock.time)
    shop.data["bucket"] = bucket
    return bucket


def admin_client(sim_state: DevShopState, shop: SimShop, simulator: str, clock: FakeClock, *,
                 redis_url: str | None = None, token_provider=None, **kwargs) -> AdminClient:
    token = sim_state.issue_tokens(shop.domain, expiring=True).access_token
    store = ThrottleStore(redis.Redis.from_url(redis_url) if redis_url else None)
    return AdminClient(shop.domain, token_provider or (lambda _force: token), simulator, sleep=clock.sleep,
                       clock=clock.time, throttle_store=store, **kwargs)
