"""App home authentication: id tokens on documents and fetches, the patch page, CSP, install, tenant scoping."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from rq import Queue
from sqlalchemy import select

from app import create_app
from app.crypto import TokenCipher
from app.devshop.idtoken import mint_id_token
from app.devshop.state import SimShop
from app.extensions import db, redis_handle
from app.models import Checkout, Customer, Location, Order, Shop, ShopStatus
from tests.conftest import API_KEY, API_SECRET, ENCRYPTION_KEY, make_config

SHOP_A = "shop-a.myshopify.com"
SHOP_B = "shop-b.myshopify.com"
RETRY = "X-Shopify-Retry-Invalid-Session-Request"


@pytest.fixture
def admin_app(app, simulator, sim_state):
    """The app pointed at a live simulator that knows two shops (`app` has reset the database and Redis)."""
    sim_state.add_shop(SimShop(domain=SHOP_A, shopify_id=1001, name="Shop A"))
    sim_state.add_shop(SimShop(domain=SHOP_B, shopify_id=1002, name="Shop B"))
    flask_app = create_app(make_config(shopify_admin_base_url=simulator))
    flask_app.config["TESTING"] = True
    return flask_app


@pytest.fixture
def web(admin_app):
    return admin_app.test_client()


def token(shop=SHOP_A, **kw) -> str:
    return mint_id_token(API_KEY, API_SECRET, shop, **kw)


def document(web, id_token=None, path="/", **params):
    query = {"embedded": "1", "shop": params.pop("shop", SHOP_A), **params}
    if id_token:
        query["id_token"] = id_token
    return web.get(f"{path}?{urlencode(query)}")


def fetch(web, id_token, path="/api/session"):
    return web.get(path, headers={"Authorization": f"Bearer {id_token}"})


def shop_row(domain=SHOP_A) -> Shop | None:
    with db.session() as s:
        return s.scalar(select(Shop).where(Shop.domain == domain))


# --- id token verification, documents -------------------------------------------------------------------------

def test_document_with_a_valid_token_renders_the_home_with_csp(web):
    response = document(web, token())
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == (
        f"frame-ancestors https://{SHOP_A} https://admin.shopify.com;")
    assert "shop-a.myshopify.com" in response.text
    assert 'data-testid="install-state">installed<' in response.text


def issued_ago(seconds: float) -> str:
    """A 60 s token issued `seconds` ago (negative: in the future, i.e. nbf ahead of our clock)."""
    return token(now=time.time() - seconds)


BAD_TOKENS = {
    "expired 15 s ago": lambda: issued_ago(75),
    "nbf 15 s ahead": lambda: issued_ago(-15),
    "wrong secret": lambda: mint_id_token(API_KEY, "someone-elses-secret", SHOP_A),
    "alg none": lambda: jwt.encode(jwt.decode(token(), options={"verify_signature": False}), None, algorithm="none"),
    "not a jwt": lambda: "not-a-jwt",
}


@pytest.mark.parametrize("make", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_document_with_a_stale_or_forged_token_goes_to_the_patch_page(web, make):
    response = document(web, make(), path="/", host="abc")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/patch-id-token"
    query = parse_qs(location.query)
    assert query["shop"] == [SHOP_A]
    assert query["shopify-reload"] == [f"/?embedded=1&shop={SHOP_A}&host=abc"]
    assert "id_token" not in query
    assert response.headers["Content-Security-Policy"].startswith(f"frame-ancestors https://{SHOP_A} ")
    assert shop_row() is None  # nothing was installed on a bad token


def test_document_without_id_token_goes_to_the_patch_page(web):
    response = document(web, None)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/patch-id-token"


def test_patch_redirect_uses_app_url_not_the_host_header(web):
    response = web.get(f"/?shop={SHOP_A}", headers={"Host": "evil.example"})
    assert response.headers["Location"].startswith("http://127.0.0.1:8000/auth/patch-id-token?")


@pytest.mark.parametrize("ago", [65, -5], ids=["expired 5 s ago", "nbf 5 s ahead"])
def test_document_within_the_clock_leeway_is_accepted(web, ago):
    assert document(web, issued_ago(ago)).status_code == 200


def test_document_for_another_app_is_refused(web):
    response = document(web, token(aud="another-app"))
    assert response.status_code == 401
    assert shop_row() is None


# --- id token verification, fetches ---------------------------------------------------------------------------

def test_fetch_with_a_valid_token_returns_the_shop_without_csp(web):
    response = fetch(web, token(user_id="42"))
    assert response.status_code == 200
    assert response.json["shop"]["domain"] == SHOP_A
    assert response.json["user_id"] == "42"


@pytest.mark.parametrize("make", [*BAD_TOKENS.values(), lambda: token(aud="another-app")],
                         ids=[*BAD_TOKENS.keys(), "wrong audience"])
def test_fetch_with_a_bad_token_is_401_with_the_retry_header(web, make):
    response = fetch(web, make())
    assert response.status_code == 401
    assert response.headers[RETRY] == "1"


def test_fetch_without_bearer_scheme_is_401(web):
    response = web.get("/api/session", headers={"Authorization": f"Basic {token()}"})
    assert response.status_code == 401


@pytest.mark.parametrize("ago", [65, -5], ids=["expired 5 s ago", "nbf 5 s ahead"])
def test_fetch_within_the_clock_leeway_is_accepted(web, ago):
    assert fetch(web, issued_ago(ago)).status_code == 200


def test_token_naming_no_valid_shop_is_refused(web):
    response = fetch(web, token(dest="https://evil.example.com"))
    assert response.status_code == 401
    assert shop_row("evil.example.com") is None


def test_old_secret_is_accepted_during_rotation(admin_app, simulator, web):
    assert fetch(web, token()).status_code == 200  # installed under the current secret
    rotated = create_app(make_config(shopify_admin_base_url=simulator, shopify_api_secret="brand-new-secret",
                                     shopify_old_api_secret=API_SECRET)).test_client()
    assert fetch(rotated, token()).status_code == 200
    assert fetch(rotated, mint_id_token(API_KEY, "brand-new-secret", SHOP_A)).status_code == 200
    assert fetch(rotated, mint_id_token(API_KEY, "a-third-secret", SHOP_A)).status_code == 401


# --- patch id token page ---------------------------------------------------------------------------------------

def test_patch_page_in_dev_fetches_a_token_from_the_simulator(web, simulator):
    response = web.get(f"/auth/patch-id-token?shop={SHOP_A}&shopify-reload=%2F%3Fembedded%3D1")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == f"frame-ancestors https://{SHOP_A} https://admin.shopify.com;"
    assert f'<meta name="flexchain-devshop" content="{simulator}">' in response.text
    assert '<meta name="flexchain-reload" content="/?embedded=1">' in response.text
    assert f'<meta name="flexchain-shop" content="{SHOP_A}">' in response.text
    assert "cdn.shopify.com" not in response.text


def test_patch_page_in_production_loads_app_bridge(migrated_database, redis_url):
    web = create_app(make_config()).test_client()
    response = web.get(f"/auth/patch-id-token?shop={SHOP_A}&shopify-reload=%2F")
    assert response.status_code == 200
    assert f'data-api-key="{API_KEY}"' in response.text
    assert "https://cdn.shopify.com/shopifycloud/app-bridge.js" in response.text
    assert response.headers["Content-Security-Policy"] == f"frame-ancestors https://{SHOP_A} https://admin.shopify.com;"


@pytest.mark.parametrize("query", [
    "shop=evil.example.com%22%3E&shopify-reload=%2F",
    f"shop={SHOP_A}&shopify-reload=https%3A%2F%2Fevil.example",
    f"shop={SHOP_A}&shopify-reload=%2F%2Fevil.example",
    f"shop={SHOP_A}",
])
def test_patch_page_refuses_bad_shop_or_reload_target(web, query):
    response = web.get(f"/auth/patch-id-token?{query}")
    assert response.status_code == 400
    assert "evil" not in response.headers.get("Content-Security-Policy", "")


# --- App Bridge script only when talking to real Shopify ------------------------------------------------------

def _preinstall(domain=SHOP_A) -> int:
    cipher = TokenCipher((ENCRYPTION_KEY,))
    with db.session() as s:
        shop = Shop(domain=domain, name="Shop A", status=ShopStatus.INSTALLED, installed_at=datetime.now(UTC),
                    access_token_enc=cipher.encrypt("shpat_preinstalled"),
                    access_token_expires_at=datetime.now(UTC) + timedelta(hours=1))
        s.add(shop)
        s.flush()
        return shop.id


def test_home_inlines_app_bridge_only_against_real_shopify(app):
    _preinstall()
    real = create_app(make_config()).test_client()
    page = document(real, token()).text
    assert '<script src="https://cdn.shopify.com/shopifycloud/app-bridge.js"' in page
    assert f'<meta name="shopify-api-key" content="{API_KEY}">' in page


def test_home_has_no_app_bridge_against_the_simulator(web):
    page = document(web, token()).text
    assert "cdn.shopify.com" not in page
    assert "/static/admin/authenticated-fetch.js" in page
    assert f'<meta name="flexchain-shop" content="{SHOP_A}">' in page


def test_output_is_escaped(app):
    shop_id = _preinstall()
    with db.session() as s:
        s.get(Shop, shop_id).name = "<script>alert(1)</script>"
    page = document(create_app(make_config()).test_client(), token()).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- install by token exchange ---------------------------------------------------------------------------------

def test_first_load_installs_by_token_exchange(web, sim_state):
    assert document(web, token()).status_code == 200
    shop = shop_row()
    assert shop.status == ShopStatus.INSTALLED and shop.installed_at is not None
    issued = next(iter(sim_state.access_tokens.values()))
    assert issued.access_token not in shop.access_token_enc
    assert issued.refresh_token not in shop.refresh_token_enc
    cipher = TokenCipher((ENCRYPTION_KEY,))
    assert cipher.decrypt(shop.access_token_enc) == issued.access_token
    assert cipher.decrypt(shop.refresh_token_enc) == issued.refresh_token
    assert timedelta(minutes=59) < shop.access_token_expires_at - datetime.now(UTC) <= timedelta(hours=1)
    assert shop.refresh_token_expires_at > datetime.now(UTC) + timedelta(days=29)
    assert sim_state.calls == {"token_exchange": 1}
    job = Queue("sync", connection=redis_handle.conn).fetch_job(f"sync-{shop.id}")
    assert job is not None and job.func_name == "worker.jobs.sync.first_sync" and job.args == (shop.id,)
    # Later loads reuse the stored token: no second exchange, no second job.
    assert fetch(web, token()).status_code == 200
    assert sim_state.calls == {"token_exchange": 1}
    assert Queue("sync", connection=redis_handle.conn).count == 1


def test_reinstall_after_uninstall_exchanges_again_and_syncs(web, sim_state):
    document(web, token())
    shop = shop_row()
    q = Queue("sync", connection=redis_handle.conn)
    q.fetch_job(f"sync-{shop.id}").delete()
    with db.session() as s:
        row = s.get(Shop, shop.id)
        row.status, row.uninstalled_at = ShopStatus.UNINSTALLED, datetime.now(UTC)
    assert document(web, token()).status_code == 200
    assert sim_state.calls["token_exchange"] == 2
    after = shop_row()
    assert after.id == shop.id and after.status == ShopStatus.INSTALLED and after.uninstalled_at is None
    assert q.fetch_job(f"sync-{shop.id}") is not None


def test_install_survives_a_queue_outage(app, simulator, sim_state):
    sim_state.add_shop(SimShop(domain=SHOP_A, shopify_id=1001, name="Shop A"))
    down = create_app(make_config(shopify_admin_base_url=simulator, redis_url="redis://127.0.0.1:1/0"))
    try:
        response = document(down.test_client(), token())
    finally:
        redis_handle.init(make_config().redis_url)  # the `app` fixture's teardown flushes the real one
    assert response.status_code == 200
    assert shop_row().status == ShopStatus.INSTALLED


def test_exchange_failure_answers_503_and_stores_nothing(web):
    response = document(web, token("unknown-shop.myshopify.com"), shop="unknown-shop.myshopify.com")
    assert response.status_code == 503
    assert shop_row("unknown-shop.myshopify.com") is None


def test_subject_token_rejected_by_shopify_asks_for_a_fresh_token(web, sim_state):
    sim_state.faults["oauth"] = ["invalid_subject_token", "invalid_subject_token"]
    response = fetch(web, token())
    assert response.status_code == 401 and response.headers[RETRY] == "1"
    response = document(web, token())
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/patch-id-token"
    assert shop_row() is None
    assert fetch(web, token()).status_code == 200  # the fresh token installs


# --- tenant isolation ------------------------------------------------------------------------------------------

def _seed(shop_id: int, n: int) -> None:
    with db.session(shop_id=shop_id) as s:
        for i in range(n):
            s.add(Order(shopify_id=i + 1, currency="EUR", total_price=Decimal("10")))
            s.add(Checkout(token=f"c{shop_id}-{i}", currency="EUR", total_price=Decimal("5")))
            s.add(Customer(shopify_id=i + 1))
            s.add(Location(shopify_id=i + 1, name=f"L{i}"))


def test_summary_counts_only_the_verified_shops_rows(web):
    fetch(web, token(SHOP_A))
    fetch(web, token(SHOP_B))
    _seed(shop_row(SHOP_A).id, 2)
    _seed(shop_row(SHOP_B).id, 5)
    a = fetch(web, token(SHOP_A), "/api/summary").json
    b = fetch(web, token(SHOP_B), "/api/summary").json
    assert a == {"shop": SHOP_A, "counts": {"orders": 2, "checkouts": 2, "customers": 2, "locations": 2}}
    assert b["counts"] == {"orders": 5, "checkouts": 5, "customers": 5, "locations": 5}


def test_shop_query_parameter_cannot_switch_tenants(web):
    fetch(web, token(SHOP_B))
    response = web.get(f"/api/summary?shop={SHOP_B}", headers={"Authorization": f"Bearer {token(SHOP_A)}"})
    assert response.json["shop"] == SHOP_A
