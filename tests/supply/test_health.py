"""Stock health per warehouse on a small dataset whose every number is worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import event

from app.extensions import db
from app.models import Fulfillment, InventoryLevel, Order, OrderLine, OrderPromise
from app.supply.health import StockHealth, WarehouseHealth, stock_health
from tests.supply.orders_factories import ITEM, NEWARK, PARIS, RENO, V1, V2, V3, build_store

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


def _order(shop_id: int, order_id: int, lines, *, days_ago: int = 5, cancelled: bool = False) -> Order:
    placed = NOW - timedelta(days=days_ago)
    order = Order(shop_id=shop_id, shopify_id=order_id, currency="USD", total_price=Decimal(10), processed_at=placed,
                  cancelled_at=placed + timedelta(hours=1) if cancelled else None)
    order.lines = [OrderLine(shop_id=shop_id, shopify_id=order_id * 10 + n, variant_id=v, quantity=q,
                             price=Decimal(5), currency="USD") for n, (v, q) in enumerate(lines)]
    return order


def _dataset() -> int:
    shop_id = build_store({
        (V1, NEWARK): 10, (V1, PARIS): 0, (V1, RENO): -2,  # Paris and Reno out while Newark has it; Reno oversold
        (V2, NEWARK): 0, (V2, PARIS): 0,  # out everywhere: a buying problem, not a stockout of one warehouse
        (V3, NEWARK): 3,
    })
    with db.session() as s:
        s.add_all([
            _order(shop_id, 1, [(V1, 6), (V3, 9)]),  # shipped from Newark (its fulfillment says so)
            _order(shop_id, 2, [(V1, 3)]),  # not shipped yet: promised from Reno
            _order(shop_id, 3, [(V1, 50)], cancelled=True),  # cancelled: never counts
            _order(shop_id, 4, [(V1, 40)], days_ago=45),  # older than the window
            _order(shop_id, 5, [(V3, 2)]),  # neither shipped nor promised: unattributed
            _order(shop_id, 6, [(V1, 1)]),  # shipped from Paris after a cancelled try from Newark
        ])
        s.add_all([
            Fulfillment(shop_id=shop_id, shopify_id=71, order_shopify_id=1, location_shopify_id=NEWARK,
                        status="success", shipped_at=NOW - timedelta(days=4)),
            Fulfillment(shop_id=shop_id, shopify_id=72, order_shopify_id=6, location_shopify_id=NEWARK,
                        status="cancelled", shipped_at=NOW - timedelta(days=4)),
            Fulfillment(shop_id=shop_id, shopify_id=73, order_shopify_id=6, location_shopify_id=PARIS,
                        status="success", shipped_at=NOW - timedelta(days=3)),
            OrderPromise(shop_id=shop_id, order_shopify_id=2, location_shopify_id=RENO),
            OrderPromise(shop_id=shop_id, order_shopify_id=1, location_shopify_id=RENO),  # the parcel wins
        ])
    return shop_id


def test_stockouts_oversells_and_days_of_cover(app):
    shop_id = _dataset()
    with db.session(shop_id=shop_id) as s:
        health = stock_health(s, shop_id, NOW)
    assert health == StockHealth([
        # Newark: 13 units, 15 sold in 30 days = 0.5 a day -> 26 days; V3 (3 left, 9 sold) is low on cover.
        WarehouseHealth(NEWARK, "Newark NJ", variants=3, stockouts=0, oversells=0, units_available=13,
                        units_sold=15, days_of_cover=26.0, low_cover_variants=1),
        WarehouseHealth(PARIS, "Paris", variants=2, stockouts=1, oversells=0, units_available=0, units_sold=1,
                        days_of_cover=0.0, low_cover_variants=1),
        WarehouseHealth(RENO, "Reno NV", variants=1, stockouts=1, oversells=1, units_available=0, units_sold=3,
                        days_of_cover=0.0, low_cover_variants=1),
    ], unattributed_units=2)


def test_a_warehouse_with_no_sales_has_no_cover_figure_and_the_query_count_is_fixed(app):
    shop_id = build_store({(V1, NEWARK): 4})
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.session(shop_id=shop_id) as s:
            health = stock_health(s, shop_id, NOW)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    newark = health.warehouses[0]
    assert (newark.units_available, newark.units_sold, newark.days_of_cover) == (4, 0, None)
    assert len(statements) == 3  # stock, sales, locations: independent of how many variants or orders


def test_stock_at_an_inactive_location_is_left_out(app):
    shop_id = build_store({(V1, NEWARK): 0, (V1, RENO): 5})
    with db.session() as s:
        from sqlalchemy import update

        from app.models import Location

        s.execute(update(Location).where(Location.shopify_id == RENO).values(active=False))
        s.add(InventoryLevel(shop_id=shop_id, inventory_item_id=ITEM[V2], location_id=RENO, available=-1,
                             updated_at=NOW))
    with db.session(shop_id=shop_id) as s:
        health = stock_health(s, shop_id, NOW)
    # Reno is closed: its 5 units cannot make Newark's zero a rebalancing opportunity, and it is not listed.
    assert [(w.location_shopify_id, w.stockouts) for w in health.warehouses] == [(NEWARK, 0), (PARIS, 0)]
