"""The promise stored with each order (through the real webhook intake and worker) and how it turned out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import EventStatus, InventoryLevel, OrderPromise, StockReservation
from tests.store.factories import events
from tests.supply.orders_factories import (
    NEWARK,
    NJ,
    PLACED,
    RENO,
    V1,
    V2,
    build_store,
    fulfillment_payload,
    order_payload,
    poster,
)


@pytest.fixture
def post(app):
    yield from poster(app)


def promises() -> list[OrderPromise]:
    with db.session() as s:
        return list(s.scalars(select(OrderPromise).order_by(OrderPromise.order_shopify_id)))


def local_noon_utc(day) -> datetime:
    """Noon in Los Angeles (PST in early March) on `day`, as UTC."""
    return datetime(day.year, day.month, day.day, 20, 0, tzinfo=UTC)


def test_routing_off_promises_from_the_store_default(post):
    build_store()
    post("orders/create", order_payload(1001))
    (p,) = promises()
    assert events()[0].status == EventStatus.DONE
    # Reno is nearer to Los Angeles, but without routing the order ships from Newark, the default.
    assert (p.location_shopify_id, p.country, p.region, p.service_level, p.tier) == (NEWARK, "US", "CA",
                                                                                     "standard", None)
    assert PLACED.date() < p.promised_earliest <= p.promised_latest
    assert p.outcome is None and p.first_fulfilled_at is None


def test_routing_on_promises_from_the_best_warehouse_and_it_is_sooner(post):
    build_store(routing=False)
    post("orders/create", order_payload(1001))
    with db.session() as s:
        s.execute(update(OrderPromise).values(order_shopify_id=9999))  # keep it aside for comparison
        from app.models import SupplySettings

        s.execute(update(SupplySettings).values(routing_enabled=True))
    post("orders/create", order_payload(1001))
    default, best = promises()[1], promises()[0]
    assert (best.order_shopify_id, best.location_shopify_id) == (1001, RENO)
    assert best.promised_latest < default.promised_latest


def test_a_replayed_order_never_recomputes_its_promise(post):
    build_store()
    post("orders/create", order_payload(1001))
    (first,) = promises()
    with db.session() as s:  # every unit gone: a recomputation would now find nothing
        s.execute(update(InventoryLevel).values(available=0))
    post("orders/create", order_payload(1001))  # Shopify's retry: a new delivery of the same order
    post("orders/create", order_payload(1001), webhook_id="s2-1")  # exact duplicate: stored once at intake
    (again,) = promises()
    assert (again.id, again.location_shopify_id, again.promised_earliest, again.promised_latest) == (
        first.id, first.location_shopify_id, first.promised_earliest, first.promised_latest)


def test_the_last_unit_already_committed_by_shopify_still_gets_a_window(post):
    build_store({(V1, NEWARK): 0})  # Shopify netted this order's unit before the webhook reached us
    post("orders/create", order_payload(1001))
    (p,) = promises()
    assert p.location_shopify_id == NEWARK and p.promised_latest is not None


def test_service_level_and_tier_come_from_the_order(post):
    build_store()
    post("orders/create", order_payload(1001, shipping="UPS Express Saver", customer_id=77,
                                        tags="vip, flexchain-tier-gold"))
    post("orders/create", order_payload(1002, shipping=None))
    express, plain = promises()
    assert (express.service_level, express.tier) == ("express", "gold")
    assert (plain.service_level, plain.tier) == ("standard", None)
    assert express.promised_latest <= plain.promised_latest


def test_an_order_nobody_can_ship_is_recorded_without_a_window(post):
    build_store({})
    post("orders/create", order_payload(1001, lines=((V2, 1),), address={"country_code": "ZZ"}))
    (p,) = promises()
    assert (p.location_shopify_id, p.promised_earliest, p.promised_latest, p.country) == (None, None, None, None)


def test_the_checkouts_hold_on_stock_ends_when_its_order_arrives(post):
    build_store()
    with db.session() as s:
        shop_id = s.scalar(select(InventoryLevel.shop_id).limit(1))
        s.add(StockReservation(shop_id=shop_id, location_shopify_id=RENO, variant_shopify_id=V1, quantity=1,
                               reference="checkout:tok-1", expires_at=PLACED + timedelta(days=3)))
    post("orders/create", order_payload(1001, checkout_token="tok-1"))
    with db.session() as s:
        assert s.scalars(select(StockReservation)).all() == []


def _deliver(send, order_id: int, fulfillment_id: int, delivered: datetime, location: int = NEWARK) -> None:
    shipped = PLACED + timedelta(hours=6)
    send("fulfillments/create", fulfillment_payload(fulfillment_id, order_id, location=location, shipped=shipped))
    send("fulfillments/update", fulfillment_payload(fulfillment_id, order_id, location=location, shipped=shipped,
                                                    updated=delivered, shipment_status="delivered"))


def test_on_time_early_and_late_outcomes(post):
    build_store()
    for order_id in (1001, 1002, 1003):
        post("orders/create", order_payload(order_id))
    latest = promises()[0].promised_latest
    _deliver(post, 1001, 5001, local_noon_utc(latest))
    _deliver(post, 1002, 5002, local_noon_utc(latest - timedelta(days=1)))
    _deliver(post, 1003, 5003, local_noon_utc(latest + timedelta(days=2)))
    on_time, early, late = promises()
    assert (on_time.outcome, on_time.days_late, on_time.delivered_on) == ("on_time", 0, latest)
    assert (early.outcome, early.days_late) == ("on_time", -1)
    assert (late.outcome, late.days_late) == ("late", 2)
    assert on_time.first_fulfilled_at == PLACED + timedelta(hours=6)


def test_delivery_counts_in_the_destinations_local_date(post):
    build_store()
    post("orders/create", order_payload(1001))
    latest = promises()[0].promised_latest
    # 02:00 UTC the day after is still the evening of `latest` in Los Angeles: on time.
    _deliver(post, 1001, 5001, datetime(latest.year, latest.month, latest.day, 2, tzinfo=UTC) + timedelta(days=1))
    (p,) = promises()
    assert (p.delivered_on, p.outcome) == (latest, "on_time")


def test_an_order_is_delivered_only_when_every_parcel_is(post):
    build_store()
    post("orders/create", order_payload(1001, lines=((V1, 1), (V2, 1))))
    latest = promises()[0].promised_latest
    shipped = PLACED + timedelta(hours=6)
    post("fulfillments/create", fulfillment_payload(5002, 1001, location=RENO, shipped=shipped))
    _deliver(post, 1001, 5001, local_noon_utc(latest))
    assert promises()[0].outcome is None  # one parcel is still on its way
    post("fulfillments/update", fulfillment_payload(5002, 1001, location=RENO, shipped=shipped,
                                                    updated=local_noon_utc(latest + timedelta(days=1)),
                                                    shipment_status="delivered"))
    (p,) = promises()
    assert (p.outcome, p.days_late) == ("late", 1)


def test_fulfillments_that_arrive_before_their_order_are_counted_when_it_does(post):
    build_store()
    delivered = local_noon_utc(PLACED.date() + timedelta(days=3))
    post("fulfillments/update", fulfillment_payload(5001, 1001, location=NEWARK, shipped=PLACED + timedelta(hours=6),
                                                    updated=delivered, shipment_status="delivered"))
    assert promises() == []
    post("orders/create", order_payload(1001, address=NJ))
    (p,) = promises()
    assert (p.delivered_on, p.outcome) == (delivered.date(), "on_time")
    assert p.first_fulfilled_at == PLACED + timedelta(hours=6)
