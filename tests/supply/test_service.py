"""The promise service over stored data: statuses, unknown variants, tiers, and when the network is rebuilt."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import (
    Customer,
    IncomingStock,
    InventoryItem,
    InventoryLevel,
    Location,
    Product,
    Shop,
    ShopStatus,
    Variant,
    WarehouseProfile,
)
from app.supply import service, versions
from app.supply.options import PromiseStatus
from app.supply.tiers import customer_tier, tier_from_tags
from app.supply.types import Destination

SHOP = "promise-shop.myshopify.com"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # a Tuesday, before the Paris cutoff
IN_STOCK, RESTOCKING, SOLD_OUT, PARIS_ONLY = 501, 502, 503, 504
GOLD_CUSTOMER, PLAIN_CUSTOMER = 7001, 7002


def build_store(restock_on: date = date(2099, 1, 5)) -> int:
    """Paris (3 units of 501, gold members get 2-day handling) and New Jersey (10 units, the default).

    502 has no stock but a restock in Paris; 503 has nothing at all; 504 is only in Paris."""
    with db.session() as s:
        shop = Shop(domain=SHOP, currency="EUR", country_code="FR", status=ShopStatus.INSTALLED)
        s.add(shop)
        s.flush()
        sid = shop.id
        s.add_all([
            Location(shop_id=sid, shopify_id=11, name="Paris DC", city="Paris", country_code="FR",
                     latitude=48.85, longitude=2.35),
            Location(shop_id=sid, shopify_id=22, name="NJ", city="Newark", country_code="US",
                     province_code="NJ", latitude=40.73, longitude=-74.17),
            WarehouseProfile(shop_id=sid, location_shopify_id=11, public_name="Paris warehouse", handling_days=3,
                             tier_handling={"gold": {"days": 2}}),
            WarehouseProfile(shop_id=sid, location_shopify_id=22, is_default=True, safety_stock=1),
            Customer(shop_id=sid, shopify_id=GOLD_CUSTOMER, tags="vip, Flexchain-Tier-Gold"),
            Customer(shop_id=sid, shopify_id=PLAIN_CUSTOMER, tags="vip"),
        ])
        product = Product(shop_id=sid, shopify_id=5, title="Jacket")
        s.add(product)
        s.flush()
        for variant, item in ((IN_STOCK, 9001), (RESTOCKING, 9002), (SOLD_OUT, 9003), (PARIS_ONLY, 9004)):
            s.add(Variant(shop_id=sid, shopify_id=variant, product_id=product.id, inventory_item_id=item))
            s.add(InventoryItem(shop_id=sid, shopify_id=item, weight_grams=800))
        s.add_all([
            InventoryLevel(shop_id=sid, inventory_item_id=9001, location_id=11, available=3, updated_at=NOW),
            InventoryLevel(shop_id=sid, inventory_item_id=9001, location_id=22, available=10, updated_at=NOW),
            InventoryLevel(shop_id=sid, inventory_item_id=9002, location_id=11, available=0, updated_at=NOW),
            InventoryLevel(shop_id=sid, inventory_item_id=9004, location_id=11, available=2, updated_at=NOW),
            IncomingStock(shop_id=sid, location_shopify_id=11, variant_shopify_id=RESTOCKING, quantity=20,
                          expected_on=restock_on),
        ])
    return sid


@pytest.fixture
def shop_id(app):
    service.snapshots.clear()
    return build_store()


def quote(shop_id, lines, destination=Destination(country="DE", city="Berlin"), **kw):
    with db.session(shop_id=shop_id) as s:
        return service.quote(s, shop_id, lines, destination, now=NOW, **kw)


def test_in_stock_ships_from_the_nearest_warehouse_and_names_the_default(shop_id):
    result = quote(shop_id, [(IN_STOCK, 1)])
    assert result.status is PromiseStatus.AVAILABLE
    assert result.best.warehouse_ids == ("11",)
    assert result.default.warehouse_ids == ("22",)
    assert result.days_saved > 0
    assert result.best.cutoff_at > NOW


def test_a_cart_no_warehouse_holds_whole_is_split(shop_id):
    # Five jackets only New Jersey holds, and a variant only Paris holds.
    result = quote(shop_id, [(IN_STOCK, 5), (PARIS_ONLY, 1)])
    assert result.status is PromiseStatus.AVAILABLE
    assert result.best.split and set(result.best.warehouse_ids) == {"11", "22"}
    # One line is never split across warehouses: ten is more than any one holds (NJ keeps 1 as safety stock).
    assert quote(shop_id, [(IN_STOCK, 10)]).status is PromiseStatus.UNAVAILABLE


def test_backorder_from_the_restock_date_and_unavailable_without_one(shop_id):
    backorder = quote(shop_id, [(RESTOCKING, 1)])
    assert backorder.status is PromiseStatus.BACKORDER
    assert backorder.best.earliest > date(2099, 1, 5)
    sold_out = quote(shop_id, [(SOLD_OUT, 1)])
    assert (sold_out.status, sold_out.best) == (PromiseStatus.UNAVAILABLE, None)


def test_unknown_or_deleted_variants_are_refused(shop_id):
    with pytest.raises(service.UnknownVariant):
        quote(shop_id, [(999, 1)])
    with db.session() as s:
        s.execute(update(Product).values(deleted=True))
    with pytest.raises(service.UnknownVariant):
        quote(shop_id, [(IN_STOCK, 1)])


def test_another_shops_variant_is_unknown(shop_id):
    with db.session() as s:
        other = Shop(domain="other.myshopify.com", status=ShopStatus.INSTALLED)
        s.add(other)
    with pytest.raises(service.UnknownVariant):
        quote(other.id, [(IN_STOCK, 1)])


def test_the_network_is_rebuilt_exactly_when_settings_change(shop_id):
    quote(shop_id, [(IN_STOCK, 1)])
    quote(shop_id, [(IN_STOCK, 1)])
    assert service.snapshots.builds == 1
    # A stock bump is not a settings change.
    versions.bump_stock(shop_id, [IN_STOCK])
    quote(shop_id, [(IN_STOCK, 1)])
    assert service.snapshots.builds == 1
    with db.session() as s:
        s.execute(update(WarehouseProfile).where(WarehouseProfile.location_shopify_id == 11).values(enabled=False))
    # Without a bump the change is not seen yet (the counter is the contract) ...
    assert quote(shop_id, [(IN_STOCK, 1)]).best.warehouse_ids == ("11",)
    versions.bump_settings(shop_id)
    # ... and with one it is, through a single rebuild.
    assert quote(shop_id, [(IN_STOCK, 1)]).best.warehouse_ids == ("22",)
    assert quote(shop_id, [(IN_STOCK, 1)]).best.warehouse_ids == ("22",)
    assert service.snapshots.builds == 2


def test_without_redis_a_network_is_reused_only_briefly(shop_id):
    # settings_version=None is what the service reads when Redis cannot be reached.
    quote(shop_id, [(IN_STOCK, 1)], settings_version=None)
    quote(shop_id, [(IN_STOCK, 1)], settings_version=None)
    assert service.snapshots.builds == 1
    service.snapshots.redis_down_ttl_s = 0.0
    try:
        quote(shop_id, [(IN_STOCK, 1)], settings_version=None)
    finally:
        service.snapshots.redis_down_ttl_s = service.REDIS_DOWN_TTL_S
    assert service.snapshots.builds == 2


def test_a_tier_shortens_handling_where_the_warehouse_grants_it(shop_id):
    plain = quote(shop_id, [(IN_STOCK, 1)])
    gold = quote(shop_id, [(IN_STOCK, 1)], tier="gold")
    assert gold.best.latest < plain.best.latest


def test_storefront_answer_falls_back_to_the_shops_country(shop_id):
    with db.session(shop_id=shop_id) as s:
        answer = service.storefront_answer(s, shop_id, IN_STOCK, 1, None, tier="gold", now=NOW)
    assert (answer.country, answer.level, answer.status) == ("FR", "shop_country", "available")
    assert (answer.warehouse_name, answer.warehouse_city, answer.tier_hours) == ("Paris warehouse", "Paris", 48)
    assert answer.cutoff_at == int(datetime(2026, 11, 24, 13, 0, tzinfo=UTC).timestamp())  # 14:00 in Paris


@pytest.mark.parametrize(("tags", "tier"), [
    ("flexchain-tier-gold", "gold"),
    ("vip, FLEXCHAIN-TIER-Silver ,x", "silver"),
    ("vip", None),
    ("", None),
    (None, None),
    ("flexchain-tier-", None),
    ("flexchain-tier-<b>gold</b>", None),
])
def test_tier_from_tags(tags, tier):
    assert tier_from_tags(tags) == tier


def test_customer_tier_reads_this_shops_customer(shop_id):
    with db.session(shop_id=shop_id) as s:
        assert customer_tier(s, shop_id, GOLD_CUSTOMER) == "gold"
        assert customer_tier(s, shop_id, PLAIN_CUSTOMER) is None
        assert customer_tier(s, shop_id, 424242) is None
        assert customer_tier(s, shop_id, None) is None
    with db.session() as s:
        s.execute(update(Customer).where(Customer.shopify_id == GOLD_CUSTOMER).values(deleted=True))
    with db.session(shop_id=shop_id) as s:
        assert customer_tier(s, shop_id, GOLD_CUSTOMER) is None
