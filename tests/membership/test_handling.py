"""Handling-time targets per tier: met, missed, still open, measured from order to first fulfillment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.extensions import db
from app.membership.handling import NO_TIER, Handled, handling_by_tier, summarise
from app.models import Order, OrderPromise, WarehouseProfile
from tests.store.factories import make_shop

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def at(hours_ago: float) -> datetime:
    return NOW - timedelta(hours=hours_ago)


def test_each_tier_is_held_to_its_own_target_and_open_orders_are_not_success():
    rows = [
        Handled("gold", at(100), at(60), 1),  # 40 h: within Gold's 48 h
        Handled("gold", at(100), at(40), 1),  # 60 h: missed
        Handled("gold", at(50), None, 1),  # unfulfilled after 50 h: missed
        Handled("gold", at(10), None, 1),  # unfulfilled, 10 h in: open
        Handled("silver", at(100), at(30), 1),  # 70 h: within 72 h
        Handled(NO_TIER, at(100), at(70), 2),  # 30 h against warehouse 2's standard 24 h: missed
        Handled(NO_TIER, at(100), at(90), 3),  # 10 h against the default 24 h: met
    ]
    report = {r.tier: r for r in summarise(rows, {"gold": 48, "silver": 72}, {2: 24}, NOW)}
    gold = report["gold"]
    assert (gold.orders, gold.met, gold.missed, gold.open) == (4, 1, 2, 1)
    assert gold.share_met == 1 / 3
    assert gold.median_hours == 50.0
    assert (report["silver"].met, report["silver"].share_met) == (1, 1.0)
    assert (report[NO_TIER].met, report[NO_TIER].missed) == (1, 1)


def test_nothing_decided_yet_has_no_share():
    (only,) = summarise([Handled("gold", at(1), None, 1)], {"gold": 48}, {}, NOW)
    assert (only.open, only.share_met) == (1, None)


def test_the_report_reads_orders_promises_and_warehouse_profiles(app):
    shop_id = make_shop()
    with db.session(shop_id=shop_id) as s:
        s.add(WarehouseProfile(shop_id=shop_id, location_shopify_id=11, handling_days=2, handling_hours=0))
        for n, (tier, ordered, fulfilled) in enumerate([("gold", at(100), at(70)), (None, at(100), at(40)),
                                                         ("gold", at(1000), at(999))]):
            s.add(Order(shop_id=shop_id, shopify_id=500 + n, currency="EUR", total_price=Decimal(10),
                        shopify_created_at=ordered))
            s.add(OrderPromise(shop_id=shop_id, order_shopify_id=500 + n, location_shopify_id=11, tier=tier,
                               first_fulfilled_at=fulfilled))
    with db.session(shop_id=shop_id) as s:
        report = {r.tier: r for r in handling_by_tier(s, shop_id, at(500), NOW, NOW)}
    assert (report["gold"].orders, report["gold"].met) == (1, 1)  # the old order is outside the period
    # No tier: 60 h against Paris's standard 2 days (48 h): missed.
    assert (report[NO_TIER].met, report[NO_TIER].missed) == (0, 1)
