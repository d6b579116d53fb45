"""Membership admin: field errors by name, nothing saved on error, saves idempotent, a lowered threshold moves a
customer up once the recompute job runs, pins, search, hostile names inert."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer, Membership, MembershipSettings, SpendEntry
from tests.dashboard.conftest import SHOP, call, document
from worker.jobs.admin import recompute_membership

TIERS = [{"name": "Bronze", "threshold": "0"}, {"name": "Silver", "threshold": "500"},
         {"name": "Gold", "threshold": "2000", "over": True}]


def _customer(shop_id: int, cid: int, spend: int, name: str = "Ada") -> None:
    with db.session() as s:
        s.add(Customer(shop_id=shop_id, shopify_id=cid, email=f"c{cid}@example.com", first_name=name, last_name="L"))
        s.add(SpendEntry(shop_id=shop_id, kind="paid", source_id=cid * 10, order_shopify_id=cid * 10,
                         customer_shopify_id=cid, amount=Decimal(spend), currency="USD",
                         occurred_at=datetime.now(UTC) - timedelta(days=5)))


def _tier(cid: int) -> str | None:
    with db.session() as s:
        return s.scalar(select(Membership.tier).where(Membership.customer_shopify_id == cid))


def test_bad_fields_are_named_and_nothing_is_saved(admin):
    body = {"tiers": [{"name": "Bronze", "threshold": "0"}, {"name": "", "threshold": "lots"}], "grace_days": "-1"}
    response = call(admin, "PUT", "/api/membership/settings", body)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"tiers.1.name", "tiers.1.threshold", "grace_days"}
    zh = call(admin, "PUT", "/api/membership/settings", body, locale="zh-CN").get_json()["errors"]
    assert zh["grace_days"] == "请输入 0 到 365 之间的整数。"
    # A rule across fields: thresholds out of order, shown by the tier table.
    bad = call(admin, "PUT", "/api/membership/settings", {"tiers": [TIERS[0], {"name": "Gold", "threshold": "0"}]})
    assert bad.status_code == 422 and "tiers" in bad.get_json()["errors"]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(MembershipSettings)) == 0
    assert call(admin, "PUT", "/api/membership/settings", ["not", "an", "object"]).status_code == 400


def test_lowering_a_threshold_moves_a_customer_up_and_saving_twice_is_once(admin):
    shop_id = admin.shop_ids[SHOP]
    _customer(shop_id, 41, 800)
    recompute_membership(shop_id)
    assert _tier(41) == "Silver"
    lowered = [TIERS[0], TIERS[1], {"name": "Gold", "threshold": "700", "over": True}]
    for _ in range(2):
        response = call(admin, "PUT", "/api/membership/settings", {"tiers": lowered, "grace_days": "30"})
        assert response.status_code == 200, response.get_json()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(MembershipSettings)) == 1
    recompute_membership(shop_id)  # the job the save queued
    assert _tier(41) == "Gold"
    html = document(admin, "/membership", q="C41@example.com").text  # an email is found whole
    assert 'data-customer="41"' in html and ">Gold" in html


def test_pin_is_idempotent_and_refuses_unknown_tiers(admin):
    shop_id = admin.shop_ids[SHOP]
    _customer(shop_id, 42, 10, name="<img src=x onerror=alert(1)>")
    for _ in range(2):
        response = call(admin, "PUT", "/api/membership/customers/42/pin", {"tier": "Gold"})
        assert response.status_code == 200 and response.get_json()["pinned_tier"] == "Gold"
    assert _tier(42) == "Gold"
    assert call(admin, "PUT", "/api/membership/customers/42/pin", {"tier": "Platinum"}).status_code == 422
    assert call(admin, "PUT", "/api/membership/customers/999/pin", {"tier": "Gold"}).status_code == 404
    assert call(admin, "PUT", "/api/membership/customers/42/pin", {"tier": None}).get_json()["pinned_tier"] is None
    html = document(admin, "/membership", customer="42").text
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'data-testid="customer-detail"' in html


def test_perks_errors_name_the_tier_field(admin):
    response = call(admin, "PUT", "/api/membership/perks", {"tiers": {"Gold": {"handling_hours": "0"}}})
    assert response.status_code == 422
    assert "perks.Gold.handling_hours" in response.get_json()["errors"]
    ok = call(admin, "PUT", "/api/membership/perks",
              {"discounts_enabled": False, "tiers": {"Gold": {"handling_hours": "24", "priority": True}}})
    assert ok.status_code == 200
    assert call(admin, "PUT", "/api/membership/perks", {"tiers": {"Nope": {}}}).status_code == 422
