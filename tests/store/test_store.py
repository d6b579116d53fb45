"""app/store upserts on real PostgreSQL: last write wins, out-of-order events, checkout conversion."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app import store
from app.extensions import db
from app.models import Checkout, Customer, InventoryLevel, Location, Order
from app.shopify import payloads
from app.shopify.payloads import load_json
from app.shopify.records import InventoryLevelRecord
from tests.shopify.test_payloads import parse
from tests.store.factories import make_shop

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_inventory_updates_in_reverse_order_keep_the_newest(app):
    shop_id = make_shop()
    updates = [InventoryLevelRecord(11, 22, available=n, updated_at=T0 + timedelta(minutes=n)) for n in range(5)]
    for record in reversed(updates):
        with db.session(shop_id=shop_id) as session:
            store.upsert_inventory_level(session, shop_id, record)
    with db.session(shop_id=shop_id) as session:
        level = session.scalars(select(InventoryLevel)).one()
        assert (level.available, level.updated_at) == (4, T0 + timedelta(minutes=4))


def test_a_day_late_order_event_does_not_overwrite_newer_data(app):
    shop_id = make_shop()
    order = payloads.parse_order(parse("orders/create", updated_at="2026-03-02T12:00:00Z", financial_status="paid"))
    late = replace(order, financial_status="pending", updated_at=order.updated_at - timedelta(hours=24))
    with db.session(shop_id=shop_id) as session:
        store.upsert_order(session, shop_id, order)
    with db.session(shop_id=shop_id) as session:
        store.upsert_order(session, shop_id, late)
    with db.session(shop_id=shop_id) as session:
        row = session.scalars(select(Order)).one()
        assert row.financial_status == "paid" and row.paid_at is not None
        assert len(row.lines) == len(order.lines)


def test_refund_before_its_order_still_counts(app):
    shop_id = make_shop()
    order = payloads.parse_order(parse("orders/create", refunds=[]))
    refund = replace(payloads.parse_refund(parse("refunds/create"), "USD"), order_id=order.shopify_id)
    with db.session(shop_id=shop_id) as session:
        store.upsert_refund(session, shop_id, refund)
        store.upsert_refund(session, shop_id, refund)  # redelivery: same row
    with db.session(shop_id=shop_id) as session:
        assert store.upsert_order(session, shop_id, order).total_refunded == Decimal("85.00")


def test_order_before_checkout_stores_the_checkout_as_converted(app):
    shop_id = make_shop()
    order = payloads.parse_order(parse("orders/create", checkout_token="tok-1", cart_token=None))
    checkout = payloads.parse_checkout(parse("checkouts/update", token="tok-1"))
    with db.session(shop_id=shop_id) as session:
        store.upsert_order(session, shop_id, order)
    with db.session(shop_id=shop_id) as session:
        assert store.upsert_checkout(session, shop_id, checkout).converted_order_shopify_id == order.shopify_id


def test_checkout_before_order_is_linked_by_cart_token_or_email(app):
    shop_id = make_shop()
    by_cart = payloads.parse_checkout(parse("checkouts/update", token="c1", cart_token="cart-9"))
    by_email = payloads.parse_checkout(parse("checkouts/update", token="c2", cart_token=None,
                                             email="Pat@Example.com", created_at="2026-03-01T10:00:00Z"))
    with db.session(shop_id=shop_id) as session:
        store.upsert_checkout(session, shop_id, by_cart)
        store.upsert_checkout(session, shop_id, by_email)
    first = payloads.parse_order(parse("orders/create", cart_token="cart-9", checkout_token=None))
    second = payloads.parse_order(parse(
        "orders/create", admin_graphql_api_id="gid://shopify/Order/5", cart_token=None, checkout_token=None,
        email="pat@example.com", created_at="2026-03-01T11:00:00Z", line_items=[]))
    with db.session(shop_id=shop_id) as session:
        store.upsert_order(session, shop_id, first)
        store.upsert_order(session, shop_id, second)
    with db.session(shop_id=shop_id) as session:
        converted = {c.token: c.converted_order_shopify_id for c in session.scalars(select(Checkout))}
    assert converted == {"c1": first.shopify_id, "c2": 5}


def test_customer_update_keeps_consent_it_does_not_carry(app):
    shop_id = make_shop()
    consent = payloads.parse_email_consent(parse("customers_email_marketing_consent/update"))
    with db.session(shop_id=shop_id) as session:
        store.update_email_consent(session, shop_id, consent)
        store.upsert_customer(session, shop_id, payloads.parse_customer(parse("customers/update")))
        older = replace(consent, state="UNSUBSCRIBED", consent_updated_at=consent.consent_updated_at - timedelta(1))
        store.update_email_consent(session, shop_id, older)
    with db.session(shop_id=shop_id) as session:
        customer = session.scalars(select(Customer)).one()
        assert customer.email_marketing_state == "SUBSCRIBED" and customer.first_name == "Bob"


def test_location_webhook_keeps_synced_coordinates_and_delete_deactivates(app):
    shop_id = make_shop()
    record = payloads.parse_location(parse("locations/create"))
    with db.session(shop_id=shop_id) as session:
        row = store.upsert_location(session, shop_id, record)
        row.latitude, row.longitude, row.fulfills_online_orders = 41.1, -8.6, False
    with db.session(shop_id=shop_id) as session:
        store.upsert_location(session, shop_id, replace(record, name="Porto DC"))
        store.deactivate_location(session, shop_id, record.shopify_id)
    with db.session(shop_id=shop_id) as session:
        loc = session.scalars(select(Location)).one()
        assert (loc.name, loc.latitude, loc.fulfills_online_orders, loc.active) == ("Porto DC", 41.1, False, False)


def test_product_variants_follow_the_latest_payload(app):
    shop_id = make_shop()
    product = payloads.parse_product(load_json(b'{"id": 1, "title": "Tee", "updated_at": "2026-01-01T00:00:00Z", '
                                               b'"variants": [{"id": 10, "price": "5.00"}, {"id": 11}]}'), "EUR")
    with db.session(shop_id=shop_id) as session:
        store.upsert_product(session, shop_id, product)
    with db.session(shop_id=shop_id) as session:
        row = store.upsert_product(session, shop_id, replace(
            product, variants=product.variants[1:], updated_at=product.updated_at + timedelta(1)))
        assert [v.shopify_id for v in row.variants] == [11]
        store.mark_product_deleted(session, shop_id, 1)
        assert row.deleted
