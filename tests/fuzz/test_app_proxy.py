"""The app proxy endpoints under generated storefront requests: no answer is a 5xx, and a request whose
signature does not verify (absent, forged, stale, tampered, another secret) is never answered with data."""

from __future__ import annotations

import time
from collections import Counter
from urllib.parse import quote, unquote, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.exceptions import MethodNotAllowed, NotFound

from app.shopify.proxy import sign_proxy_params
from app.supply import service
from tests.conftest import API_SECRET
from tests.fuzz.strategies import EXAMPLES, fuzz_settings
from tests.supply.test_service import IN_STOCK, SHOP, SOLD_OUT, build_store

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_ids = st.one_of(st.integers(0, 10), st.integers(0, 2**70), st.just(5), st.sampled_from([IN_STOCK, SOLD_OUT]))
_segment = st.one_of(_ids.map(str), _text.map(lambda s: quote(s, safe="")))
paths = st.one_of(
    st.just("/proxy/promise"), st.just("/proxy/ping"), st.just("/proxy/jwks.json"),
    _segment.map(lambda s: f"/proxy/passport/{s}"),
    _segment.map(lambda s: f"/proxy/passport/{s}.json"),
    _segment.map(lambda s: f"/proxy/passport/{s}/qr.svg"),
    st.one_of(st.from_regex(r"\A[0-9a-f]{64}\Z"), _segment).map(lambda s: f"/proxy/certificates/{s}"),
)
_storefront_value = st.one_of(_ids.map(str), _text, st.integers(-10**30, 10**30).map(str),
                              st.sampled_from(["DE", "FR", "US", "zz", "fr", "zh-CN", "1", "download"]))
storefront = st.dictionaries(
    st.one_of(st.sampled_from(["variant_id", "quantity", "country", "postal_code", "region", "city", "locale",
                               "lot", "download"]), _text.filter(bool)),
    st.one_of(_storefront_value, st.lists(_storefront_value, min_size=2, max_size=3)), max_size=6,
).map(lambda d: {k: v for k, v in d.items() if k not in ("shop", "timestamp", "signature", "path_prefix",
                                                            "logged_in_customer_id")})
shops = st.one_of(st.just(SHOP), st.just(SHOP), st.just("unknown-shop.myshopify.com"), _text)
customers = st.one_of(st.just(""), st.integers(0, 2**70).map(str), _text)


def signed(params: dict, shop: str, customer: str, secret: str = API_SECRET, age: int = 0) -> dict:
    query = {"shop": shop, "logged_in_customer_id": customer, "path_prefix": "/apps/flexchain",
             "timestamp": str(int(time.time()) - age), **params}
    query["signature"] = sign_proxy_params(query, secret)
    return query


def routed(app, path: str) -> bool:
    try:
        app.url_map.bind("localhost").match(path, method="GET")
    except (NotFound, MethodNotAllowed):
        return False
    return True


@pytest.fixture
def web(app):
    service.snapshots.clear()
    build_store()
    return app.test_client()


def test_signed_storefront_requests_never_get_a_5xx(app, web):
    seen = Counter()

    @fuzz_settings()
    @given(path=paths, params=storefront, shop=shops, customer=customers)
    def request(path, params, shop, customer):
        query = urlencode(signed(params, shop, customer), doseq=True)
        response = web.get(f"{path}?{query}")
        seen[response.status_code] += 1
        assert response.status_code < 500, (path, query, response.get_data()[:300])
        if response.status_code == 400:
            assert response.is_json and response.json.get("error"), response.get_data()[:200]

    request()
    assert sum(seen.values()) >= EXAMPLES
    # Enough generated requests get past the signature to the views, and some to their real answers.
    assert seen[401] <= EXAMPLES * 0.75 and seen[200] >= EXAMPLES * 0.02


def test_unverified_storefront_requests_are_refused(app, web):
    seen = Counter()
    forgeries = st.sampled_from(["none", "garbage", "other_secret", "stale", "tampered", "appended"])

    @fuzz_settings()
    @given(path=paths, params=storefront, shop=shops, customer=customers, forgery=forgeries, junk=_text)
    def request(path, params, shop, customer, forgery, junk):
        if forgery == "none":
            query = {"shop": shop, "logged_in_customer_id": customer, "timestamp": str(int(time.time())), **params}
        elif forgery == "garbage":
            query = {**signed(params, shop, customer), "signature": junk}
        elif forgery == "other_secret":
            query = signed(params, shop, customer, secret="not-the-app-secret")
        elif forgery == "stale":
            query = signed(params, shop, customer, age=3600)
        elif forgery == "tampered":  # a genuine signature, then a signed value changed
            other = "424242" if customer != "424242" else "1"
            query = {**signed(params, shop, customer), "logged_in_customer_id": other}
        else:  # a genuine signature, then a parameter added
            query = {**signed(params, shop, customer), "variant_id_extra": junk or "x"}
        response = web.get(f"{path}?{urlencode(query, doseq=True)}")
        seen[response.status_code] += 1
        if response.status_code == 404:
            assert not routed(app, unquote(path))  # no route at all: never reached a view
        else:
            assert response.status_code == 401, (path, forgery, response.status_code, response.get_data()[:200])
            assert response.json == {"error": "invalid app proxy signature"}

    request()
    assert sum(seen.values()) >= EXAMPLES and seen[401] >= EXAMPLES * 0.5


@pytest.mark.parametrize("path", ["/proxy/passport/9223372036854775808", "/proxy/passport/99999999999999999999.json",
                                  "/proxy/passport/9223372036854775808/qr.svg"])
def test_a_product_id_beyond_any_shopify_id_is_not_found(web, path):
    response = web.get(f"{path}?{urlencode(signed({}, SHOP, ''))}")
    assert response.status_code == 404  # found by the fuzzer: the database refused the number with a 500
