"""Cart webhooks are demand signals only: units carted and dropped per day, variant and region, never a case;
read back through the admin JSON API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.devshop.idtoken import mint_id_token
from app.devshop.sender import build_payload
from app.devshop.state import SimShop
from app.extensions import db
from app.models.checkout import CartDemandDaily
from app.recovery import demand
from tests.conftest import API_KEY, API_SECRET
from tests.recovery.conftest import checkout_payload
from tests.recovery.test_flow import cases
from tests.store.factories import SHOP
from tests.supply.orders_factories import V1, V2, iso

DAY = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


def cart(token: str, lines: dict[int, int], at: datetime) -> dict:
    money = {"amount": "50.00", "currency_code": "USD"}
    items = [{"id": v, "variant_id": v, "product_id": 5, "quantity": q, "price": "50.00", "title": "Jacket",
              "key": f"{v}:x", "sku": None, "price_set": {"shop_money": money, "presentment_money": money}}
             for v, q in lines.items()]
    return build_payload("carts/update", shop_domain=SHOP, id=token, token=token, line_items=items,
                         created_at=iso(DAY), updated_at=iso(at))


def rows(store: int) -> dict[tuple, tuple[int, int]]:
    with db.session(shop_id=store) as s:
        return {(r.day.isoformat(), r.variant_id, r.region): (r.carted, r.dropped)
                for r in s.scalars(select(CartDemandDaily))}


def test_the_pure_rule_counts_what_was_added_and_taken_out():
    assert demand.changes({1: 2, 2: 1}, {1: 3, 3: 1}) == {1: (1, 0), 2: (0, 1), 3: (1, 0)}
    assert demand.changes({1: 2}, {1: 2}) == {}
    assert demand.quantities([(1, 2), (None, 5), (1, 1), (2, 0)]) == {1: 3}
    assert demand.region_of({"country_code": "fr"}) == "FR"
    assert demand.region_of({"country_code": "<b>"}) == demand.region_of(None) == "ZZ"


def test_carts_count_carted_and_dropped_units_once_each(app, store, post):
    post("carts/create", cart("c-1", {V1: 2}, DAY))
    post("carts/update", cart("c-1", {V1: 1, V2: 3}, DAY + timedelta(minutes=5)))
    # A repeated delivery and an update older than the one we hold count nothing.
    post("carts/update", cart("c-1", {V1: 1, V2: 3}, DAY + timedelta(minutes=5)))
    post("carts/update", cart("c-1", {V1: 9}, DAY + timedelta(minutes=1)))
    assert rows(store) == {("2026-03-03", V1, "ZZ"): (2, 1), ("2026-03-03", V2, "ZZ"): (3, 0)}
    # Carts have no contact details: never a recovery case.
    assert cases(store) == []


def test_the_region_comes_from_the_checkout_that_carries_the_cart(app, store, post):
    # checkout_payload's cart token is "cart-<token>", its address Los Angeles.
    post("checkouts/create", checkout_payload("rg", updated=DAY))
    post("carts/update", cart("cart-rg", {V1: 1}, DAY + timedelta(days=1)))
    post("carts/update", cart("cart-rg", {}, DAY + timedelta(days=1, hours=1)))
    assert rows(store) == {("2026-03-04", V1, "US"): (1, 1)}


def test_a_malformed_cart_is_refused_and_records_nothing(app, store, post):
    from app.models import WebhookEvent

    post("carts/update", {"line_items": "not a list", "updated_at": iso(DAY)})
    assert rows(store) == {}
    with db.session() as s:
        (event,) = s.scalars(select(WebhookEvent))
        assert event.status == "failed" and event.error


def test_the_demand_api_reads_the_days_asked_for(app, client, store, post, simulator, sim_state):
    sim_state.add_shop(SimShop(domain=SHOP, shopify_id=1001, name="Acme"))
    today = datetime.now(UTC).replace(microsecond=0)
    post("carts/update", cart("api-1", {V1: 2, V2: 1}, today))
    post("carts/update", cart("api-1", {V1: 1}, today + timedelta(seconds=5)))
    post("carts/update", cart("api-old", {V2: 4}, today - timedelta(days=40)))
    headers = {"Authorization": f"Bearer {mint_id_token(API_KEY, API_SECRET, SHOP)}"}
    body = client.get("/api/recovery/demand?days=30", headers=headers).json
    assert body["days"] == 30
    assert body["variants"] == [
        {"variant_id": V1, "region": "ZZ", "carted": 2, "dropped": 1, "title": "Jacket"},
        {"variant_id": V2, "region": "ZZ", "carted": 1, "dropped": 1, "title": "Jacket"}]
    assert body["daily"] == [{"day": today.date().isoformat(), "carted": 3, "dropped": 2}]
    assert len(client.get("/api/recovery/demand?days=60", headers=headers).json["variants"]) == 2
    assert client.get("/api/recovery/demand?days=0", headers=headers).status_code == 400
    assert client.get("/api/recovery/demand?days=x", headers=headers).status_code == 400
