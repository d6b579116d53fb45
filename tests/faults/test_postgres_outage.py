"""PostgreSQL unreachable for 30 seconds during a continuous webhook burst (a proxy in front of it is cut;
the server itself keeps running): intake answers 503 with Retry-After, so Shopify delivers again later; the
worker process's jobs fail without touching anything while it waits, and it resumes by itself once the
database is back. Shopify's retries then leave every event stored and processed exactly once, including
deliveries whose 200 was lost with the connection.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.extensions import db
from tests.conftest import _reset, make_config
from tests.faults.burst import Burst
from tests.faults.conftest import through_proxy
from tests.faults.effects import processed_once, tally
from tests.faults.test_redis_outage import wait_for
from tests.store.factories import make_shop
from tests.support.servers import serve

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

OUTAGE_SECONDS = 30
CATCH_UP_SECONDS = 90  # a deadline, not a wait


def done_directly(database_url: str) -> int:
    """Events processed, read past the proxy."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM webhook_events WHERE status = 'done'"))
    finally:
        engine.dispose()


def test_a_30_second_database_outage_is_answered_503_and_nothing_is_missing_or_doubled(
        migrated_database, private_redis, pg_proxy, workers):
    proxied = through_proxy(migrated_database, pg_proxy)
    app = create_app(make_config(database_url=proxied, redis_url=private_redis.url))
    _reset(db.engine)
    make_shop()
    worker = workers.start(proxied, private_redis.url)
    workers.wait_ready(worker, private_redis.url)

    with serve(app) as url:
        burst = Burst(url, per_second=6)
        burst.start()
        try:
            assert wait_for(lambda: done_directly(migrated_database) > 0, 60), workers.log(worker)
            burst.phase = "outage"
            pg_proxy.cut()
            for _ in range(OUTAGE_SECONDS // 5):
                time.sleep(5)
                assert worker.poll() is None, workers.log(worker)
            pg_proxy.restore()
            burst.phase = "after"
            time.sleep(3)
        finally:
            burst.stop()

        phases = burst.by_phase()
        # Deliveries already past the database when it went away may still be answered 200; the rest are 503.
        assert set(phases["outage"]) <= {200, 503} and phases["outage"][503] >= 3 * OUTAGE_SECONDS - 10, phases
        refused = [a for a in burst.answers if a.status == 503]
        assert {a.retry_after for a in refused} == {"30"}
        assert set(phases["after"]) == {200}, phases  # intake is back at once

        # Shopify delivers again whatever was not answered 200, and, as it may, a few that were.
        retries = burst.unanswered()
        assert retries
        answered = sorted(burst.orders() - set(retries))[:5]
        with ThreadPoolExecutor(8) as pool:
            assert {a.status for a in pool.map(burst.send, retries + answered)} == {200}

    stored = len(burst.orders())
    # The same worker process, never restarted, catches up.
    assert wait_for(lambda: tally() == processed_once(stored), CATCH_UP_SECONDS), (tally(), workers.log(worker))
    assert worker.poll() is None, workers.log(worker)
    time.sleep(1)
    assert tally() == processed_once(stored)
