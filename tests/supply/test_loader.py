"""The loader turns stored locations, profiles, lanes and stock into the engine's inputs."""

from datetime import UTC, date, datetime, timedelta

from app.extensions import db
from app.models import (
    IncomingStock,
    InventoryLevel,
    Location,
    Product,
    ShippingLane,
    Shop,
    StockReservation,
    Variant,
    WarehouseProfile,
)
from app.supply import geo
from app.supply.loader import load_inventory, load_supply
from app.supply.promise import promise
from app.supply.types import CartLine, Destination

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday


def _store():
    with db.session() as s:
        shop = Shop(domain="l.myshopify.com", currency="EUR")
        s.add(shop)
        s.flush()
        s.add_all([
            Location(shop_id=shop.id, shopify_id=11, name="Paris DC", city="Paris", country_code="FR",
                     latitude=48.85, longitude=2.35),
            Location(shop_id=shop.id, shopify_id=22, name="NJ", city="Newark", country_code="US",
                     province_code="NJ", latitude=40.73, longitude=-74.17),
            # No coordinates and an address nobody can place: left out, never guessed.
            Location(shop_id=shop.id, shopify_id=33, name="Nowhere", country_code=None),
        ])
        product = Product(shop_id=shop.id, shopify_id=5, title="Jacket")
        s.add(product)
        s.flush()
        s.add(Variant(shop_id=shop.id, shopify_id=501, product_id=product.id, inventory_item_id=9001))
        s.add_all([
            InventoryLevel(shop_id=shop.id, inventory_item_id=9001, location_id=11, available=3, updated_at=NOW),
            InventoryLevel(shop_id=shop.id, inventory_item_id=9001, location_id=22, available=10, updated_at=NOW),
            WarehouseProfile(shop_id=shop.id, location_shopify_id=22, public_name="our New Jersey warehouse",
                             handling_days=2, cutoff="12:30", is_default=True, safety_stock=1),
            ShippingLane(shop_id=shop.id, location_shopify_id=11, country="DE", service_level="standard",
                         min_days=2, max_days=3),
            StockReservation(shop_id=shop.id, location_shopify_id=11, variant_shopify_id=501, quantity=2,
                             reference="checkout:a", expires_at=NOW + timedelta(hours=2)),
            StockReservation(shop_id=shop.id, location_shopify_id=11, variant_shopify_id=501, quantity=5,
                             reference="checkout:old", expires_at=NOW - timedelta(hours=1)),
            IncomingStock(shop_id=shop.id, location_shopify_id=11, variant_shopify_id=501, quantity=20,
                          expected_on=date(2026, 12, 1)),
        ])
    return shop.id


def test_profiles_and_defaults_become_warehouses(app):
    shop_id = _store()
    with db.session(shop_id=shop_id) as s:
        supply = load_supply(s, shop_id)
    assert set(supply.warehouses) == {"11", "22"}
    assert supply.default_warehouse_id == "22"
    nj = supply.warehouses["22"]
    assert (nj.name, nj.handling.days, nj.cutoff.hour, nj.cutoff.minute, nj.safety_stock) == (
        "our New Jersey warehouse", 2, 12, 30, 1)
    assert nj.timezone == "America/New_York"
    assert supply.warehouses["11"].timezone == "Europe/Paris"


def test_free_stock_nets_live_reservations_and_keeps_restocks(app):
    shop_id = _store()
    with db.session(shop_id=shop_id) as s:
        inventory = load_inventory(s, shop_id, [501], NOW)
    # 3 available in Paris less 2 reserved by a live offer (the expired reservation no longer counts).
    assert inventory.free["501"] == {"11": 1, "22": 10}
    assert inventory.incoming["501"]["11"] == ((date(2026, 12, 1), 20),)


def test_a_promise_from_stored_data_prefers_the_nearer_warehouse(app):
    shop_id = _store()
    with db.session(shop_id=shop_id) as s:
        supply = load_supply(s, shop_id)
        inventory = load_inventory(s, shop_id, [501], NOW)
    place = geo.resolve(Destination(country="DE", city="Berlin"))
    result = promise(supply.network, inventory, [CartLine("501", 1)], place, NOW,
                     default_warehouse_id=supply.default_warehouse_id)
    assert result.best.warehouse_ids == ("11",)
    assert result.default.warehouse_ids == ("22",)
    assert result.best.latest < result.default.latest
