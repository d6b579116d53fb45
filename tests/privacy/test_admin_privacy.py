"""Privacy in the admin: exports to download, the retention setting, and the access log of who saw whom."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from app import create_app
from app.devshop.idtoken import mint_id_token
from app.devshop.state import SimShop
from app.extensions import db
from app.models import Checkout, Customer, CustomerAccess, DataExport, PrivacySettings, RecoveryCase, Shop
from tests.conftest import API_KEY, API_SECRET, make_config

SHOP_A, SHOP_B = "shop-a.myshopify.com", "shop-b.myshopify.com"
NOW = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture
def web(app, simulator, sim_state):
    sim_state.add_shop(SimShop(domain=SHOP_A, shopify_id=1001, name="Shop A"))
    sim_state.add_shop(SimShop(domain=SHOP_B, shopify_id=1002, name="Shop B"))
    flask_app = create_app(make_config(shopify_admin_base_url=simulator))
    flask_app.config["TESTING"] = True
    client = flask_app.test_client()
    ids = {}
    for domain, cid in ((SHOP_A, 501), (SHOP_B, 502)):
        assert call(client, "GET", "/api/privacy/settings", shop=domain).status_code == 200  # installs the shop
        with db.session() as s:
            shop_id = s.scalar(select(Shop.id).where(Shop.domain == domain))
            s.add(Customer(shop_id=shop_id, shopify_id=cid, email=f"c{cid}@example.org", first_name="Ann"))
            s.add(DataExport(shop_id=shop_id, request_id=f"r{cid}", customer_shopify_id=cid, created_at=NOW,
                             payload={"customers": [{"email": f"c{cid}@example.org"}]}))
        ids[domain] = shop_id
    client.shop_ids = ids
    return client


def call(client, method, path, body=None, shop=SHOP_A, user="42"):
    headers = {"Authorization": f"Bearer {mint_id_token(API_KEY, API_SECRET, shop, user_id=user)}"}
    return client.open(path, method=method, json=body, headers=headers)


def page(client, path, shop=SHOP_A, user="42", **query):
    token = mint_id_token(API_KEY, API_SECRET, shop, user_id=user)
    return client.get(f"{path}?{urlencode({'embedded': '1', 'shop': shop, 'id_token': token, **query})}")


def log(shop_id: int) -> list[tuple]:
    with db.session() as s:
        return [(r.staff_user_id, r.view, r.customer_shopify_id, r.recovery_case_id)
                for r in s.scalars(select(CustomerAccess).where(CustomerAccess.shop_id == shop_id)
                                   .order_by(CustomerAccess.id))]


def test_viewing_members_and_recovery_cases_is_logged_with_the_staff_member(web):
    shop_a = web.shop_ids[SHOP_A]
    with db.session(shop_id=shop_a) as s:
        checkout = Checkout(shop_id=shop_a, token="t1", email="guest@example.org", currency="USD",
                            total_price=Decimal("10"))
        s.add(checkout)
        s.flush()
        s.add(RecoveryCase(shop_id=shop_a, checkout_id=checkout.id, status="abandoned", email="guest@example.org",
                           abandoned_at=NOW))
    assert page(web, "/membership", user="77").status_code == 200
    assert page(web, "/membership", user="77", customer="501").status_code == 200
    assert page(web, "/recovery", user="78").status_code == 200
    with db.session() as s:
        case_id = s.scalar(select(RecoveryCase.id))
    assert log(shop_a) == [("77", "membership.list", 501, None), ("77", "membership.list", 501, None),
                           ("77", "membership.customer", 501, None), ("78", "recovery.cases", None, case_id)]
    entries = call(web, "GET", "/api/privacy/access-log").json["entries"]
    assert [(e["staff_user_id"], e["view"]) for e in entries][0] == ("78", "recovery.cases")
    assert call(web, "GET", "/api/privacy/access-log", shop=SHOP_B).json["entries"] == []


def test_exports_are_listed_and_downloaded_per_shop_only(web):
    listed = call(web, "GET", "/api/privacy/exports").json["exports"]
    assert [e["request_id"] for e in listed] == ["r501"]
    own = call(web, "GET", f"/api/privacy/exports/{listed[0]['id']}.json", user="9")
    assert own.status_code == 200 and own.json == {"customers": [{"email": "c501@example.org"}]}
    assert own.headers["Content-Disposition"].startswith("attachment;")
    assert log(web.shop_ids[SHOP_A]) == [("9", "privacy.export", 501, None)]
    with db.session() as s:
        theirs = s.scalar(select(DataExport.id).where(DataExport.shop_id == web.shop_ids[SHOP_B]))
    refused = call(web, "GET", f"/api/privacy/exports/{theirs}.json")
    assert refused.status_code == 404 and "c502" not in refused.text


@pytest.mark.parametrize("body", [None, {}, {"retention_days": "30"}, {"retention_days": 3},
                                  {"retention_days": 10_000}, {"retention_days": True}])
def test_a_bad_retention_setting_is_refused_and_changes_nothing(web, body):
    response = call(web, "PUT", "/api/privacy/settings", body)
    assert response.status_code == 400 and response.json["error"]
    assert call(web, "GET", "/api/privacy/settings").json["retention_days"] == 90


def test_the_retention_setting_is_saved_for_the_calling_shop_only(web):
    assert call(web, "PUT", "/api/privacy/settings", {"retention_days": 30}).json == {"retention_days": 30}
    assert call(web, "PUT", "/api/privacy/settings", {"retention_days": 30}).status_code == 200  # twice: same
    assert call(web, "GET", "/api/privacy/settings", shop=SHOP_B).json["retention_days"] == 90
    with db.session() as s:
        assert [(r.shop_id, r.retention_days) for r in s.scalars(select(PrivacySettings))] == [
            (web.shop_ids[SHOP_A], 30)]
