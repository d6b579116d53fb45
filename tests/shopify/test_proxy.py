"""App proxy signatures: Shopify's documented vectors, the 90 s window, duplicates, the ping route."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest

from app import create_app
from app.extensions import db
from app.models import Shop, ShopStatus
from app.shopify.proxy import sign_proxy_params
from tests.conftest import API_SECRET, make_config

SHOP = "proxy-shop.myshopify.com"

# shopify.dev "Authenticate app proxies", secret `hush`: the same storefront request with a logged-in
# customer, with an empty customer id (anonymous), and without the parameter at all.
DOC_BASE = {"extra": ["1", "2"], "shop": "shop-name.myshopify.com", "path_prefix": "/apps/awesome_reviews",
            "timestamp": "1317327555"}
DOC_VECTORS = [
    ({**DOC_BASE, "logged_in_customer_id": "1"},
     "4c68c8624d737112c91818c11017d24d334b524cb5c2b8ba08daa056f7395ddb"),
    ({**DOC_BASE, "logged_in_customer_id": ""},
     "e072b6d7e6622d85912a5214b860d3100dc1e73d9bc29f43796ac8c9ff8093cb"),
    (DOC_BASE, "a9718877bea71c2484f91608a7eaea1532bdf71f5c56825065fa4ccabe549ef3"),
]


@pytest.mark.parametrize(("params", "signature"), DOC_VECTORS, ids=["customer 1", "empty customer", "no customer"])
def test_documented_vectors(params, signature):
    assert sign_proxy_params(params, "hush") == signature


def signed_query(secret=API_SECRET, *, ts=None, customer="", shop=SHOP, extra=None, **changes) -> str:
    params = {"shop": shop, "logged_in_customer_id": customer, "path_prefix": "/apps/flexchain",
              "timestamp": str(int(time.time() if ts is None else ts)), **(extra or {})}
    params["signature"] = sign_proxy_params(params, secret)
    params.update(changes)
    return urlencode(params, doseq=True)


@pytest.fixture
def web(app):
    return app.test_client()


@pytest.mark.parametrize(("params", "signature"), DOC_VECTORS, ids=["customer 1", "empty customer", "no customer"])
def test_shopifyapp_accepts_the_documented_shapes_when_fresh(app, params, signature):
    # The doc timestamp is from 2011; re-sign the same shapes now to check shopifyapp agrees with the vectors.
    fresh = {**params, "timestamp": str(int(time.time()))}
    fresh["signature"] = sign_proxy_params(fresh, "hush")
    web = create_app(make_config(shopify_api_secret="hush")).test_client()
    response = web.get(f"/proxy/ping?{urlencode(fresh, doseq=True)}")
    assert response.status_code == 200
    expected = int(params["logged_in_customer_id"]) if params.get("logged_in_customer_id") else None
    assert response.json["logged_in_customer_id"] == expected
    assert response.json["shop"] == "shop-name.myshopify.com"


def test_ping_answers_a_signed_request(web):
    response = web.get(f"/proxy/ping?{signed_query(customer='7208')}")
    assert response.status_code == 200
    assert response.json == {"ok": True, "shop": SHOP, "logged_in_customer_id": 7208, "installed": False}
    assert response.headers["Cache-Control"] == "private, no-store"


def test_anonymous_visitor_has_no_customer(web):
    assert web.get(f"/proxy/ping?{signed_query(customer='')}").json["logged_in_customer_id"] is None


def test_installed_shop_is_recognised(web):
    with db.session() as s:
        s.add(Shop(domain=SHOP, status=ShopStatus.INSTALLED, installed_at=datetime.now(UTC)))
    assert web.get(f"/proxy/ping?{signed_query()}").json["installed"] is True


def test_documented_vectors_are_too_old_to_replay(app):
    params, signature = DOC_VECTORS[0]
    query = urlencode({**params, "signature": signature}, doseq=True)
    web = create_app(make_config(shopify_api_secret="hush")).test_client()
    assert web.get(f"/proxy/ping?{query}").status_code == 401


REFUSED = {
    "unsigned": lambda: urlencode({"shop": SHOP, "timestamp": int(time.time()), "logged_in_customer_id": "1"}),
    "customer id changed": lambda: signed_query(customer="1", logged_in_customer_id="2"),
    "shop changed": lambda: signed_query().replace("proxy-shop.myshopify.com", "victim-shop.myshopify.com"),
    "wrong secret": lambda: signed_query("not-our-secret"),
    "stale: 120 s old": lambda: signed_query(ts=time.time() - 120),
    "from the future: 120 s ahead": lambda: signed_query(ts=time.time() + 120),
    "timestamp not a number": lambda: signed_query(timestamp="soon"),
    "duplicate shop": lambda: signed_query() + f"&shop={SHOP}",
    "duplicate timestamp": lambda: signed_query() + f"&timestamp={int(time.time())}",
    "duplicate signature": lambda: signed_query() + "&signature=00",
    "duplicate customer": lambda: signed_query(customer="5") + "&logged_in_customer_id=6",
    "not a shop domain": lambda: signed_query(shop="evil.example.com"),
    "customer not numeric": lambda: signed_query(customer="abc"),
}


@pytest.mark.parametrize("make", REFUSED.values(), ids=REFUSED.keys())
def test_refused_requests_get_401(web, make):
    response = web.get(f"/proxy/ping?{make()}")
    assert response.status_code == 401
    assert response.json == {"error": "invalid app proxy signature"}


def test_within_the_90_s_window_is_accepted(web):
    assert web.get(f"/proxy/ping?{signed_query(ts=time.time() - 80)}").status_code == 200


def test_old_secret_is_accepted_during_rotation(app):
    web = create_app(make_config(shopify_api_secret="new-secret", shopify_old_api_secret=API_SECRET)).test_client()
    assert web.get(f"/proxy/ping?{signed_query(API_SECRET)}").status_code == 200
    assert web.get(f"/proxy/ping?{signed_query('new-secret')}").status_code == 200
