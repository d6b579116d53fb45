"""Drains: stored events processed in batches by a real RQ worker, with per-event outcomes kept."""

from __future__ import annotations

from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from app import queue as queues
from app.devshop.sender import build_payload, deliver
from app.extensions import db, redis_handle
from app.models import EventStatus, Order, WebhookEvent
from app.webhooks.drain import drain, drain_batch
from app.webhooks.intake import PROCESS_JOB, job_id_for
from app.webhooks.processing import Outcome, process_event
from tests.conftest import API_SECRET
from tests.store.factories import SHOP, events, make_shop, run_worker
from tests.support import webhook_payloads as payloads
from tests.support.servers import serve


def post_all(app, deliveries):
    with serve(app) as url:
        for topic, payload, webhook_id in deliveries:
            response = deliver(f"{url}/webhooks", topic, SHOP, payload, API_SECRET, webhook_id=webhook_id)
            assert response.status_code == 200, response.text


def orders(n: int, start: int = 1):
    return [("orders/paid", payloads.order(start + k), f"o-{start + k}") for k in range(n)]


def test_one_drain_job_processes_every_waiting_event(app):
    make_shop()
    post_all(app, orders(12) + [("checkouts/update", build_payload("checkouts/update"), "c-1")])
    assert len(queues.get_queue(queues.WEBHOOKS)) == 1  # thirteen deliveries rang for one drain
    run_worker()
    assert {e.status for e in events()} == {EventStatus.DONE}
    assert [e.attempts for e in events()] == [1] * 13
    with db.session() as session:
        assert len(session.scalars(select(Order.id)).all()) == 12


def test_drain_batches_are_bounded_and_a_second_drain_finds_nothing(app):
    make_shop()
    post_all(app, orders(7))
    assert drain(batch_size=3) == {Outcome.DONE: 7}
    assert drain() == {}
    assert all(process_event(e.id) == Outcome.ALREADY for e in events())


def test_a_failing_event_leaves_its_batch_and_gets_its_own_retry_job(app):
    make_shop()
    bad = build_payload("customers/update", first_name="x" * 400)  # too long for the column
    post_all(app, orders(2) + [("customers/update", bad, "bad")] + orders(2, start=10))
    assert drain_batch() == {Outcome.DONE: 4, "retrying": 1}
    (failed,) = events(webhook_id="bad")
    assert (failed.status, failed.attempts) == (EventStatus.RECEIVED, 1)
    assert "DataError" in failed.error or "StringDataRightTruncation" in failed.error
    scheduled = ScheduledJobRegistry(queue=queues.get_queue(queues.WEBHOOKS), connection=redis_handle.conn)
    assert scheduled.get_job_ids() == [job_id_for(failed.id)]
    job = queues.get_queue(queues.WEBHOOKS).fetch_job(job_id_for(failed.id))
    assert (job.func_name, job.args, job.retries_left) == (PROCESS_JOB, (failed.id,), queues.DEFAULT_RETRY.max - 1)
    assert drain_batch() == {}  # never re-taken by a drain: it belongs to its retry job now


def test_events_another_worker_holds_are_skipped_not_doubled(app):
    make_shop()
    post_all(app, orders(4))
    held_ids = [e.id for e in events()][:2]
    with db.session() as other:
        other.scalars(select(WebhookEvent).where(WebhookEvent.id.in_(held_ids)).with_for_update()).all()
        assert drain_batch() == {Outcome.DONE: 2}
    assert drain_batch() == {Outcome.DONE: 2}
    assert [e.attempts for e in events()] == [1, 1, 1, 1]


def test_events_of_unknown_or_uninstalled_shops_are_ignored_in_a_batch(app):
    post_all(app, orders(2))
    assert drain_batch() == {Outcome.IGNORED: 2}
    assert {e.error for e in events()} == {"unknown shop"}
