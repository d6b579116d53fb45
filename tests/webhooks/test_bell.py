"""The doorbell's ringer: a delivery stored while a ring was just made is still announced after its commit."""

from __future__ import annotations

import time

import pytest

from app import queue as queues
from app.devshop.sender import build_payload, deliver
from app.extensions import redis_handle
from app.models import EventStatus
from app.webhooks import bell, intake
from tests.conftest import API_SECRET
from tests.store.factories import SHOP, events, make_shop, run_worker
from tests.support.servers import serve


def queued() -> int:
    return len(queues.get_queue(queues.WEBHOOKS))


def wait_for(condition, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def config(config):
    """A window long enough to see both ways of ringing (the other tests ring every delivery at once)."""
    return config.with_overrides(ingest_ring_window=0.5)


@pytest.fixture
def slow_ringer(app, monkeypatch):
    ringer = bell.Ringer()  # a fresh one: no ring remembered from an earlier test
    monkeypatch.setattr(intake, "_ringer", ringer)
    return ringer


def post(url: str, webhook_id: str):
    payload = build_payload("orders/paid", shop_domain=SHOP)
    response = deliver(f"{url}/webhooks", "orders/paid", SHOP, payload, API_SECRET, webhook_id=webhook_id)
    assert response.status_code == 200, response.text


def test_a_lone_delivery_is_announced_before_it_is_answered(app, slow_ringer):
    make_shop()
    with serve(app) as url:
        post(url, "lone-1")
    assert queued() == 1  # no waiting: the drain job was queued inside the request


def test_a_delivery_right_after_a_ring_is_announced_by_the_ringer_thread(app, slow_ringer):
    make_shop()
    with serve(app) as url:
        post(url, "first")
        assert queued() == 1
        # A drain starts (it answers the bell) and takes the job, as a worker would...
        bell.answer()
        queues.get_queue(queues.WEBHOOKS).empty()
        # ...and a second delivery arrives within the window: answered at once, announced just after.
        post(url, "second")
        assert queued() == 0
        assert wait_for(lambda: queued() == 1)
    run_worker()
    assert {e.webhook_id: e.status for e in events()} == {"first": EventStatus.DONE, "second": EventStatus.DONE}


def test_a_burst_rings_once_per_window_not_once_per_delivery(app, slow_ringer, monkeypatch):
    rings: list[float] = []
    real = slow_ringer._ring

    def counted() -> bool:
        rings.append(time.monotonic())
        return real()

    monkeypatch.setattr(slow_ringer, "_ring", counted)
    make_shop()
    with serve(app) as url:
        for n in range(20):
            post(url, f"burst-{n}")
        assert wait_for(lambda: len(rings) >= 2)
        time.sleep(0.6)  # one more window: nothing else is pending
    gaps = [b - a for a, b in zip(rings, rings[1:], strict=False)]
    assert len(rings) < 20 and min(gaps) > 0.45  # at most one ring per window, not one per delivery
    assert redis_handle.conn.exists(bell.BELL_KEY)
    run_worker()
    assert len(events()) == 20 and {e.status for e in events()} == {EventStatus.DONE}
