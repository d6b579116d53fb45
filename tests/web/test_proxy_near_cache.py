"""The per-process near cache in front of the Redis promise cache: it serves repeats without Redis, obeys
bumps announced by other processes, and serves nothing while it cannot hear them."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from app.extensions import db, redis_handle
from app.models import InventoryLevel
from app.supply import cache, near_cache
from app.supply.near_cache import near
from tests.conftest import TEST_REDIS_URL
from tests.supply.test_service import IN_STOCK
from tests.web.test_proxy_promise import promise_url
from tests.web.test_proxy_promise import shop_id as shop_id  # noqa: F401 (fixture)
from tests.web.test_proxy_promise import web as web  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def long_lived(monkeypatch):
    # Entries outlive every wait below, so only an announcement can remove them: these tests cannot pass by expiry.
    monkeypatch.setattr(near_cache, "LIFETIME_S", 600.0)


def wait_until(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def warm(web) -> None:
    web.get(promise_url(variant_id=IN_STOCK))  # the first request starts the listener
    assert wait_until(lambda: near.live), "the listener never subscribed"
    assert web.get(promise_url(variant_id=IN_STOCK)).headers["X-Flexchain-Cache"] == "hit"


def ours(name: str) -> list[int]:
    db_index = redis_handle.conn.connection_pool.connection_kwargs.get("db", 0)
    return [c["id"] for c in redis_handle.conn.client_list() if c["name"] == name and int(c["db"]) == db_index]


def test_a_repeat_is_answered_without_redis(web, long_lived):
    warm(web)
    # The Redis entry disappears behind the cache's back: only this process's copy can still answer.
    for found in redis_handle.conn.scan_iter(f"{cache.KEY_PREFIX}*"):
        redis_handle.conn.delete(found)
    again = web.get(promise_url(variant_id=IN_STOCK, locale="fr"))
    assert (again.headers["X-Flexchain-Cache"], again.json["warehouse"]["city"]) == ("hit", "Paris")


def test_a_bump_from_another_process_reaches_this_one(web, shop_id, long_lived):  # noqa: F811
    warm(web)
    with db.session() as s:
        s.execute(update(InventoryLevel).where(InventoryLevel.location_id == 11).values(available=0))
    # Another process (a worker) announces the stock change; this process only hears it through Redis.
    code = ("import sys; from app.extensions import redis_handle; from app.supply import versions;"
            f"redis_handle.init({TEST_REDIS_URL!r}); versions.bump_stock({shop_id}, [{IN_STOCK}])")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
    assert wait_until(lambda: web.get(promise_url(variant_id=IN_STOCK)).json["warehouse"]["city"] == "Newark")


def test_a_lost_listener_forgets_everything_and_comes_back(web, long_lived):
    warm(web)
    # A listener of an earlier app's Redis client stops within a second of being replaced.
    assert wait_until(lambda: len(ours(near_cache.LISTENER_NAME)) == 1)
    listeners = ours(near_cache.LISTENER_NAME)
    generation = near.generation
    for client_id in listeners:
        redis_handle.conn.client_kill_filter(_id=client_id)
    # Until it is subscribed again it cannot hear bumps, so it must have dropped what it held.
    assert wait_until(lambda: near.generation > generation)
    assert wait_until(lambda: near.live and ours(near_cache.LISTENER_NAME) not in ([], listeners))
    first = web.get(promise_url(variant_id=IN_STOCK))
    assert (first.status_code, first.json["warehouse"]["city"]) == (200, "Paris")


def test_an_unreadable_announcement_forgets_everything(web, long_lived):
    warm(web)
    redis_handle.conn.publish(near_cache.channel(redis_handle.conn), "v:not-a-shop:1")
    assert wait_until(lambda: not near._entries)
