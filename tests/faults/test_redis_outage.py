"""Redis stopped for a minute during a continuous webhook burst: intake answers every delivery 200 (the rows
are the durable queue), the worker process waits Redis out without being restarted, and once Redis is back
its scheduler's relay has every event processed exactly once.

This Redis keeps nothing on disk, so its return loses every queued job, the doorbell key and the periodic
jobs' locks. The burst stops the moment Redis returns: nothing new rings the doorbell, so what the
worker catches up on, it finds by itself.
"""

from __future__ import annotations

import time

import pytest
import redis

from app.webhooks.relay import relay_pending
from tests.faults.burst import Burst
from tests.faults.effects import processed_once, tally
from tests.store.factories import make_shop
from tests.support.servers import serve

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

OUTAGE_SECONDS = 60
# A deadline, not a wait: the worker's reconnect, a scheduler tick, the relay, and a drain of a minute's
# deliveries (a few seconds on an idle machine; far more on a loaded one).
CATCH_UP_SECONDS = 120


def wait_for(condition, seconds: float, interval: float = 0.25):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def test_a_burst_through_a_minute_of_redis_outage_is_answered_and_processed_exactly_once(
        app, private_redis, migrated_database, workers):
    make_shop()
    worker = workers.start(migrated_database, private_redis.url)
    workers.wait_ready(worker, private_redis.url)
    with serve(app) as url:
        burst = Burst(url, per_second=6)
        burst.start()
        try:
            # The worker keeps up while Redis is there.
            assert wait_for(lambda: tally()["events"].get(("done", 1), 0) > 0, 60), workers.log(worker)

            burst.phase = "outage"
            private_redis.stop()
            for n in range(OUTAGE_SECONDS // 5):
                time.sleep(5)
                assert worker.poll() is None, workers.log(worker)
                if n == 0:  # deliveries have been stored since Redis went (the worker drains faster than they come)
                    with pytest.raises(redis.ConnectionError):
                        relay_pending(min_age_seconds=0)  # what the periodic relay meets meanwhile
            private_redis.start()  # empty: no job, no doorbell key, no periodic lock
        finally:
            burst.stop()

    phases = burst.by_phase()
    assert set(phases) == {"before", "outage"}
    assert set(phases["outage"]) == {200}, phases  # every delivery answered 200 while Redis was away...
    assert phases["outage"][200] >= 3 * OUTAGE_SECONDS  # ...all minute long, at the burst's pace
    stored = len(burst.orders())

    # Nothing new arrives now: the worker (never restarted) reconnects, its scheduler queues the relay, the
    # relay rings for a drain, and every event stored meanwhile is processed.
    assert wait_for(lambda: tally() == processed_once(stored), CATCH_UP_SECONDS), (tally(), workers.log(worker))
    assert worker.poll() is None, workers.log(worker)
    assert relay_pending(min_age_seconds=0) == 0
    time.sleep(1)
    assert tally() == processed_once(stored)
