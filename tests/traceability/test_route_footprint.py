"""The passport's delivery footprint is the route to the shopper: their country when the storefront passes
it, the shop's own otherwise."""

from __future__ import annotations

from app.extensions import db
from app.supply import service as supply
from app.traceability.publish import shipping_kg
from tests.supply.test_service import NOW, build_store


def test_the_route_to_a_farther_country_weighs_more(app):
    supply.snapshots.clear()
    shop_id = build_store()
    with db.session(shop_id=shop_id) as s:
        home = shipping_kg(s, shop_id, 5, NOW)  # the shop's own country: France, from Paris
        same = shipping_kg(s, shop_id, 5, NOW, "FR")
        far = shipping_kg(s, shop_id, 5, NOW, "JP")
    assert home == same
    assert far is not None and home is not None and far > home
