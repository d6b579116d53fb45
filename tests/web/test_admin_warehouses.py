"""The Warehouses page and its JSON API: field-by-field validation, idempotent saves, shop isolation,
escaped output, and the settings version bump that invalidates cached promises."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app import create_app
from app.devshop.idtoken import mint_id_token
from app.devshop.state import SimShop
from app.extensions import db
from app.models import (
    IncomingStock,
    Location,
    Product,
    ShippingLane,
    Shop,
    SupplySettings,
    Variant,
    WarehouseProfile,
)
from app.supply import versions
from tests.conftest import API_KEY, API_SECRET, make_config

SHOP_A = "shop-a.myshopify.com"
SHOP_B = "shop-b.myshopify.com"
GOOD = {"public_name": "Paris", "timezone": "Europe/Paris", "latitude": "48.85", "longitude": "2.35",
        "handling_days": "1", "handling_hours": "4", "cutoff": "15:30", "working_weekdays": [0, 1, 2, 3, 4, 5],
        "holiday_country": "fr", "holiday_subdivision": "", "safety_stock": "2", "ships_cross_border": True,
        "is_default": False, "enabled": True, "tier_handling": {"Gold": {"days": "0", "hours": "4"}}}
LANE = {"country": "us", "region": "", "service_level": "express", "min_days": "2", "max_days": "4",
        "price": "19.90", "currency": "usd", "mode": "air"}


@pytest.fixture
def web(app, simulator, sim_state):
    sim_state.add_shop(SimShop(domain=SHOP_A, shopify_id=1001, name="Shop A"))
    sim_state.add_shop(SimShop(domain=SHOP_B, shopify_id=1002, name="Shop B"))
    flask_app = create_app(make_config(shopify_admin_base_url=simulator))
    flask_app.config["TESTING"] = True
    client = flask_app.test_client()
    ids = {}
    for domain, loc_id, name in ((SHOP_A, 11, "Paris <b>DC</b>"), (SHOP_B, 22, "Shop B depot")):
        assert call(client, "GET", "/api/warehouses", shop=domain).status_code == 200  # installs the shop
        with db.session() as s:
            shop_id = s.scalar(select(Shop.id).where(Shop.domain == domain))
            s.add(Location(shop_id=shop_id, shopify_id=loc_id, name=name, city="Paris", country_code="FR",
                           latitude=48.8, longitude=2.3))
            product = Product(shop_id=shop_id, shopify_id=loc_id * 10, title="Tee")
            s.add(product)
            s.flush()
            s.add(Variant(shop_id=shop_id, shopify_id=loc_id * 100, product_id=product.id, sku=f"TEE-{loc_id}"))
        ids[domain] = shop_id
    client.shop_ids = ids
    return client


def call(client, method, path, body=None, shop=SHOP_A, raw=None):
    headers = {"Authorization": f"Bearer {mint_id_token(API_KEY, API_SECRET, shop)}"}
    if raw is not None:
        return client.open(path, method=method, data=raw, headers={**headers, "Content-Type": "application/json"})
    return client.open(path, method=method, json=body, headers=headers)


def page(client, shop=SHOP_A):
    query = urlencode({"embedded": "1", "shop": shop, "id_token": mint_id_token(API_KEY, API_SECRET, shop)})
    return client.get(f"/warehouses?{query}")


def count(model) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_the_page_lists_each_warehouse_with_its_profile_and_a_nav(web):
    response = page(web)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == f"frame-ancestors https://{SHOP_A} https://admin.shopify.com;"
    html = response.text
    assert 'data-testid="warehouse-11"' in html and "warehouse-22" not in html
    assert 'name="cutoff" value="14:00"' in html
    assert 'aria-current="page">Warehouses</a>' in html
    # The nav keeps Shopify's query but never the short-lived id token.
    assert "/?embedded=1&amp;shop=shop-a.myshopify.com" in html and "id_token=" not in html.split("</nav>")[0]


def test_a_valid_profile_is_saved_normalised_and_bumps_the_settings_version(web):
    before = versions.current(web.shop_ids[SHOP_A])[0]
    response = call(web, "PUT", "/api/warehouses/11", GOOD)
    assert response.status_code == 200, response.json
    with db.session() as s:
        p = s.scalar(select(WarehouseProfile))
        assert (p.timezone, p.cutoff, p.holiday_country, p.latitude, p.handling_hours, p.tier_handling,
                p.working_weekdays) == ("Europe/Paris", "15:30", "FR", 48.85, 4, {"gold": {"days": 0, "hours": 4}},
                                        [0, 1, 2, 3, 4, 5])
    assert versions.current(web.shop_ids[SHOP_A])[0] == before + 1


def test_saving_the_same_profile_twice_leaves_one_row_with_the_same_values(web):
    first = call(web, "PUT", "/api/warehouses/11", GOOD).json
    second = call(web, "PUT", "/api/warehouses/11", GOOD).json
    assert first == second
    assert count(WarehouseProfile) == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("timezone", "Mars/Olympus", "IANA time zone"),
    ("timezone", "europe/paris", "IANA time zone"),
    ("cutoff", "25:00", "HH:MM"),
    ("cutoff", "9:00", "HH:MM"),
    ("latitude", "91", "between -90 and 90"),
    ("longitude", "-180.5", "between -180 and 180"),
    ("latitude", "NaN", "between -90 and 90"),
    ("working_weekdays", [0, 7], "at least one working day"),
    ("working_weekdays", [], "at least one working day"),
    ("holiday_country", "XX", "ISO country code"),
    ("holiday_country", "FRA", "at most 2"),
    ("handling_days", "-1", "between 0 and 365"),
    ("handling_hours", "1.5", "whole number"),
    ("safety_stock", True, "whole number"),
    ("public_name", "x" * 256, "at most 255"),
    ("tier_handling", {"Gold Club!": {"days": 0}}, "not a tier name"),
    ("tier_handling", {"gold": {"days": -2}}, "gold: Must be between 0 and 365"),
    ("enabled", "yes", "true or false"),
])
def test_each_invalid_profile_field_gets_its_own_message_and_nothing_is_saved(web, field, value, message):
    response = call(web, "PUT", "/api/warehouses/11", {**GOOD, field: value})
    assert response.status_code == 422
    assert list(response.json["errors"]) == [field]
    assert message in response.json["errors"][field]
    assert count(WarehouseProfile) == 0


def test_half_a_coordinate_and_a_region_without_country_are_refused(web):
    errors = call(web, "PUT", "/api/warehouses/11", {**GOOD, "longitude": "", "holiday_country": "",
                                                     "holiday_subdivision": "CA"}).json["errors"]
    assert errors == {"longitude": "Give both latitude and longitude.",
                      "holiday_subdivision": "Choose the holiday country first."}


def test_a_body_that_is_not_a_json_object_is_refused(web):
    for raw in ("not json", "[1, 2]"):
        response = call(web, "PUT", "/api/warehouses/11", raw=raw)
        assert (response.status_code, response.json["errors"]) == (422, {"_": "Send a JSON object."})


def test_choosing_a_default_location_unchooses_the_previous_one(web):
    with db.session() as s:
        s.add(Location(shop_id=web.shop_ids[SHOP_A], shopify_id=12, name="Lyon", country_code="FR"))
    call(web, "PUT", "/api/warehouses/11", {**GOOD, "is_default": True})
    call(web, "PUT", "/api/warehouses/12", {**GOOD, "is_default": True})
    with db.session() as s:
        rows = s.execute(select(WarehouseProfile.location_shopify_id, WarehouseProfile.is_default))
        assert {loc: default for loc, default in rows} == {11: False, 12: True}


def test_lanes_are_added_idempotently_edited_and_deleted(web):
    first = call(web, "PUT", "/api/warehouses/11/lanes", LANE)
    again = call(web, "PUT", "/api/warehouses/11/lanes", {**LANE, "price": "21"})
    assert first.status_code == again.status_code == 200
    assert count(ShippingLane) == 1
    lane = again.json["lane"]
    assert (lane["country"], lane["currency"], lane["price"], lane["service_level"]) == ("US", "USD", "21", "express")
    edited = call(web, "PUT", f"/api/warehouses/11/lanes/{lane['id']}", {**LANE, "max_days": "6"})
    assert edited.json["lane"]["max_days"] == 6
    call(web, "PUT", "/api/warehouses/11/lanes", {**LANE, "service_level": "standard"})
    clash = call(web, "PUT", f"/api/warehouses/11/lanes/{lane['id']}", {**LANE, "service_level": "standard"})
    assert clash.status_code == 422 and "already has a lane" in clash.json["errors"]["service_level"]
    assert call(web, "DELETE", f"/api/warehouses/11/lanes/{lane['id']}").json == {"deleted": True}
    assert call(web, "DELETE", f"/api/warehouses/11/lanes/{lane['id']}").json == {"deleted": False}
    assert count(ShippingLane) == 1


@pytest.mark.parametrize(("changes", "errors"), [
    ({"min_days": "5", "max_days": "3"}, {"max_days": "Must be at least the minimum."}),
    ({"price": "-1"}, {"price": "Must be an amount of 0 or more."}),
    ({"currency": ""}, {"currency": "Give the price's currency, such as EUR."}),
    ({"currency": "ZZZ"}, {"currency": "Use a three-letter ISO currency code, such as EUR."}),
    ({"country": ""}, {"country": "Required."}),
    ({"service_level": "overnight"}, {"service_level": "Choose one of: economy, express, standard."}),
    ({"mode": "teleport"}, {"mode": "Choose one of: air, rail, road, sea."}),
    ({"region": "<b>"}, {"region": "Use a region code of up to 8 letters or digits, such as CA."}),
])
def test_invalid_lanes_are_refused_field_by_field(web, changes, errors):
    response = call(web, "PUT", "/api/warehouses/11/lanes", {**LANE, **changes})
    assert (response.status_code, response.json["errors"]) == (422, errors)
    assert count(ShippingLane) == 0


def test_incoming_stock_is_set_per_variant_and_date_and_can_be_deleted(web):
    when = (datetime.now(UTC).date() + timedelta(days=10)).isoformat()
    body = {"variant": "TEE-11", "quantity": "20", "expected_on": when, "note": "container"}
    row = call(web, "PUT", "/api/warehouses/11/incoming", body).json["incoming"]
    call(web, "PUT", "/api/warehouses/11/incoming", {**body, "variant": "1100", "quantity": "25"})
    with db.session() as s:
        assert s.execute(select(IncomingStock.variant_shopify_id, IncomingStock.quantity)).all() == [(1100, 25)]
    assert call(web, "DELETE", f"/api/warehouses/11/incoming/{row['id']}").json == {"deleted": True}
    assert count(IncomingStock) == 0


def test_incoming_stock_needs_a_known_variant_and_a_future_date(web):
    past = (datetime.now(UTC).date() - timedelta(days=3)).isoformat()
    errors = call(web, "PUT", "/api/warehouses/11/incoming",
                  {"variant": "TEE-11", "quantity": "0", "expected_on": past}).json["errors"]
    assert errors == {"quantity": "Must be between 1 and 1000000.", "expected_on": "Must be today or later."}
    # Shop B's variant is not a variant of shop A.
    errors = call(web, "PUT", "/api/warehouses/11/incoming",
                  {"variant": "TEE-22", "quantity": "1", "expected_on": "2999-01-01"}).json["errors"]
    assert errors == {"variant": "No product variant with that id or SKU in this store."}


def test_another_shops_token_cannot_touch_this_shops_warehouse(web):
    call(web, "PUT", "/api/warehouses/11", GOOD)
    lane_id = call(web, "PUT", "/api/warehouses/11/lanes", LANE).json["lane"]["id"]
    hostile = {**GOOD, "public_name": "hijacked"}
    assert call(web, "PUT", "/api/warehouses/11", hostile, shop=SHOP_B).status_code == 404
    assert call(web, "PUT", f"/api/warehouses/11/lanes/{lane_id}", LANE, shop=SHOP_B).status_code == 404
    assert call(web, "DELETE", f"/api/warehouses/11/lanes/{lane_id}", shop=SHOP_B).json == {"deleted": False}
    with db.session() as s:
        assert s.scalars(select(WarehouseProfile.public_name)).all() == ["Paris"]
        assert s.scalar(select(func.count()).select_from(ShippingLane)) == 1
    (theirs,) = call(web, "GET", "/api/warehouses", shop=SHOP_B).json["warehouses"]
    assert (theirs["location_id"], theirs["profile"]["public_name"], theirs["lanes"]) == (22, None, [])


def test_without_a_valid_token_nothing_is_saved(web):
    response = web.put("/api/warehouses/11", json=GOOD, headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401
    assert count(WarehouseProfile) == 0


def test_what_merchants_and_shopify_typed_is_escaped_on_the_page(web):
    xss = '<script>alert("x")</script>'
    assert call(web, "PUT", "/api/warehouses/11", {**GOOD, "public_name": xss}).status_code == 200
    call(web, "PUT", "/api/warehouses/11/incoming",
         {"variant": "TEE-11", "quantity": "1", "expected_on": "2999-01-01", "note": '"><img src=x onerror=alert(1)>'})
    html = page(web).text
    assert xss not in html and "<img src=x" not in html and "<b>DC</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Paris &lt;b&gt;DC&lt;/b&gt;" in html


def test_routing_settings_are_validated_and_saved_once_per_shop(web):
    bad = call(web, "PUT", "/api/supply-settings", {"routing_enabled": True, "routing_min_gain_days": "-1",
                                                     "routing_always_for_tiers": "gold, <b>"})
    assert set(bad.json["errors"]) == {"routing_min_gain_days", "routing_always_for_tiers"}
    body = {"routing_enabled": True, "routing_min_gain_days": "3", "routing_always_for_tiers": "Gold, platinum",
            "routing_service_level": "express"}
    for _ in range(2):
        saved = call(web, "PUT", "/api/supply-settings", body)
    assert saved.json["settings"] == {"routing_enabled": True, "routing_min_gain_days": 3,
                                      "routing_always_for_tiers": ["gold", "platinum"],
                                      "routing_service_level": "express"}
    with db.session() as s:
        assert s.scalars(select(SupplySettings.shop_id)).all() == [web.shop_ids[SHOP_A]]
    assert call(web, "GET", "/api/warehouses", shop=SHOP_B).json["settings"]["routing_enabled"] is False


def test_two_lanes_without_a_region_cannot_both_be_stored(app):
    # The API checks for a duplicate itself; this is the database's guarantee behind it, for two saves at once.
    from sqlalchemy.exc import IntegrityError

    from app.models import ShippingLane
    from tests.store.factories import make_shop

    shop_id = make_shop(domain="lanes.myshopify.com")
    lane = {"shop_id": shop_id, "location_shopify_id": 11, "country": "DE", "region": None,
            "service_level": "standard", "min_days": 2, "max_days": 4}
    with db.session(shop_id=shop_id) as s:
        s.add(ShippingLane(**lane))
    with pytest.raises(IntegrityError), db.session(shop_id=shop_id) as s:
        s.add(ShippingLane(**{**lane, "min_days": 1}))
        s.flush()
