"""The simulator's Admin API answers like Shopify: auth, cost and throttling, errors, bulk webhooks, seed data."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from flask import Flask, request

from app.devshop.catalog import seed_shop
from app.devshop.state import DevShopState
from app.shopify.admin_api import load_operation
from tests.support.servers import serve
from tests.sync.simshop import FakeClock, seeded, use_bucket


@pytest.fixture
def shop(sim_state):
    return seeded(sim_state, orders=30, customers=12, checkouts=2)


@pytest.fixture
def post(sim_state, simulator, shop):
    token = sim_state.issue_tokens(shop.domain, expiring=True).access_token

    def send(operation: str | None = None, variables: dict | None = None, *, query: str | None = None,
             token_value: str | None = None, domain: str | None = None) -> httpx.Response:
        body = {"query": query or load_operation(operation), "variables": variables or {}}
        return httpx.post(f"{simulator}/{domain or shop.domain}/admin/api/2026-07/graphql.json", json=body,
                          headers={"X-Shopify-Access-Token": token_value or token}, timeout=10)

    return send


def test_a_bad_token_gets_shopifys_401(post):
    response = post("ShopSettings", token_value="shpat_nope")
    assert response.status_code == 401
    assert response.json()["errors"].startswith("[API] Invalid API key or access token")
    assert post("ShopSettings", domain="other-shop.myshopify.com").status_code == 404


def test_every_answer_reports_its_cost_from_a_real_bucket(post, shop):
    clock = FakeClock()
    use_bucket(shop, clock, maximum=100, restore_rate=10)
    first = post("Locations", {"first": 4}).json()["extensions"]["cost"]
    second = post("Locations", {"first": 4}).json()["extensions"]["cost"]
    assert first["requestedQueryCost"] == 10 and first["actualQueryCost"] == 10
    assert first["throttleStatus"] == {"maximumAvailable": 100, "currentlyAvailable": 90, "restoreRate": 10}
    assert second["throttleStatus"]["currentlyAvailable"] == 80
    clock.sleep(1.5)
    assert post("ShopSettings").json()["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 92


def test_an_empty_bucket_answers_throttled_with_http_200(post, shop, sim_state):
    use_bucket(shop, FakeClock(), maximum=30, restore_rate=1)
    response = post("Products", {"first": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["requestedQueryCost"] > 30
    assert "data" not in body
    assert sim_state.calls["graphql:THROTTLED"] == 1


def test_a_query_over_the_single_query_limit_is_refused(post):
    body = post("Products", {"first": 100}).json()
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


def test_unknown_fields_and_bad_mutation_input(post):
    body = post(query="query Q { shop { nope } }").json()
    assert "Field 'nope' doesn't exist on type 'Shop'" in body["errors"][0]["message"]
    segment = post("SegmentCreate", {"name": "Gold", "query": " "}).json()["data"]["segmentCreate"]
    assert segment == {"segment": None, "userErrors": [{"field": ["query"], "message": "Query can't be blank"}]}
    customer = post("Customers", {"first": 1}).json()["data"]["customers"]["nodes"][0]["id"]
    result = post("MetafieldsSet", {"metafields": [{"ownerId": customer, "key": "points", "type": "integer",
                                                    "value": "1"}]}).json()["data"]["metafieldsSet"]
    assert result["userErrors"][0]["code"] == "INVALID_TYPE"


def test_bulk_finish_is_posted_signed_to_the_app(post, sim_state, shop):
    received: list[tuple[dict, bytes]] = []
    arrived = threading.Event()
    app = Flask("capture")

    @app.post("/webhooks")
    def capture():
        received.append((dict(request.headers), request.get_data()))
        arrived.set()
        return "", 200

    with serve(app) as url:
        sim_state.webhook_target = f"{url}/webhooks"
        created = post("BulkOperationRunQuery", {"query": load_operation("BulkCustomers")}).json()
        gid = created["data"]["bulkOperationRunQuery"]["bulkOperation"]["id"]
        assert arrived.wait(10)
    headers, body = received[0]
    expected = base64.b64encode(hmac.new(sim_state.api_secret.encode(), body, hashlib.sha256).digest()).decode()
    assert hmac.compare_digest(headers["X-Shopify-Hmac-Sha256"], expected)
    assert headers["X-Shopify-Topic"] == "bulk_operations/finish"
    assert headers["X-Shopify-Shop-Domain"] == shop.domain
    payload = json.loads(body)
    assert payload["admin_graphql_api_id"] == gid
    assert (payload["status"], payload["type"], payload["error_code"]) == ("completed", "query", None)
    status = post("BulkOperationStatus", {"id": gid}).json()["data"]["bulkOperation"]
    assert status["status"] == "COMPLETED" and status["objectCount"] == "12"


def test_seed_data_is_believable_and_deterministic():
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    first = seed_shop(DevShopState("k", "s"), now=now)
    again = seed_shop(DevShopState("k", "s"), now=now)
    assert [o["total"] for o in first.data["orders"].values()] == [o["total"] for o in again.data["orders"].values()]
    data = first.data
    assert (first.currency, first.timezone) == ("EUR", "Europe/Paris")
    assert {loc["city"] for loc in data["locations"].values()} == {"Paris", "Rotterdam", "Milano", "Newark"}
    assert all(-90 < loc["latitude"] < 90 and loc["longitude"] for loc in data["locations"].values())
    assert len(data["products"]) == 20 and len(data["customers"]) == 60 and len(data["orders"]) == 300
    assert all(now - timedelta(days=366) < o["created_at"] <= now for o in data["orders"].values())
    states = {c["email_marketing_state"] for c in data["customers"].values()}
    assert {"SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED"} <= states
    assert len(data["levels"]) == len(data["inventory_items"]) * 4
    assert data["checkouts"] and all(c["completed_at"] is None for c in data["checkouts"].values())


def test_a_timeout_fault_delays_the_answer(post, sim_state):
    sim_state.faults["graphql"] = [{"delay": 0.3}]
    started = time.monotonic()
    assert post("ShopSettings").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_bulk_result_urls_work_when_the_simulator_is_mounted_under_a_prefix(sim_state, shop):
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from app.devshop import create_simulator
    from app.shopify import bulk
    from tests.sync.simshop import admin_client

    mounted = DispatcherMiddleware(Flask("host"), {"/_devshop": create_simulator(sim_state)})
    with serve(mounted) as url:
        client = admin_client(sim_state, shop, f"{url}/_devshop", FakeClock())
        done = bulk.wait(client, bulk.start(client, "BulkCustomers"), timeout=10, interval=0.05)
        assert "/_devshop/" in done.url
        assert len(list(bulk.stream_lines(done.url))) == 12


def test_faults_armed_over_http_answer_in_shopifys_shapes(post, sim_state, simulator, shop):
    assert httpx.post(f"{simulator}/_faults", json={"target": "graphql", "fault": 503, "times": 2}).status_code == 200
    assert httpx.post(f"{simulator}/_faults", json={"target": "graphql", "fault": {"status": 429, "retry_after": 2}}
                      ).status_code == 200
    httpx.post(f"{simulator}/_faults", json={"target": "graphql", "fault": "THROTTLED"})
    first, second = post("ShopSettings"), post("ShopSettings")
    assert (first.status_code, second.status_code) == (503, 503)
    assert first.headers["content-type"].startswith("text/html")
    limited = post("ShopSettings")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "2.0"
    throttled = post("ShopSettings")
    assert throttled.status_code == 200
    body = throttled.json()
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    status = body["extensions"]["cost"]["throttleStatus"]
    assert status["currentlyAvailable"] < body["extensions"]["cost"]["requestedQueryCost"]
    assert set(status) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}


def test_a_fault_window_ends_by_itself(post, sim_state):
    sim_state.arm_for("graphql", 500, seconds=0.3)
    assert post("ShopSettings").status_code == 500
    assert post("ShopSettings").status_code == 500
    time.sleep(0.35)
    assert post("ShopSettings").status_code == 200


def test_expired_access_tokens_and_refused_refresh_tokens(post, sim_state, simulator, shop):
    issued = sim_state.issue_tokens(shop.domain, expiring=True)
    assert httpx.post(f"{simulator}/{shop.domain}/_faults/expire-access-tokens").json()["expired"] >= 1
    expired = post("ShopSettings", token_value=issued.access_token)
    assert expired.status_code == 401
    assert expired.json()["errors"].startswith("[API] Invalid API key or access token")
    assert httpx.post(f"{simulator}/{shop.domain}/_faults/revoke-refresh-tokens").json()["revoked"] >= 1
    refused = httpx.post(f"{simulator}/{shop.domain}/admin/oauth/access_token", json={
        "client_id": sim_state.api_key, "client_secret": sim_state.api_secret, "grant_type": "refresh_token",
        "refresh_token": issued.refresh_token})
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
