"""The one-statement stock read gives exactly what the ORM loader and the weight lookup give."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import and_, select

from app.extensions import db
from app.models import (
    IncomingStock,
    InventoryItem,
    InventoryLevel,
    Product,
    Shop,
    StockReservation,
    Variant,
)
from app.supply.loader import load_inventory
from app.supply.stock_sql import load_stock

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _shop(domain: str, *, units: int) -> int:
    """Variants 501 (two locations, live and expired holds, restocks past and future), 502 (no weight row),
    503 (no inventory item), 504 (its product was deleted) and 505 (stock only as a restock)."""
    with db.session() as s:
        shop = Shop(domain=domain, currency="EUR")
        s.add(shop)
        s.flush()
        sid = shop.id
        live, gone = Product(shop_id=sid, shopify_id=5, title="Jacket"), Product(
            shop_id=sid, shopify_id=6, title="Old", deleted=True)
        s.add_all([live, gone])
        s.flush()
        s.add_all([
            Variant(shop_id=sid, shopify_id=501, product_id=live.id, inventory_item_id=9001),
            Variant(shop_id=sid, shopify_id=502, product_id=live.id, inventory_item_id=9002),
            Variant(shop_id=sid, shopify_id=503, product_id=live.id, inventory_item_id=None),
            Variant(shop_id=sid, shopify_id=504, product_id=gone.id, inventory_item_id=9004),
            Variant(shop_id=sid, shopify_id=505, product_id=live.id, inventory_item_id=9005),
            InventoryItem(shop_id=sid, shopify_id=9001, weight_grams=800),
            InventoryItem(shop_id=sid, shopify_id=9004, weight_grams=100),
            InventoryItem(shop_id=sid, shopify_id=9005, weight_grams=None),
            InventoryLevel(shop_id=sid, inventory_item_id=9001, location_id=11, available=units, updated_at=NOW),
            InventoryLevel(shop_id=sid, inventory_item_id=9001, location_id=22, available=10, updated_at=NOW),
            InventoryLevel(shop_id=sid, inventory_item_id=9002, location_id=11, available=-2, updated_at=NOW),
            InventoryLevel(shop_id=sid, inventory_item_id=9004, location_id=11, available=4, updated_at=NOW),
            StockReservation(shop_id=sid, location_shopify_id=11, variant_shopify_id=501, quantity=2,
                             reference="checkout:a", expires_at=NOW + timedelta(hours=2)),
            StockReservation(shop_id=sid, location_shopify_id=11, variant_shopify_id=501, quantity=1,
                             reference="checkout:b", expires_at=NOW + timedelta(minutes=5)),
            StockReservation(shop_id=sid, location_shopify_id=22, variant_shopify_id=501, quantity=5,
                             reference="checkout:old", expires_at=NOW - timedelta(seconds=1)),
            # A hold at a location with no stock row changes nothing, as in the loader.
            StockReservation(shop_id=sid, location_shopify_id=33, variant_shopify_id=501, quantity=1,
                             reference="checkout:c", expires_at=NOW + timedelta(hours=1)),
            IncomingStock(shop_id=sid, location_shopify_id=11, variant_shopify_id=501, quantity=20,
                          expected_on=date(2026, 12, 1)),
            IncomingStock(shop_id=sid, location_shopify_id=11, variant_shopify_id=501, quantity=5,
                          expected_on=date(2026, 11, 24)),
            IncomingStock(shop_id=sid, location_shopify_id=11, variant_shopify_id=501, quantity=9,
                          expected_on=date(2026, 11, 23)),  # due yesterday: no longer counted
            IncomingStock(shop_id=sid, location_shopify_id=22, variant_shopify_id=505, quantity=7,
                          expected_on=date(2026, 12, 3)),
            IncomingStock(shop_id=sid, location_shopify_id=22, variant_shopify_id=505, quantity=0,
                          expected_on=date(2026, 12, 4)),
        ])
    return sid


def _orm_weights(session, shop_id, ids):
    """How the service read weights before: known variants of live products, grams when an item has them."""
    rows = session.execute(
        select(Variant.shopify_id, InventoryItem.weight_grams)
        .join(Product, Product.id == Variant.product_id)
        .outerjoin(InventoryItem, and_(InventoryItem.shop_id == Variant.shop_id,
                                       InventoryItem.shopify_id == Variant.inventory_item_id))
        .where(Variant.shop_id == shop_id, Variant.shopify_id.in_(ids), Product.deleted.is_(False)))
    return dict(rows.all())


def test_same_inventory_and_weights_as_the_orm_loader(app):
    other = _shop("other.myshopify.com", units=99)  # same Shopify ids in another shop: never mixed in
    shop_id = _shop("mine.myshopify.com", units=3)
    ids = [501, 502, 503, 504, 505, 999]
    with db.session(shop_id=shop_id) as s:
        expected = load_inventory(s, shop_id, ids, NOW)
        weights = _orm_weights(s, shop_id, ids)
        got = load_stock(s, shop_id, ids, NOW)
    assert got.inventory == expected
    assert got.weights == weights == {501: 800, 502: None, 503: None, 505: None}
    # The values themselves, so that both being wrong the same way would still fail.
    assert got.inventory.free == {"501": {"11": 0, "22": 10}, "502": {"11": -2}, "504": {"11": 4}}
    assert got.inventory.incoming == {"501": {"11": ((date(2026, 11, 24), 5), (date(2026, 12, 1), 20))},
                                      "505": {"22": ((date(2026, 12, 3), 7),)}}
    with db.session(shop_id=other) as s:
        assert load_stock(s, other, [501], NOW).inventory.free["501"] == {"11": 96, "22": 10}


def test_nothing_asked_nothing_read(app):
    with db.session() as s:
        got = load_stock(s, 1, [], NOW)
    assert (got.weights, got.inventory.free, got.inventory.incoming) == ({}, {}, {})
