"""Redis stopped during a webhook burst: intake keeps answering 200 (the rows are the durable queue), and
once Redis is back and the relay has run, every event is processed exactly once.

The outage here lasts a few seconds rather than a minute: nothing in intake or the relay depends on
how long Redis stays away (no timer runs out), only on what is lost with it — every queued job and the
doorbell key, since this Redis keeps nothing on disk.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from app import queue as queues
from app.webhooks.processing import Outcome, process_event
from app.webhooks.relay import relay_pending
from tests.faults.effects import processed_once, tally
from tests.store.factories import events, make_shop, run_worker
from tests.support import webhook_payloads as payloads

pytestmark = pytest.mark.slow


def test_a_burst_through_a_redis_outage_is_answered_and_processed_exactly_once(app, post, private_redis):
    make_shop()
    before = [(n, f"o-{n}") for n in range(1, 16)]
    during = [(n, f"o-{n}") for n in range(16, 36)]

    def send(item):
        n, webhook_id = item
        return post("orders/paid", payloads.order(n), webhook_id).status_code

    assert [send(item) for item in before] == [200] * 15
    assert len(queues.get_queue(queues.WEBHOOKS)) == 1  # one drain job on its way...

    private_redis.stop()  # ...and lost with Redis
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(send, during)) == [200] * 20
        # Shopify retrying deliveries it already made: still answered, still stored once.
        assert list(pool.map(send, before[:5])) == [200] * 5
    with pytest.raises(redis.ConnectionError):
        relay_pending(min_age_seconds=0)  # the periodic relay fails while Redis is away; the next run retries

    private_redis.start()  # empty: no job, no doorbell key
    run_worker()
    assert tally()["events"] == {("received", 0): 35}  # nothing was lost, nothing has run yet

    assert relay_pending(min_age_seconds=0) == 35
    run_worker()
    assert tally() == processed_once(35)

    # The relay finds nothing left, and running any event again changes nothing.
    assert relay_pending(min_age_seconds=0) == 0
    run_worker()
    assert {process_event(e.id) for e in events()} == {Outcome.ALREADY}
    assert tally() == processed_once(35)
