"""Offline tokens: refresh before expiry, one refresh across racing processes, re-auth, key rotation."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from app import create_app
from app.config import Config
from app.crypto import TokenCipher
from app.devshop.idtoken import mint_id_token
from app.devshop.state import SimShop
from app.extensions import db, redis_handle
from app.models import Shop, ShopStatus
from app.shopify.tokens import (
    ReauthorizationRequired,
    ShopNotInstalled,
    TokenRefreshFailed,
    offline_access_token,
    rotate_token_encryption,
)
from tests.conftest import API_KEY, API_SECRET, ENCRYPTION_KEY, make_config

SHOP = "token-shop.myshopify.com"


@pytest.fixture
def installed(app, simulator, sim_state):
    """(flask app, shop id): the shop installed through the app home, as Shopify would do it."""
    sim_state.add_shop(SimShop(domain=SHOP, shopify_id=2001, name="Token Shop"))
    flask_app = create_app(make_config(shopify_admin_base_url=simulator))
    query = urlencode({"shop": SHOP, "id_token": mint_id_token(API_KEY, API_SECRET, SHOP)})
    assert flask_app.test_client().get(f"/?{query}").status_code == 200
    with db.session() as s:
        shop_id = s.scalar(select(Shop.id).where(Shop.domain == SHOP))
    with flask_app.app_context():
        yield flask_app, shop_id


def stored(shop_id: int) -> Shop:
    with db.session() as s:
        return s.get(Shop, shop_id)


def expire_in(shop_id: int, seconds: float) -> None:
    with db.session() as s:
        s.execute(update(Shop).where(Shop.id == shop_id).values(
            access_token_expires_at=datetime.now(UTC) + timedelta(seconds=seconds)))


def plain(enc: str) -> str:
    return TokenCipher((ENCRYPTION_KEY,)).decrypt(enc)


def test_a_fresh_token_is_returned_without_calling_shopify(installed, sim_state):
    _, shop_id = installed
    token = offline_access_token(shop_id)
    assert token == plain(stored(shop_id).access_token_enc)
    assert sim_state.check_access_token(SHOP, token)
    assert "refresh" not in sim_state.calls


def test_a_token_expiring_within_60_s_is_refreshed_and_the_new_pair_stored(installed, sim_state):
    _, shop_id = installed
    before = stored(shop_id)
    expire_in(shop_id, 30)
    token = offline_access_token(shop_id)
    after = stored(shop_id)
    assert sim_state.calls["refresh"] == 1
    assert token != plain(before.access_token_enc)
    assert token == plain(after.access_token_enc)
    assert plain(after.refresh_token_enc) != plain(before.refresh_token_enc)
    assert token not in after.access_token_enc
    assert after.access_token_expires_at > datetime.now(UTC) + timedelta(minutes=59)
    assert sim_state.check_access_token(SHOP, token)
    # The new token is good for an hour: the next call does not refresh again.
    assert offline_access_token(shop_id) == token
    assert sim_state.calls["refresh"] == 1


def test_force_refresh_refreshes_a_valid_token(installed, sim_state):
    _, shop_id = installed
    old = offline_access_token(shop_id)
    assert offline_access_token(shop_id, force_refresh=True) != old
    assert sim_state.calls["refresh"] == 1


def _race(config: Config, shop_id: int, barrier, results) -> None:
    app = create_app(config)
    with app.app_context():
        barrier.wait(timeout=30)
        try:
            results.put(("ok", offline_access_token(shop_id)))
        except Exception as exc:  # reported to the parent, which fails the test with it
            results.put(("error", repr(exc)))


def test_two_processes_refreshing_at_once_make_one_refresh_and_agree(installed, sim_state, simulator):
    _, shop_id = installed
    expire_in(shop_id, 5)
    # A slow token endpoint widens the window in which the second process would race the first.
    sim_state.faults["oauth"] = [{"delay": 0.5}, {"delay": 0.5}]
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    config = make_config(shopify_admin_base_url=simulator)
    procs = [ctx.Process(target=_race, args=(config, shop_id, barrier, results)) for _ in range(2)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert [o[0] for o in outcomes] == ["ok", "ok"], outcomes
    assert outcomes[0][1] == outcomes[1][1]
    assert sim_state.calls["refresh"] == 1
    assert plain(stored(shop_id).access_token_enc) == outcomes[0][1]
    assert sim_state.check_access_token(SHOP, outcomes[0][1])


def test_rejected_refresh_token_marks_the_shop_for_reauthorisation(installed, sim_state):
    flask_app, shop_id = installed
    expire_in(shop_id, 10)
    sim_state.refresh_tokens.clear()  # Shopify revoked it
    with pytest.raises(ReauthorizationRequired):
        offline_access_token(shop_id)
    shop = stored(shop_id)
    assert shop.status == ShopStatus.NEEDS_REAUTH
    assert shop.status_reason == "Shopify refused the refresh token (invalid_grant)"
    assert datetime.now(UTC) - timedelta(minutes=1) < shop.status_changed_at <= datetime.now(UTC)
    # Later callers fail fast, without asking Shopify again.
    with pytest.raises(ReauthorizationRequired):
        offline_access_token(shop_id)
    assert sim_state.calls["refresh"] == 1
    # The merchant opens the app: a token exchange reconnects the shop, without a second first sync.
    query = urlencode({"shop": SHOP, "id_token": mint_id_token(API_KEY, API_SECRET, SHOP)})
    assert flask_app.test_client().get(f"/?{query}").status_code == 200
    assert stored(shop_id).status == ShopStatus.INSTALLED
    assert sim_state.check_access_token(SHOP, offline_access_token(shop_id))


def test_an_expired_refresh_token_needs_reauthorisation_without_a_request(installed, sim_state):
    _, shop_id = installed
    with db.session() as s:
        s.execute(update(Shop).where(Shop.id == shop_id).values(
            access_token_expires_at=datetime.now(UTC) - timedelta(minutes=5),
            refresh_token_expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    with pytest.raises(ReauthorizationRequired):
        offline_access_token(shop_id)
    assert "refresh" not in sim_state.calls
    assert stored(shop_id).status == ShopStatus.NEEDS_REAUTH


def test_shopify_outage_during_refresh_is_transient_and_keeps_the_old_pair(installed, sim_state):
    _, shop_id = installed
    expire_in(shop_id, 20)
    before = stored(shop_id)
    sim_state.faults["oauth"] = [503, 503, 503]
    with pytest.raises(TokenRefreshFailed):
        offline_access_token(shop_id)
    after = stored(shop_id)
    assert after.status == ShopStatus.INSTALLED
    assert after.access_token_enc == before.access_token_enc and after.refresh_token_enc == before.refresh_token_enc
    assert offline_access_token(shop_id) != plain(before.access_token_enc)  # recovers once Shopify answers


def test_refresh_without_redis_refuses_rather_than_racing(installed, sim_state):
    _, shop_id = installed
    expire_in(shop_id, 20)
    redis_handle.init("redis://127.0.0.1:1/0")
    try:
        with pytest.raises(TokenRefreshFailed, match="Redis"):
            offline_access_token(shop_id)
    finally:
        redis_handle.init(make_config().redis_url)
    assert "refresh" not in sim_state.calls


def test_uninstalled_or_unknown_shops_have_no_token(installed):
    _, shop_id = installed
    with pytest.raises(ShopNotInstalled):
        offline_access_token(shop_id + 1000)
    with db.session() as s:
        s.execute(update(Shop).where(Shop.id == shop_id).values(status=ShopStatus.UNINSTALLED))
    with pytest.raises(ShopNotInstalled):
        offline_access_token(shop_id)


def test_works_outside_a_request_with_an_explicit_config(app, installed):
    _, shop_id = installed
    assert offline_access_token(shop_id, config=make_config())


def test_key_rotation_keeps_tokens_readable_then_rewrites_them(installed):
    flask_app, shop_id = installed
    original = plain(stored(shop_id).access_token_enc)
    new_key = Fernet.generate_key().decode()
    rotated = make_config(encryption_keys=(new_key, ENCRYPTION_KEY))
    # Adding a key first: tokens written under the old key still decrypt.
    assert offline_access_token(shop_id, config=rotated) == original
    with db.session() as s:
        assert rotate_token_encryption(s, rotated) == 1
    shop = stored(shop_id)
    only_new = TokenCipher((new_key,))
    assert only_new.decrypt(shop.access_token_enc) == original
    assert only_new.decrypt(shop.refresh_token_enc)
    with pytest.raises(ValueError):
        TokenCipher((ENCRYPTION_KEY,)).decrypt(shop.access_token_enc)
    # After the old key is dropped the shop still works.
    assert offline_access_token(shop_id, config=make_config(encryption_keys=(new_key,))) == original


def test_dev_without_redis_serialises_in_process(installed, sim_state, simulator):
    _, shop_id = installed
    dev = create_app(make_config(redis_url=None, shopify_admin_base_url=simulator))
    try:
        with dev.app_context():
            first = offline_access_token(shop_id, force_refresh=True)
            # The lock was released: a second refresh does not wait for a timeout.
            second = offline_access_token(shop_id, force_refresh=True)
    finally:
        redis_handle.init(make_config().redis_url)
    assert first != second and sim_state.calls["refresh"] == 2
