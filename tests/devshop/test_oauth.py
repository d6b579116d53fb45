"""The simulator's OAuth token endpoint and App Bridge stand-in, spoken to over real HTTP."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from app import create_app
from app.devshop.idtoken import mint_id_token
from app.devshop.state import SimShop
from tests.conftest import API_KEY, API_SECRET, make_config

SHOP = "oauth-shop.myshopify.com"
EXCHANGE = {
    "client_id": API_KEY,
    "client_secret": API_SECRET,
    "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
    "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
    "requested_token_type": "urn:shopify:params:oauth:token-type:offline-access-token",
    "expiring": 1,
}


@pytest.fixture
def sim(simulator, sim_state):
    sim_state.add_shop(SimShop(domain=SHOP, shopify_id=3001, name="OAuth Shop"))
    with httpx.Client(base_url=simulator, timeout=10) as client:
        yield client


def exchange(sim, shop=SHOP, **changes):
    body = {**EXCHANGE, "subject_token": mint_id_token(API_KEY, API_SECRET, SHOP), **changes}
    return sim.post(f"/{shop}/admin/oauth/access_token", json=body)


def refresh(sim, refresh_token, shop=SHOP):
    return sim.post(f"/{shop}/admin/oauth/access_token", json={
        "client_id": API_KEY, "client_secret": API_SECRET, "grant_type": "refresh_token",
        "refresh_token": refresh_token})


def test_expiring_offline_exchange(sim, sim_state):
    response = exchange(sim)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "scope", "expires_in", "refresh_token", "refresh_token_expires_in"}
    assert body["expires_in"] == 3600
    assert body["refresh_token_expires_in"] == 30 * 24 * 3600
    assert body["scope"] == "read_products,read_orders"
    assert sim_state.check_access_token(SHOP, body["access_token"])
    assert sim_state.calls == {"token_exchange": 1}


def test_non_expiring_exchange_has_no_expiry_or_refresh_token(sim):
    body = exchange(sim, expiring=0).json()
    assert set(body) == {"access_token", "scope"}


def test_form_encoded_requests_work_too(sim):
    body = {**EXCHANGE, "subject_token": mint_id_token(API_KEY, API_SECRET, SHOP), "expiring": "1"}
    assert sim.post(f"/{SHOP}/admin/oauth/access_token", data=body).json()["expires_in"] == 3600


@pytest.mark.parametrize("changes", [
    {"client_secret": "wrong"}, {"client_id": "another-app"}, {"client_secret": None},
], ids=["wrong secret", "wrong client id", "missing secret"])
def test_bad_client_credentials_are_invalid_client(sim, sim_state, changes):
    response = exchange(sim, **changes)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not sim_state.access_tokens


@pytest.mark.parametrize("subject", [
    lambda: mint_id_token(API_KEY, "other-secret", SHOP),
    lambda: mint_id_token("another-app", API_SECRET, SHOP),
    lambda: mint_id_token(API_KEY, API_SECRET, SHOP, now=time.time() - 75),
    lambda: mint_id_token(API_KEY, API_SECRET, "someone-else.myshopify.com"),
    lambda: "not-a-jwt",
], ids=["signature", "audience", "expired", "other shop", "garbage"])
def test_bad_subject_tokens_are_invalid_subject_token(sim, sim_state, subject):
    response = exchange(sim, subject_token=subject())
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_subject_token"
    assert "error_description" in response.json()
    assert not sim_state.access_tokens


def test_unknown_shop_is_404(sim):
    assert exchange(sim, shop="nobody.myshopify.com").status_code == 404


def test_unknown_grant_type_is_refused(sim):
    response = exchange(sim, grant_type="authorization_code")
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_refresh_rotates_the_pair(sim, sim_state):
    first = exchange(sim).json()
    response = refresh(sim, first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["expires_in"] == 3600
    assert sim_state.calls["refresh"] == 1


def test_previous_refresh_token_stays_valid_until_the_replacement_is_used(sim, sim_state):
    first = exchange(sim).json()
    second = refresh(sim, first["refresh_token"]).json()
    # The refresh answer was "lost": the app retries with the previous refresh token, and that works.
    third = refresh(sim, first["refresh_token"])
    assert third.status_code == 200
    # Once the app uses a replacement, the previous refresh token is retired.
    assert sim_state.check_access_token(SHOP, third.json()["access_token"])
    retired = refresh(sim, first["refresh_token"])
    assert retired.status_code == 400 and retired.json()["error"] == "invalid_grant"
    assert second["refresh_token"] != third.json()["refresh_token"]


def test_using_the_new_refresh_token_retires_the_old_one(sim):
    first = exchange(sim).json()
    second = refresh(sim, first["refresh_token"]).json()
    assert refresh(sim, second["refresh_token"]).status_code == 200
    assert refresh(sim, first["refresh_token"]).json()["error"] == "invalid_grant"


def test_unknown_or_other_shops_refresh_token_is_invalid_grant(sim, sim_state):
    sim_state.add_shop(SimShop(domain="other.myshopify.com", shopify_id=3002, name="Other"))
    first = exchange(sim).json()
    assert refresh(sim, "shprt_made_up").json()["error"] == "invalid_grant"
    response = refresh(sim, first["refresh_token"], shop="other.myshopify.com")
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


def test_faults_can_be_injected(sim, sim_state):
    sim_state.faults["oauth"] = [503, "invalid_subject_token"]
    assert exchange(sim).status_code == 503
    assert exchange(sim).json()["error"] == "invalid_subject_token"
    assert exchange(sim).status_code == 200


def test_app_bridge_stand_in_mints_a_verifiable_id_token(sim):
    response = sim.get("/app-bridge/id-token", params={"shop": SHOP})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    claims = jwt.decode(response.json()["id_token"], API_SECRET, algorithms=["HS256"], audience=API_KEY)
    assert claims["dest"] == f"https://{SHOP}" and claims["iss"] == f"https://{SHOP}/admin"
    assert claims["exp"] - claims["nbf"] == 60
    assert {"sub", "jti", "sid", "iat"} <= set(claims)


@pytest.mark.parametrize("shop", ["nobody.myshopify.com", "evil.example.com", ""])
def test_app_bridge_stand_in_refuses_unknown_shops(sim, shop):
    assert sim.get("/app-bridge/id-token", params={"shop": shop}).status_code == 404


def test_the_app_itself_has_no_id_token_endpoint(migrated_database, redis_url):
    prod = create_app(make_config(env="production")).test_client()
    for path in ("/app-bridge/id-token", "/_devshop/app-bridge/id-token"):
        assert prod.get(f"{path}?shop={SHOP}").status_code == 404
