"""PostgreSQL unreachable (a proxy in front of it is cut; the server itself keeps running): intake answers
503 with Retry-After, so Shopify delivers again later; a drain that cannot reach the database fails
without touching anything and the relay starts another; once the database is back, every delivery is
stored and processed exactly once, including the ones whose 200 was lost with the connection.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from rq.registry import FailedJobRegistry
from sqlalchemy import create_engine, text

from app import create_app
from app import queue as queues
from app.devshop.sender import deliver
from app.extensions import db, redis_handle
from app.webhooks.relay import relay_pending
from tests.conftest import API_SECRET, _reset, make_config
from tests.faults.conftest import through_proxy
from tests.faults.effects import processed_once, tally
from tests.store.factories import SHOP, make_shop, run_worker
from tests.support import webhook_payloads as payloads
from tests.support.servers import serve

pytestmark = pytest.mark.slow


def stored_directly(database_url: str) -> list[tuple[str, int]]:
    """The events as PostgreSQL holds them, read past the proxy."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT status, attempts FROM webhook_events"))]
    finally:
        engine.dispose()


def test_a_database_outage_is_answered_503_and_nothing_is_missing_or_doubled(
        migrated_database, private_redis, pg_proxy):
    app = create_app(make_config(database_url=through_proxy(migrated_database, pg_proxy),
                                 redis_url=private_redis.url))
    _reset(db.engine)
    make_shop()
    answers: dict[str, int] = {}
    cut_after = threading.Event()

    with serve(app) as url:
        def send(n: int) -> int:
            webhook_id = f"o-{n}"
            response = deliver(f"{url}/webhooks", "orders/paid", SHOP, payloads.order(n), API_SECRET,
                               webhook_id=webhook_id)
            if response.status_code == 503:
                assert response.headers["Retry-After"] == "30"
                assert response.json()["message"].startswith("temporarily unable to store")
            answers[webhook_id] = response.status_code
            if len(answers) == 10:
                cut_after.set()
            return response.status_code

        # A burst of 40; the database goes away while it is under way.
        with ThreadPoolExecutor(6) as pool:
            burst = pool.map(send, range(1, 41))
            cut_after.wait(30)
            pg_proxy.cut()
            codes = list(burst)
        assert set(codes) == {200, 503} and codes.count(503) >= 20
        stored_meanwhile = stored_directly(migrated_database)
        assert len(stored_meanwhile) >= codes.count(200)  # every 200 was durable before it was sent

        # A worker meanwhile: its drain fails before claiming anything, and the worker itself carries on.
        run_worker()
        failed = FailedJobRegistry(queue=queues.get_queue(queues.WEBHOOKS), connection=redis_handle.conn)
        assert len(failed) == 1
        assert stored_directly(migrated_database) == stored_meanwhile  # untouched: all received, 0 attempts

        # Still away: Shopify's retries are refused too.
        assert send(1) == 503

        pg_proxy.restore()
        # Shopify retries whatever was not answered 200 (and, as it may, a few that were).
        retries = [int(w.split("-")[1]) for w, code in answers.items() if code != 200] + [2, 3]
        with ThreadPoolExecutor(6) as pool:
            assert set(pool.map(send, retries)) == {200}

    relay_pending(min_age_seconds=0)  # the periodic relay, for events stored before the failed drain
    run_worker()
    assert tally() == processed_once(40)
