"""GET /proxy/promise through the app proxy: statuses, errors, languages, tiers, the cache and its invalidation."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import update

from app import create_app
from app.devshop.sender import build_payload, deliver
from app.extensions import db, redis_handle
from app.models import InventoryLevel
from app.shopify.proxy import sign_proxy_params
from app.supply import cache, service, versions
from app.supply.near_cache import near
from tests.conftest import API_SECRET, TEST_REDIS_URL, make_config
from tests.store.factories import run_worker
from tests.supply.test_service import (
    GOLD_CUSTOMER,
    IN_STOCK,
    PLAIN_CUSTOMER,
    RESTOCKING,
    SHOP,
    SOLD_OUT,
    build_store,
)
from tests.supply.test_service import (
    NOW as STORED_AT,
)
from tests.support.servers import serve


def promise_url(customer: int | str = "", shop: str = SHOP, secret: str = API_SECRET, **params) -> str:
    query = {"shop": shop, "logged_in_customer_id": str(customer), "path_prefix": "/apps/flexchain",
             "timestamp": str(int(time.time())), **{k: str(v) for k, v in params.items()}}
    query["signature"] = sign_proxy_params(query, secret)
    return f"/proxy/promise?{urlencode(query)}"


@pytest.fixture
def shop_id(app):
    service.snapshots.clear()
    return build_store()


@pytest.fixture
def web(app, shop_id):
    return app.test_client()


def test_in_stock_answer_with_the_shops_country_standing_in(web):
    first = web.get(promise_url(variant_id=IN_STOCK))
    assert first.status_code == 200
    body = first.json
    assert body["status"] == "available"
    assert body["destination"] == {"country": "FR", "region": None, "level": "shop_country"}
    assert body["warehouse"] == {"name": "Paris warehouse", "city": "Paris"}
    assert body["service_level"] == "standard"
    assert 0 < body["countdown"]["seconds"] <= 8 * 86400
    cutoff = datetime.fromisoformat(body["countdown"]["cutoff_at"])
    assert cutoff.astimezone(UTC) > datetime.now(UTC)
    assert date.fromisoformat(body["window"]["earliest"]) <= date.fromisoformat(body["window"]["latest"])
    assert body["sentence"].startswith("Order within ")
    assert body["sentence"].endswith(f"arrives {body['window']['text']} from our Paris warehouse")
    assert body["kg_co2e"] > 0 and body["kg_co2e_text"].endswith("kg CO₂e")
    assert body["split"] is False and body["tier"] is None
    # New Jersey is the store default and much further: the answer says how much sooner Paris is.
    assert body["default"]["days_saved"] >= 1
    assert first.headers["Cache-Control"].startswith("private, max-age=")
    assert int(first.headers["Cache-Control"].rsplit("=", 1)[1]) <= 30
    assert first.headers["X-Flexchain-Cache"] == "miss"


def test_backorder_and_unavailable(web):
    backorder = web.get(promise_url(variant_id=RESTOCKING)).json
    assert backorder["status"] == "backorder"
    assert backorder["window"]["earliest"] > "2099-01-05"
    assert backorder["countdown"] is None
    assert backorder["sentence"].startswith("Back in stock soon — arrives ")
    sold_out = web.get(promise_url(variant_id=SOLD_OUT)).json
    assert (sold_out["status"], sold_out["window"], sold_out["warehouse"]) == ("unavailable", None, None)
    assert sold_out["sentence"] == "Currently unavailable for delivery"


def test_a_given_destination_is_resolved_and_reported(web):
    body = web.get(promise_url(variant_id=IN_STOCK, country="de", city="Berlin")).json
    assert body["destination"] == {"country": "DE", "region": None, "level": "city"}
    us = web.get(promise_url(variant_id=IN_STOCK, country="US", postal_code="10001")).json
    assert us["destination"] == {"country": "US", "region": "NY", "level": "postal_code"}
    assert us["warehouse"]["city"] == "Newark"
    assert us["default"]["days_saved"] is None  # the default warehouse is the best one here


@pytest.mark.parametrize(("params", "message"), [
    ({}, "variant_id is required"),
    ({"variant_id": "abc"}, "variant_id must be an integer"),
    ({"variant_id": "0"}, "variant_id must be an integer"),
    ({"variant_id": "-5"}, "variant_id must be an integer"),
    ({"variant_id": "１２"}, "variant_id must be an integer"),  # full-width digits are not digits here
    ({"variant_id": "501", "quantity": "0"}, "quantity must be an integer from 1 to 999"),
    ({"variant_id": "501", "quantity": "1000"}, "quantity must be an integer from 1 to 999"),
    ({"variant_id": "501", "country": "Narnia<script>"}, "country must be an ISO 3166 country code"),
    ({"variant_id": "501", "country": "US", "postal_code": "<img src=x>"}, "postal_code must be"),
    ({"variant_id": "501", "country": "FR", "city": "Paris\u0000"}, "city must be printable"),
    ({"variant_id": "501", "city": "Paris"}, "country is required"),
])
def test_bad_parameters_answer_400_without_echoing_them(web, params, message):
    response = web.get(promise_url(**params))
    assert response.status_code == 400
    assert response.json["error"].startswith(message)
    assert "<" not in response.get_data(as_text=True) and "Narnia" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_repeated_parameter_is_refused(web):
    query = {"shop": SHOP, "logged_in_customer_id": "", "path_prefix": "/apps/flexchain",
             "timestamp": str(int(time.time())), "variant_id": ["501", "502"]}
    query["signature"] = sign_proxy_params(query, API_SECRET)
    response = web.get(f"/proxy/promise?{urlencode(query, doseq=True)}")
    assert (response.status_code, response.json["error"]) == (400, "variant_id must be given once")


def test_unknown_variant_or_shop_is_404_and_a_bad_signature_401(web):
    unknown = web.get(promise_url(variant_id=999999))
    assert (unknown.status_code, unknown.json["error"]) == (404, "unknown variant")
    elsewhere = web.get(promise_url(shop="not-installed.myshopify.com", variant_id=IN_STOCK))
    assert elsewhere.status_code == 404
    forged = web.get(promise_url(secret="not-the-secret", variant_id=IN_STOCK))
    assert forged.status_code == 401


@pytest.mark.parametrize(("locale", "lead", "window_hint"), [
    ("fr", "Commandez d'ici ", "depuis notre entrepôt de Paris"),
    ("de-DE", "Bestellen Sie innerhalb von ", "aus unserem Lager in Paris"),
    ("ja", "あと", "（Parisの倉庫から発送）"),
    ("zh-CN", "", "（由Paris仓库发货）"),
    ("xx-unknown", "Order within ", "from our Paris warehouse"),
])
def test_the_sentence_speaks_the_shoppers_language(web, locale, lead, window_hint):
    body = web.get(promise_url(variant_id=IN_STOCK, locale=locale)).json
    assert body["sentence"].startswith(lead)
    assert body["sentence"].endswith(window_hint)
    assert body["window"]["text"] in body["sentence"]


def test_a_gold_member_sees_the_tier_line_privately(web):
    gold = web.get(promise_url(customer=GOLD_CUSTOMER, variant_id=IN_STOCK))
    assert gold.json["tier"] == {"name": "gold", "text": "Gold: ships within 48 h"}
    assert gold.headers["Cache-Control"].startswith("private,")
    assert web.get(promise_url(customer=GOLD_CUSTOMER, variant_id=IN_STOCK, locale="fr")).json["tier"]["text"] == (
        "Gold : expédié sous 48 h")
    plain = web.get(promise_url(customer=PLAIN_CUSTOMER, variant_id=IN_STOCK)).json
    assert plain["tier"] is None
    # Gold handling (2 days) beats the standard 3 days from Paris.
    assert gold.json["window"]["latest"] < plain["window"]["latest"]


def test_a_cached_answer_does_not_read_the_database(web, shop_id):
    assert web.get(promise_url(variant_id=IN_STOCK)).headers["X-Flexchain-Cache"] == "miss"
    # Paris empties without anyone announcing it: the cached answer cannot know, which proves it skipped the DB.
    with db.session() as s:
        s.execute(update(InventoryLevel).where(InventoryLevel.location_id == 11).values(available=0))
    cached = web.get(promise_url(variant_id=IN_STOCK, locale="de"))
    assert (cached.headers["X-Flexchain-Cache"], cached.json["warehouse"]["city"]) == ("hit", "Paris")
    # The same place reached through another language or customer without a tier shares the entry.
    assert web.get(promise_url(customer=PLAIN_CUSTOMER, variant_id=IN_STOCK)).headers["X-Flexchain-Cache"] == "hit"
    versions.bump_stock(shop_id, [IN_STOCK])
    fresh = web.get(promise_url(variant_id=IN_STOCK))
    assert (fresh.headers["X-Flexchain-Cache"], fresh.json["warehouse"]["city"]) == ("miss", "Newark")


def test_an_inventory_webhook_processed_by_the_worker_changes_the_answer(app, web):
    assert web.get(promise_url(variant_id=IN_STOCK)).json["warehouse"]["city"] == "Paris"
    assert web.get(promise_url(variant_id=IN_STOCK)).headers["X-Flexchain-Cache"] == "hit"
    payload = build_payload(
        "inventory_levels/update", inventory_item_id=9001, location_id=11, available=0,
        admin_graphql_api_id="gid://shopify/InventoryLevel/11?inventory_item_id=9001",
        updated_at=(STORED_AT + timedelta(hours=1)).isoformat())
    with serve(app) as url:
        assert deliver(f"{url}/webhooks", "inventory_levels/update", SHOP, payload, API_SECRET).status_code == 200
    # Received but not processed yet: the promise still stands.
    assert web.get(promise_url(variant_id=IN_STOCK)).json["warehouse"]["city"] == "Paris"
    run_worker()
    after = web.get(promise_url(variant_id=IN_STOCK))
    assert (after.headers["X-Flexchain-Cache"], after.json["warehouse"]["city"]) == ("miss", "Newark")


def test_a_location_webhook_rebuilds_the_network(app, web):
    web.get(promise_url(variant_id=IN_STOCK))
    payload = {"id": 11, "name": "Paris DC", "active": False, "city": "Paris", "country_code": "FR",
               "updated_at": datetime.now(UTC).isoformat()}
    with serve(app) as url:
        assert deliver(f"{url}/webhooks", "locations/update", SHOP, payload, API_SECRET).status_code == 200
    run_worker()
    after = web.get(promise_url(variant_id=IN_STOCK))
    assert (after.headers["X-Flexchain-Cache"], after.json["warehouse"]["city"]) == ("miss", "Newark")


def test_the_countdown_of_a_cached_answer_keeps_running(web):
    web.get(promise_url(variant_id=IN_STOCK))
    first = web.get(promise_url(variant_id=IN_STOCK))
    time.sleep(1.2)
    second = web.get(promise_url(variant_id=IN_STOCK))
    assert first.headers["X-Flexchain-Cache"] == second.headers["X-Flexchain-Cache"] == "hit"
    assert second.json["countdown"]["seconds"] < first.json["countdown"]["seconds"]
    assert second.json["countdown"]["cutoff_at"] == first.json["countdown"]["cutoff_at"]


@pytest.fixture
def redis_down(app):
    # Nothing listens on port 1: every Redis call is refused at once.
    down = create_app(make_config(redis_url="redis://127.0.0.1:1/0"))
    yield down
    redis_handle.init(TEST_REDIS_URL)


def test_redis_down_still_answers_without_the_cache(shop_id, redis_down):
    web = redis_down.test_client()
    for _ in range(2):
        response = web.get(promise_url(variant_id=IN_STOCK))
        assert response.status_code == 200
        assert response.headers["X-Flexchain-Cache"] == "off"
        assert response.json["status"] == "available"


def test_a_redis_restart_between_requests_costs_no_cache_hit(web):
    web.get(promise_url(variant_id=IN_STOCK))
    assert web.get(promise_url(variant_id=IN_STOCK)).headers["X-Flexchain-Cache"] == "hit"
    # The server drops the cache's connection, as a Redis restart would (only ours: the server is shared).
    db_index = redis_handle.conn.connection_pool.connection_kwargs.get("db", 0)
    ours = [c["id"] for c in redis_handle.conn.client_list()
            if c["name"] == cache.HOT_CLIENT_NAME and int(c["db"]) == db_index]
    assert ours
    for client_id in ours:
        redis_handle.conn.client_kill_filter(_id=client_id)
    near.clear()  # so the next request reads Redis, on the dropped connection
    after = web.get(promise_url(variant_id=IN_STOCK))
    assert (after.status_code, after.headers["X-Flexchain-Cache"]) == (200, "hit")
