"""Holding stock for open offers: two shoppers are never promised the last unit from the same warehouse."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import IncomingStock, StockReservation
from app.supply import geo, versions
from app.supply.loader import load_inventory
from app.supply.options import PromiseStatus
from app.supply.orders import destination_from_address
from app.supply.reservations import expire, offer, release, reserve
from app.supply.types import CartLine
from tests.supply.orders_factories import LA, NEWARK, PARIS, PLACED, RENO, V1, build_store

TTL = timedelta(minutes=30)
PLACE = geo.resolve(destination_from_address(LA))
CART = [CartLine(str(V1), 1)]


def holds() -> list[tuple[str, int, int, int]]:
    with db.session() as s:
        return [(r.reference, r.variant_shopify_id, r.location_shopify_id, r.quantity) for r in s.scalars(
            select(StockReservation).order_by(StockReservation.reference, StockReservation.location_shopify_id))]


def last_units_store() -> int:
    shop_id = build_store({(V1, RENO): 1, (V1, NEWARK): 1, (V1, PARIS): 0})
    with db.session() as s:
        s.add(IncomingStock(shop_id=shop_id, location_shopify_id=RENO, variant_shopify_id=V1, quantity=10,
                            expected_on=date(2026, 3, 20)))
    return shop_id


def test_each_shopper_gets_the_next_warehouse_then_a_backorder(app):
    shop_id = last_units_store()
    answers = []
    for shopper in ("a", "b", "c"):
        with db.session(shop_id=shop_id) as s:
            answers.append(offer(s, shop_id, f"checkout:{shopper}", CART, PLACE, PLACED, TTL))
    a, b, c = answers
    assert (a.held, a.promise.best.warehouse_ids) == (True, (str(RENO),))
    assert (b.held, b.promise.best.warehouse_ids) == (True, (str(NEWARK),))
    assert c.promise.status is PromiseStatus.BACKORDER and c.promise.best.warehouse_ids == (str(RENO),)
    assert holds() == [("checkout:a", V1, RENO, 1), ("checkout:b", V1, NEWARK, 1)]


def test_two_offers_racing_for_the_last_unit(app):
    shop_id = last_units_store()
    a_holds, a_may_commit, results = threading.Event(), threading.Event(), {}

    def shopper_a():
        with db.session(shop_id=shop_id) as s:
            results["a"] = offer(s, shop_id, "checkout:a", CART, PLACE, PLACED, TTL)
            a_holds.set()
            a_may_commit.wait(10)

    def shopper_b():
        with db.session(shop_id=shop_id) as s:
            # Quotes from the same stock A saw (A has not committed), so B also picks Reno first...
            results["b"] = offer(s, shop_id, "checkout:b", CART, PLACE, PLACED, TTL)

    first = threading.Thread(target=shopper_a)
    first.start()
    assert a_holds.wait(10)
    second = threading.Thread(target=shopper_b)
    second.start()
    time.sleep(0.5)
    assert second.is_alive()  # ...and waits on Reno's stock row while A's hold is uncommitted
    a_may_commit.set()
    first.join(10)
    second.join(10)
    assert results["a"].promise.best.warehouse_ids == (str(RENO),)
    assert (results["b"].held, results["b"].promise.best.warehouse_ids) == (True, (str(NEWARK),))
    assert holds() == [("checkout:a", V1, RENO, 1), ("checkout:b", V1, NEWARK, 1)]


def test_reserve_is_all_or_nothing_and_idempotent_per_reference(app):
    shop_id = build_store({(V1, NEWARK): 3}, safety={NEWARK: 1})
    with db.session(shop_id=shop_id) as s:
        assert reserve(s, shop_id, "r", [(V1, 1)], NEWARK, TTL, PLACED).ok
        assert reserve(s, shop_id, "r", [(V1, 2)], NEWARK, TTL, PLACED).ok  # replaces, never adds up
        short = reserve(s, shop_id, "other", [(V1, 1), (999, 1)], NEWARK, TTL, PLACED)
    # 3 on hand - 1 safety stock - 2 held by "r": nothing left; an unknown variant has nothing anywhere.
    assert (short.ok, short.short) == (False, {V1: 1, 999: 1})
    assert holds() == [("r", V1, NEWARK, 2)]
    with db.session(shop_id=shop_id) as s, pytest.raises(ValueError, match="positive ttl"):
        reserve(s, shop_id, "r", [(V1, 1)], NEWARK, timedelta(0), PLACED)


def test_release_and_expiry_free_the_stock_and_bump_its_version(app):
    shop_id = build_store({(V1, NEWARK): 2})
    stock_version = lambda: versions.current(shop_id, [V1])[1]  # noqa: E731
    with db.session(shop_id=shop_id) as s:
        reserve(s, shop_id, "a", [(V1, 1)], NEWARK, TTL, PLACED)
        reserve(s, shop_id, "b", [(V1, 1)], NEWARK, timedelta(minutes=5), PLACED)
        assert stock_version() == 0  # not before the commit
    assert stock_version() == 2
    with db.session(shop_id=shop_id) as s:
        assert load_inventory(s, shop_id, [V1], PLACED).free[str(V1)][str(NEWARK)] == 0
        assert expire(s, shop_id, PLACED + timedelta(minutes=10)) == 1
        assert release(s, shop_id, "a") == 1
        assert release(s, shop_id, "a") == 0
    assert stock_version() == 4
    with db.session(shop_id=shop_id) as s:
        assert load_inventory(s, shop_id, [V1], PLACED).free[str(V1)][str(NEWARK)] == 2
    assert holds() == []


def test_the_periodic_job_drops_expired_holds_of_every_shop(app):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Shop, StockReservation
    from worker.jobs.supply import expire_reservations

    now = datetime.now(UTC)
    with db.session() as s:
        shop = Shop(domain="exp.myshopify.com")
        s.add(shop)
        s.flush()
        s.add_all([
            StockReservation(shop_id=shop.id, location_shopify_id=1, variant_shopify_id=2, quantity=1,
                             reference="checkout:old", expires_at=now - timedelta(minutes=1)),
            StockReservation(shop_id=shop.id, location_shopify_id=1, variant_shopify_id=2, quantity=1,
                             reference="checkout:live", expires_at=now + timedelta(minutes=30)),
        ])
    assert expire_reservations() == 1
    with db.session() as s:
        assert s.scalars(select(StockReservation.reference)).all() == ["checkout:live"]
        assert s.scalar(select(func.count()).select_from(StockReservation)) == 1
