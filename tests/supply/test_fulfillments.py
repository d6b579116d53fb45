"""Fulfillment webhooks through the real intake and worker: stored last-write-wins, one transit sample per
delivered parcel, and a learned window that replaces the default once a lane has enough samples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.devshop.sender import build_payload
from app.extensions import db
from app.models import EventStatus, Fulfillment, TransitSample
from app.supply import geo, versions
from app.supply.loader import load_inventory, load_supply
from app.supply.orders import destination_from_address
from app.supply.promise import promise
from app.supply.transit import MIN_SAMPLES_TO_LEARN, TransitSource
from app.supply.types import CartLine, ServiceLevel
from tests.store.factories import SHOP, events
from tests.supply.orders_factories import (
    LA,
    PLACED,
    RENO,
    V1,
    build_store,
    fulfillment_payload,
    iso,
    order_payload,
    poster,
)

SHIPPED = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # Tuesday 07:00 in Los Angeles
DELIVERED = datetime(2026, 3, 5, 20, 0, tzinfo=UTC)  # Thursday noon in Los Angeles: 2 business days


@pytest.fixture
def post(app):
    yield from poster(app)


def samples() -> list[TransitSample]:
    with db.session() as s:
        return list(s.scalars(select(TransitSample).order_by(TransitSample.fulfillment_shopify_id)))


def fulfillments() -> list[Fulfillment]:
    with db.session() as s:
        return list(s.scalars(select(Fulfillment).order_by(Fulfillment.shopify_id)))


def update(fid: int, order_id: int, at: datetime, shipment_status: str | None, **kw) -> dict:
    return fulfillment_payload(fid, order_id, location=RENO, shipped=SHIPPED, updated=at,
                               shipment_status=shipment_status, **kw)


def test_a_delivered_parcel_is_one_sample_whatever_order_its_updates_arrive_in(post):
    build_store()
    post("orders/create", order_payload(1001))
    post("fulfillments/update", update(5001, 1001, DELIVERED, "delivered"))
    post("fulfillments/update", update(5001, 1001, DELIVERED - timedelta(days=1), "in_transit"))  # older, late
    post("fulfillments/create", update(5001, 1001, SHIPPED, None))  # the create, last of all
    post("fulfillments/update", update(5001, 1001, DELIVERED, "delivered"))  # Shopify's retry
    post("fulfillments/update", update(5001, 1001, DELIVERED + timedelta(days=2), "delivered",
                                       tracking_company="UPS Ground"))  # newer, still delivered
    assert {e.status for e in events()} == {EventStatus.DONE}
    (f,) = fulfillments()
    assert (f.shipment_status, f.tracking_company, f.shipped_at, f.delivered_at) == (
        "delivered", "UPS Ground", SHIPPED, DELIVERED)
    (s,) = samples()
    assert (s.fulfillment_shopify_id, s.location_shopify_id, s.country, s.region, s.service_level,
            s.business_days) == (5001, RENO, "US", "CA", "standard", 2)


def test_an_explicit_delivery_time_wins_over_the_update_time(post):
    build_store()
    post("orders/create", order_payload(1001))
    post("fulfillments/update", update(5001, 1001, DELIVERED + timedelta(days=3), "delivered",
                                       delivered_at=iso(DELIVERED)))
    assert fulfillments()[0].delivered_at == DELIVERED
    assert samples()[0].business_days == 2


def test_business_days_skip_the_destinations_weekend(post):
    build_store()
    post("orders/create", order_payload(1001))
    monday = datetime(2026, 3, 9, 20, 0, tzinfo=UTC)
    post("fulfillments/update", update(5001, 1001, monday, "delivered"))
    assert samples()[0].business_days == 4  # Wed, Thu, Fri, Mon


def test_undelivered_cancelled_or_unplaceable_parcels_teach_nothing(post):
    build_store()
    post("orders/create", order_payload(1001))
    post("orders/create", order_payload(1002, address={"country_code": "ZZ"}))
    post("fulfillments/update", update(5001, 1001, DELIVERED, "in_transit"))
    post("fulfillments/update", update(5002, 1001, DELIVERED, "delivered", status="cancelled"))
    post("fulfillments/update", update(5003, 1002, DELIVERED, "delivered"))
    assert len(fulfillments()) == 3 and samples() == []


def test_orders_fulfilled_carries_its_fulfillments(post):
    build_store()
    post("orders/create", order_payload(1001))
    embedded = update(5001, 999, DELIVERED, "delivered")  # the order it sits in is the order it belongs to
    post("orders/fulfilled", order_payload(1001, fulfillment_status="fulfilled", fulfillments=[embedded],
                                           updated_at=iso(DELIVERED)))
    (s,) = samples()
    assert (s.fulfillment_shopify_id, s.business_days) == (5001, 2)
    assert fulfillments()[0].order_shopify_id == 1001


def test_a_fulfillment_without_its_order_id_fails_without_retry(post):
    build_store()
    post("fulfillments/create", build_payload("fulfillments/create", shop_domain=SHOP, order_id=None))
    (event,) = events()
    assert (event.status, event.error) == (EventStatus.FAILED, "payload: order_id is missing")
    assert fulfillments() == []


def _lane_estimate(shop_id: int):
    with db.session(shop_id=shop_id) as s:
        supply = load_supply(s, shop_id)
        inventory = load_inventory(s, shop_id, [V1], PLACED)
    place = geo.resolve(destination_from_address(LA))
    estimate = supply.network.transit.estimate(str(RENO), "US", "US", "CA", ServiceLevel.STANDARD, 700.0)
    result = promise(supply.network, inventory, [CartLine(str(V1), 1)], place, PLACED)
    return estimate, result.best


def test_enough_deliveries_replace_the_default_window_and_invalidate_cached_promises(post):
    shop_id = build_store()
    default_estimate, before = _lane_estimate(shop_id)
    assert default_estimate.source is TransitSource.DEFAULT
    settings_versions = []
    for n in range(MIN_SAMPLES_TO_LEARN):
        order_id = 2000 + n
        post("orders/create", order_payload(order_id), run=False)
        # Half the parcels take 1 business day, the rest 2: p50 = 1, p90 = 2.
        delivered = DELIVERED - timedelta(days=1) if n % 2 else DELIVERED
        post("fulfillments/update", update(6000 + n, order_id, delivered, "delivered"))
        settings_versions.append(versions.current(shop_id)[0])
    # Nothing changed for promises until the lane had enough samples; then one bump.
    assert settings_versions[:-1] == [settings_versions[0]] * (MIN_SAMPLES_TO_LEARN - 1)
    assert settings_versions[-1] == settings_versions[0] + 1
    learned, after = _lane_estimate(shop_id)
    assert (learned.source, learned.min_days, learned.max_days) == (TransitSource.LEARNED, 1, 2)
    assert after.shipments[0].transit_source is TransitSource.LEARNED
    assert after.latest < before.latest
    # One more sample that leaves p50/p90 where they are changes nothing a promise would say.
    post("orders/create", order_payload(2999), run=False)
    post("fulfillments/update", update(6999, 2999, DELIVERED - timedelta(days=1), "delivered"))
    assert versions.current(shop_id)[0] == settings_versions[-1]
