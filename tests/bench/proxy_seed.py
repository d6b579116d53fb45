"""The store the proxy benchmark serves: ten warehouses on three continents, one variant stocked in most."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from app.extensions import db
from app.models import InventoryItem, InventoryLevel, Location, Product, Shop, ShopStatus, Variant, WarehouseProfile
from app.supply import geodata

SHOP = "bench-store.myshopify.com"
VARIANT = 4001
ITEM = 9401
WAREHOUSES = [  # (id, city, country, region, lat, lng, units)
    (101, "Paris", "FR", None, 48.85, 2.35, 40),
    (102, "Berlin", "DE", None, 52.52, 13.40, 25),
    (103, "Madrid", "ES", None, 40.42, -3.70, 0),
    (104, "Milan", "IT", None, 45.46, 9.19, 12),
    (105, "London", "GB", None, 51.51, -0.13, 30),
    (106, "Newark", "US", "NJ", 40.73, -74.17, 60),
    (107, "Los Angeles", "US", "CA", 34.05, -118.24, 18),
    (108, "Toronto", "CA", "ON", 43.65, -79.38, 9),
    (109, "Tokyo", "JP", None, 35.68, 139.69, 22),
    (110, "Sydney", "AU", "NSW", -33.87, 151.21, 7),
]
PLACE_COUNTRIES = ("FR", "DE", "ES", "IT", "GB", "US", "CA", "JP", "AU", "NL", "BE", "AT", "CH", "PL", "SE")


def seed(database_url: str) -> None:
    db.init(database_url)
    now = datetime.now(UTC)
    with db.session() as s:
        shop = Shop(domain=SHOP, currency="EUR", country_code="FR", status=ShopStatus.INSTALLED, installed_at=now)
        s.add(shop)
        s.flush()
        product = Product(shop_id=shop.id, shopify_id=40, title="Travel jacket")
        s.add(product)
        s.flush()
        s.add(Variant(shop_id=shop.id, shopify_id=VARIANT, product_id=product.id, inventory_item_id=ITEM))
        s.add(InventoryItem(shop_id=shop.id, shopify_id=ITEM, weight_grams=900))
        for wid, city, country, region, lat, lng, units in WAREHOUSES:
            s.add(Location(shop_id=shop.id, shopify_id=wid, name=f"{city} DC", city=city, country_code=country,
                           province_code=region, latitude=lat, longitude=lng))
            s.add(WarehouseProfile(shop_id=shop.id, location_shopify_id=wid, public_name=f"{city} warehouse",
                                   is_default=wid == 106, tier_handling={"gold": {"hours": 4}}))
            s.add(InventoryLevel(shop_id=shop.id, inventory_item_id=ITEM, location_id=wid, available=units,
                                 updated_at=now))
    db.dispose()


def unique_places() -> Iterator[tuple[str, str, int]]:
    """(country, city, quantity) triples that resolve to distinct places: each one is a cache miss."""
    seen = set()
    for (country, _), places in sorted(geodata.city_index().items()):
        if country not in PLACE_COUNTRIES:
            continue
        place = places[0]
        if (place.lat, place.lng) in seen:
            continue
        seen.add((place.lat, place.lng))
        for quantity in (1, 2, 3):
            yield country, place.name, quantity
