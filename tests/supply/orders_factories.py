"""A small store for order, fulfillment, reservation and re-quote tests, and webhooks built from the samples.

Three locations: Newark (the store default), Reno and Paris. Shoppers in Los Angeles are nearer to Reno, so the
best option and the default option differ there; shoppers in New Jersey get the default as the best.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from app.devshop.sender import build_payload, deliver
from app.extensions import db
from app.models import (
    InventoryItem,
    InventoryLevel,
    Location,
    Product,
    ShippingLane,
    SupplySettings,
    Variant,
    WarehouseProfile,
)
from tests.conftest import API_SECRET
from tests.store.factories import SHOP, make_shop, run_worker
from tests.support.servers import serve

NEWARK, RENO, PARIS = 11, 33, 22
V1, V2, V3 = 501, 502, 503
ITEM = {V1: 9001, V2: 9002, V3: 9003}
PLACED = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # Tuesday, 09:00 in Newark, before every cutoff
LA = {"address1": "1 Main St", "city": "Los Angeles", "province_code": "CA", "country_code": "US", "zip": "90012"}
NJ = {"address1": "2 Broad St", "city": "Newark", "province_code": "NJ", "country_code": "US", "zip": "07102"}

_LOCATIONS = {
    NEWARK: ("Newark NJ", "Newark", "NJ", "US", 40.73, -74.17),
    RENO: ("Reno NV", "Reno", "NV", "US", 39.53, -119.81),
    PARIS: ("Paris", "Paris", None, "FR", 48.85, 2.35),
}


def build_store(stock: dict[tuple[int, int], int] | None = None, *, routing: bool | None = None,
                lanes: list[dict] | None = None, safety: dict[int, int] | None = None) -> int:
    """The shop's id. `stock` maps (variant, location) to available units."""
    stock = {(V1, NEWARK): 5, (V1, RENO): 5, (V1, PARIS): 5, (V2, NEWARK): 5} if stock is None else stock
    shop_id = make_shop()
    with db.session() as s:
        for shopify_id, (name, city, province, country, lat, lng) in _LOCATIONS.items():
            s.add(Location(shop_id=shop_id, shopify_id=shopify_id, name=name, city=city, province_code=province,
                           country_code=country, latitude=lat, longitude=lng))
            s.add(WarehouseProfile(shop_id=shop_id, location_shopify_id=shopify_id, is_default=shopify_id == NEWARK,
                                   safety_stock=(safety or {}).get(shopify_id, 0)))
        product = Product(shop_id=shop_id, shopify_id=5, title="Jacket")
        s.add(product)
        s.flush()
        for variant, item in ITEM.items():
            s.add(Variant(shop_id=shop_id, shopify_id=variant, product_id=product.id, inventory_item_id=item))
            s.add(InventoryItem(shop_id=shop_id, shopify_id=item, weight_grams=800))
        for (variant, location), units in stock.items():
            s.add(InventoryLevel(shop_id=shop_id, inventory_item_id=ITEM[variant], location_id=location,
                                 available=units, updated_at=PLACED))
        for lane in lanes or []:
            s.add(ShippingLane(shop_id=shop_id, **lane))
        if routing is not None:
            s.add(SupplySettings(shop_id=shop_id, routing_enabled=routing))
    return shop_id


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def order_payload(order_id: int, lines=((V1, 1),), *, address=LA, placed: datetime = PLACED,
                  shipping: str | None = "Standard Shipping", customer_id: int | None = None, tags: str = "",
                  **overrides) -> dict:
    line_items = [{
        "id": order_id * 10 + n, "admin_graphql_api_id": f"gid://shopify/LineItem/{order_id * 10 + n}",
        "variant_id": variant, "product_id": 5, "title": "Jacket", "quantity": quantity, "price": "50.00",
        "price_set": {"shop_money": {"amount": "50.00", "currency_code": "USD"},
                      "presentment_money": {"amount": "50.00", "currency_code": "USD"}},
    } for n, (variant, quantity) in enumerate(lines)]
    customer = None if customer_id is None else {
        "id": customer_id, "admin_graphql_api_id": f"gid://shopify/Customer/{customer_id}",
        "email": f"c{customer_id}@example.com", "tags": tags, "state": "enabled"}
    values = {
        "id": order_id, "admin_graphql_api_id": f"gid://shopify/Order/{order_id}", "name": f"#{order_id}",
        "cancelled_at": None, "cancel_reason": None, "closed_at": None, "fulfillment_status": None,
        "processed_at": iso(placed), "created_at": iso(placed), "updated_at": iso(placed),
        "checkout_token": None, "shipping_address": address, "line_items": line_items, "customer": customer,
        "refunds": [], "fulfillments": [],
        "shipping_lines": [] if shipping is None else [{"id": 1, "title": shipping, "code": shipping,
                                                        "price": "10.00", "is_removed": False}],
    }
    values.update(overrides)
    return build_payload("orders/create", shop_domain=SHOP, **values)


def fulfillment_payload(fulfillment_id: int, order_id: int, *, location: int = RENO, shipped: datetime,
                        updated: datetime | None = None, shipment_status: str | None = None,
                        status: str = "success", **overrides) -> dict:
    values = {
        "id": fulfillment_id, "admin_graphql_api_id": f"gid://shopify/Fulfillment/{fulfillment_id}",
        "order_id": order_id, "location_id": location, "status": status, "shipment_status": shipment_status,
        "created_at": iso(shipped), "updated_at": iso(updated or shipped),
    }
    values.update(overrides)
    return build_payload("fulfillments/update", shop_domain=SHOP, **values)


def poster(app) -> Iterator:
    """For a `post` fixture: a function delivering a signed webhook over real HTTP to the app's intake
    (then draining the queue with a real worker unless `run=False`)."""
    sent = {"n": 0}
    with serve(app) as url:
        def send(topic: str, payload: dict, *, run: bool = True, webhook_id: str | None = None):
            sent["n"] += 1
            response = deliver(f"{url}/webhooks", topic, SHOP, payload, API_SECRET,
                               webhook_id=webhook_id or f"s2-{sent['n']}")
            assert response.status_code == 200, response.text
            if run:
                run_worker()
            return response
        yield send
