"""POST /webhooks over real HTTP: signatures, dedupe, size limits, malformed bodies, outages."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from rq import Queue
from sqlalchemy import update

from app import create_app
from app import queue as queues
from app.devshop.sender import build_payload, deliver, sign
from app.extensions import db, redis_handle
from app.models import EventStatus, WebhookEvent
from app.webhooks.bell import DRAIN_JOB
from app.webhooks.handlers import HANDLERS
from app.webhooks.intake import job_id_for
from app.webhooks.relay import relay_pending
from tests.conftest import API_SECRET, make_config
from tests.store.factories import SHOP, events, run_worker
from tests.support.servers import serve

ALL_TOPICS = sorted(HANDLERS)


@pytest.fixture
def base_url(app):
    with serve(app) as url:
        yield url


def send_direct(app, **kw):
    with serve(app) as url:
        return send(url, **kw)


def send(url, topic="orders/paid", payload=None, secret=API_SECRET, **kw):
    payload = build_payload(topic, shop_domain=SHOP) if payload is None else payload
    return deliver(f"{url}/webhooks/orders", topic, SHOP, payload, secret, **kw)


def queued_ids() -> list[str]:
    return Queue(queues.WEBHOOKS, connection=redis_handle.conn).get_job_ids()


def queued_funcs() -> list[str]:
    return [job.func_name for job in Queue(queues.WEBHOOKS, connection=redis_handle.conn).get_jobs()]


@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_signed_delivery_of_every_topic_is_stored_and_queued(base_url, topic):
    response = send(base_url, topic, webhook_id=f"wh-{topic}", event_id="ev-1")
    assert response.status_code == 200, response.text
    (event,) = events()
    assert (event.topic, event.shop_domain, event.webhook_id, event.event_id) == (topic, SHOP, f"wh-{topic}", "ev-1")
    assert event.api_version == "2026-07" and event.triggered_at is not None
    assert event.status == EventStatus.RECEIVED
    assert queued_funcs() == [DRAIN_JOB]  # one drain takes every waiting event


@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_unsigned_or_tampered_delivery_of_every_topic_is_refused(base_url, topic):
    assert send(base_url, topic, secret=None).status_code == 401
    assert send(base_url, topic, secret="not-the-secret").status_code == 401
    body = json.dumps(build_payload(topic, shop_domain=SHOP)).encode()
    tampered = deliver(f"{base_url}/webhooks", topic, SHOP, body + b" ", API_SECRET,
                       extra_headers={"X-Shopify-Hmac-Sha256": sign(body, API_SECRET)})
    assert tampered.status_code == 401
    assert events() == [] and queued_ids() == []


def test_old_secret_is_accepted_while_rotating(migrated_database, redis_url):
    app = create_app(make_config(shopify_api_secret="new-secret", shopify_old_api_secret=API_SECRET))
    with serve(app) as url:
        for topic in ("orders/paid", "customers/redact", "shop/redact"):
            assert send(url, topic, secret=API_SECRET).status_code == 200
            assert send(url, topic, secret="new-secret").status_code == 200
        assert send(url, "orders/paid", secret="some-other").status_code == 401
    assert len(events()) == 6


def test_unprefixed_shopify_header_family_is_accepted(base_url):
    body = json.dumps(build_payload("orders/paid")).encode()
    response = httpx.post(f"{base_url}/webhooks", content=body, headers={
        "shopify-hmac-sha256": sign(body, API_SECRET), "shopify-topic": "orders/paid",
        "shopify-shop-domain": SHOP, "shopify-webhook-id": "evt-wh-1", "shopify-event-id": "e1",
        "shopify-api-version": "unstable", "shopify-triggered-at": "2026-03-01T10:00:00.123456789Z"})
    assert response.status_code == 200
    (event,) = events()
    assert (event.webhook_id, event.api_version, event.triggered_at.year) == ("evt-wh-1", "unstable", 2026)


def test_duplicate_delivery_is_stored_and_queued_once(base_url):
    assert send(base_url, webhook_id="same").status_code == 200
    redis_handle.conn.delete(*[f"rq:job:{j}" for j in queued_ids()])
    redis_handle.conn.delete(f"rq:queue:{queues.WEBHOOKS}")
    response = send(base_url, webhook_id="same")
    assert response.status_code == 200 and "duplicate" in response.json()["message"]
    assert len(events()) == 1 and queued_ids() == []


def test_three_concurrent_deliveries_of_one_webhook_make_one_row(base_url):
    body = json.dumps(build_payload("orders/paid"))
    with ThreadPoolExecutor(3) as pool:
        codes = list(pool.map(lambda _: send(base_url, payload=body, webhook_id="race").status_code, range(3)))
    assert codes == [200, 200, 200]
    assert len(events()) == 1 and len(queued_ids()) == 1


def test_missing_webhook_id_is_400_but_unsigned_is_401_first(base_url):
    no_id = {"X-Shopify-Webhook-Id": ""}
    assert send(base_url, secret=None, extra_headers=no_id).status_code == 401
    response = send(base_url, extra_headers=no_id)
    assert response.status_code == 400 and "Webhook-Id" in response.json()["message"]
    assert send(base_url, extra_headers={"X-Shopify-Shop-Domain": "evil.example.com"}).status_code == 400
    assert events() == []


def test_valid_signature_over_malformed_json_is_stored_as_failed(base_url):
    assert send(base_url, payload=b'{"id": 1,,').status_code == 200
    (event,) = events()
    assert event.status == EventStatus.FAILED and "JSON" in event.error
    assert queued_ids() == []


def test_non_utf8_body_is_refused_not_crashed(base_url):
    body = b'{"note": "\xff\xfe"}'
    response = send(base_url, payload=body, extra_headers={"X-Shopify-Hmac-Sha256": sign(body, API_SECRET)})
    assert response.status_code == 401
    assert send(base_url, extra_headers={"X-Shopify-Hmac-Sha256": "sïgnature".encode("latin-1")}).status_code == 401


def test_unknown_topic_is_stored_as_ignored(base_url):
    assert send(base_url, "themes/publish", payload={"id": 1}).status_code == 200
    (event,) = events()
    assert event.status == EventStatus.IGNORED and "themes/publish" in event.error
    assert queued_ids() == []


def test_body_over_5_mb_is_413_with_or_without_content_length(base_url):
    big = b'{"pad": "' + b"x" * (5 * 1024 * 1024) + b'"}'
    assert send(base_url, payload=big).status_code == 413

    def chunks():
        for i in range(0, len(big), 64 * 1024):
            yield big[i:i + 64 * 1024]

    headers = {"X-Shopify-Hmac-Sha256": sign(big, API_SECRET), "X-Shopify-Topic": "orders/paid",
               "X-Shopify-Shop-Domain": SHOP, "X-Shopify-Webhook-Id": "chunked"}
    response = httpx.post(f"{base_url}/webhooks", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert events() == []


def test_database_down_answers_503_so_shopify_retries(config):
    down = create_app(config.with_overrides(database_url="postgresql+psycopg://postgres@127.0.0.1:1/none"))
    try:
        with serve(down) as url:
            response = send(url)
        assert response.status_code == 503 and response.headers["Retry-After"]
    finally:
        create_app(config)
    assert events() == []


def test_redis_down_still_stores_then_relay_queues_once_it_is_back(app, config):
    down = create_app(config.with_overrides(redis_url="redis://127.0.0.1:1/0"))
    with serve(down) as url:
        assert send(url, webhook_id="r1").status_code == 200
        assert send(url, webhook_id="r2").status_code == 200
    create_app(config)  # Redis is back
    assert [e.status for e in events()] == [EventStatus.RECEIVED] * 2
    assert queued_ids() == []
    assert relay_pending(limit=10, min_age_seconds=60) == 0  # too young: may still be on its way
    assert relay_pending(limit=10, min_age_seconds=0) == 2
    assert queued_funcs() == [DRAIN_JOB]
    assert relay_pending(limit=10, min_age_seconds=0) == 0  # a drain is already queued: not twice
    run_worker()
    assert [e.status for e in events()] == [EventStatus.IGNORED] * 2  # processed (no such shop installed)


def test_an_event_that_failed_once_is_relayed_to_its_own_job(app):
    assert send_direct(app, webhook_id="f1").status_code == 200
    with db.session() as session:
        session.execute(update(WebhookEvent).values(attempts=1, error="boom"))
    redis_handle.conn.flushdb()
    (event,) = events()
    assert relay_pending(limit=10, min_age_seconds=0) == 1
    assert queued_ids() == [job_id_for(event.id)]
    assert relay_pending(limit=10, min_age_seconds=0) == 0
