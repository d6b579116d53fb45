"""Webhook events processed by a real RQ SimpleWorker: dispatch, idempotence, retries, ignored shops."""

from __future__ import annotations

import threading

import pytest
from rq import Retry
from sqlalchemy import select

from app import queue as queues
from app.devshop.sender import build_payload, deliver
from app.extensions import db
from app.models import Checkout, EventStatus, InventoryLevel, Order, Shop, ShopStatus
from app.webhooks.processing import MAX_ATTEMPTS, Outcome, process_event, process_events
from tests.conftest import API_SECRET
from tests.store.factories import SHOP, events, make_shop, run_worker
from tests.support.servers import serve


@pytest.fixture
def post(app):
    with serve(app) as url:
        def send(topic, payload=None, **kw):
            payload = build_payload(topic, shop_domain=SHOP) if payload is None else payload
            response = deliver(f"{url}/webhooks", topic, SHOP, payload, API_SECRET, **kw)
            assert response.status_code == 200, response.text
            return response
        yield send


def test_worker_processes_an_order_and_marks_it_done(post):
    make_shop()
    post("orders/create")
    run_worker()
    (event,) = events()
    assert (event.status, event.attempts, event.error) == (EventStatus.DONE, 1, None)
    with db.session() as session:
        assert session.scalars(select(Order.shopify_id)).all() == [820982911946154508]


def test_a_job_run_twice_processes_once(post):
    make_shop()
    post("inventory_levels/update")
    run_worker()
    (event,) = events()
    assert process_event(event.id) == Outcome.ALREADY
    with db.session() as session:
        assert session.scalars(select(InventoryLevel.available)).all() == [10]


def test_inventory_updates_delivered_in_reverse_keep_the_newest(post):
    make_shop()
    for n, minute in enumerate((30, 20, 10)):
        post("inventory_levels/update", build_payload(
            "inventory_levels/update", available=minute, updated_at=f"2026-03-01T10:{minute}:00Z"),
            webhook_id=f"inv-{n}")
    run_worker()
    with db.session() as session:
        assert session.scalars(select(InventoryLevel.available)).all() == [30]


def test_order_before_its_checkout_marks_the_checkout_converted(post):
    make_shop()
    post("orders/create", build_payload("orders/create", checkout_token="123123123"))
    run_worker()
    post("checkouts/update")
    run_worker()
    with db.session() as session:
        assert session.scalars(select(Checkout.converted_order_shopify_id)).all() == [820982911946154508]


def test_events_for_uninstalled_or_unknown_shops_are_ignored(post):
    post("orders/paid", webhook_id="unknown")
    run_worker()
    make_shop(status=ShopStatus.UNINSTALLED)
    post("orders/paid", webhook_id="uninstalled")
    run_worker()
    assert [(e.status, e.error) for e in events()] == [
        (EventStatus.IGNORED, "unknown shop"), (EventStatus.IGNORED, "shop is not installed")]
    with db.session() as session:
        assert session.scalars(select(Order)).all() == []


def test_malformed_payload_fails_at_once_without_retry(post):
    make_shop()
    post("orders/paid", build_payload("orders/paid", total_price_set=None, total_price=None))
    run_worker()
    (event,) = events()
    assert (event.status, event.attempts) == (EventStatus.FAILED, 1)
    assert event.error == "payload: total_price is missing"


def test_unexpected_errors_are_retried_then_left_failed_with_the_error(post):
    make_shop()
    # PostgreSQL refuses a name longer than its column: a storage error, not a payload error.
    post("customers/update", build_payload("customers/update", first_name="x" * 400))
    (event,) = events()
    queues.get_queue(queues.WEBHOOKS).empty()
    queues.enqueue("worker.jobs.ingest.process_event", event.id, queue=queues.WEBHOOKS,
                   job_id="retry-test", retry=Retry(max=2, interval=0))
    run_worker()
    (event,) = events()
    assert event.status == EventStatus.FAILED and event.attempts == 3
    assert "StringDataRightTruncation" in event.error or "DataError" in event.error


def test_without_rq_the_attempt_count_decides_the_last_attempt(post):
    make_shop()
    post("customers/update", build_payload("customers/update", first_name="y" * 400))
    (event,) = events()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with pytest.raises(Exception, match="DataError|StringDataRightTruncation"):
            process_event(event.id)
        assert events()[0].status == (EventStatus.FAILED if attempt == MAX_ATTEMPTS else EventStatus.RECEIVED)


def test_two_workers_never_process_one_event(post):
    make_shop()
    post("orders/create")
    (event,) = events()
    # A worker holding the event's row lock makes a second one skip it instead of processing it again.
    with db.session() as session:
        from app.models import WebhookEvent

        session.scalars(select(WebhookEvent).where(WebhookEvent.id == event.id).with_for_update()).one()
        result = {}
        thread = threading.Thread(target=lambda: result.setdefault("outcome", process_event(event.id)))
        thread.start()
        thread.join(10)
    assert result["outcome"] == Outcome.BUSY
    assert process_event(event.id) == Outcome.DONE


def test_batch_job_processes_many_events(post):
    make_shop()
    for n in range(5):
        post("carts/update", build_payload("carts/update", token=f"cart-{n}"), webhook_id=f"cart-{n}")
    queues.get_queue(queues.WEBHOOKS).empty()
    ids = [e.id for e in events()]
    queues.enqueue("worker.jobs.ingest.process_events", ids, queue=queues.WEBHOOKS, job_id="batch-1")
    run_worker()
    assert {e.status for e in events()} == {EventStatus.DONE}
    assert process_events(ids) == {Outcome.ALREADY: 5}


def test_scopes_update_stores_the_granted_scopes(post):
    make_shop()
    post("app/scopes_update")
    run_worker()
    with db.session() as session:
        assert session.scalars(select(Shop.scopes)).one() == "read_products,write_products"


def test_bulk_operation_finish_wakes_the_waiting_sync(post):
    from app.models import SyncStep

    shop_id = make_shop()
    with db.session() as session:
        session.add(SyncStep(shop_id=shop_id, step="products", status="running",
                             bulk_operation_id="gid://shopify/BulkOperation/147595010"))
    post("bulk_operations/finish")
    run_worker()
    assert events()[0].status == EventStatus.DONE
    assert queues.get_queue(queues.SYNC).get_job_ids() == [f"sync-{shop_id}"]
