"""Shopify webhook JSON → records, on the documentation samples and on hostile variations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.devshop.sender import build_payload
from app.shopify import payloads
from app.shopify.payloads import PayloadError, load_json


def parse(topic: str, **overrides):
    return load_json(json.dumps(build_payload(topic, **overrides)).encode())


def test_order_uses_exact_gid_ids_shop_money_and_utc_times():
    order = payloads.parse_order(parse("orders/create"))
    # The sample's numeric id was rounded by a JSON tool; the GID carries the real id.
    assert order.shopify_id == 820982911946154508
    assert order.total_price.amount == Decimal("404.95") and order.total_price.currency == "USD"
    assert order.total_shipping.amount == Decimal("10.00")
    assert order.created_at == datetime(2022, 1, 1, 0, 0, tzinfo=UTC)
    assert order.customer_id == 115310627314723954 and order.customer.email == "john@example.com"
    assert order.tags == ("tag1", "tag2")
    assert order.lines[0].shopify_id == 487817672276298554 and order.lines[0].price.amount == Decimal("89.99")
    assert order.shipping_address.country_code == "US"


def test_big_ids_never_pass_through_float():
    body = b'{"inventory_item_id": 12345678901234567891, "location_id": 98765432109876543210, ' \
           b'"available": 3, "updated_at": "2024-01-01T00:00:00Z"}'
    level = payloads.parse_inventory_level(load_json(body))
    assert level.inventory_item_id == 12345678901234567891
    assert level.location_id == 98765432109876543210
    with pytest.raises(PayloadError, match="location_id"):
        payloads.parse_inventory_level(load_json(body.replace(b"98765432109876543210", b"9.8e19")))


def test_inventory_level_takes_item_id_from_gid():
    level = payloads.parse_inventory_level(parse("inventory_levels/update"))
    assert (level.inventory_item_id, level.location_id, level.available) == (271878346596884015, 24826418, 10)


def test_refund_sums_successful_transactions():
    refund = payloads.parse_refund(parse("refunds/create"), "USD")
    assert refund.shopify_id == 890088186047892319
    assert refund.amount.amount == Decimal("85.00") and refund.amount.currency == "USD"


def test_checkout_cart_customer_location_product_and_more():
    checkout = payloads.parse_checkout(parse("checkouts/update", id=77))
    assert (checkout.token, checkout.shopify_id) == ("123123123", 77)
    assert checkout.cart_token == "eeafa272cebfd4b22385bc4b645e762c"
    assert checkout.total_price.amount == Decimal("421.88") and len(checkout.lines) == 2
    assert payloads.parse_cart(parse("carts/update")).lines[0].quantity == 3
    customer = payloads.parse_customer(parse("customers/update"))
    assert customer.shopify_id == 706405506930370084 and customer.email_marketing_state is None
    location = payloads.parse_location(parse("locations/update"))
    assert location.fulfills_online_orders is None and location.address.country_code == "PT"
    product = payloads.parse_product(parse("products/update"), "EUR")
    assert product.variants[0].price.currency == "EUR" and product.variants[0].inventory_item_id == 271878346596884015
    consent = payloads.parse_email_consent(parse("customers_email_marketing_consent/update"))
    assert consent.state == "SUBSCRIBED" and consent.opt_in_level == "CONFIRMED_OPT_IN"
    assert payloads.parse_scopes(parse("app/scopes_update")).current == ("read_products", "write_products")
    bulk = payloads.parse_bulk_operation(parse("bulk_operations/finish"))
    assert bulk.gid == "gid://shopify/BulkOperation/147595010" and bulk.status == "COMPLETED"
    request = payloads.parse_customer_privacy(parse("customers/data_request", shop_domain="a.myshopify.com"))
    assert request.request_id == "9999" and request.order_ids == (299938, 280263, 220458)
    assert payloads.parse_deleted_id(parse("products/delete")) == 788032119674292922


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"id": 1, "currency": "USD"}', "total_price"),
        (b'{"id": true, "currency": "USD", "total_price": "1.00"}', "id must be an integer"),
        (b'{"id": 1, "currency": "USD", "total_price": "abc"}', "total_price must be a number"),
        (b'{"id": 1, "currency": "USD", "total_price": "1", "created_at": "yesterday"}', "created_at"),
        (b'{"id": 1, "currency": "USD", "total_price": "1", "created_at": "2024-01-01T00:00:00"}', "UTC offset"),
        (b'{"id": 1, "currency": "DOLLARS", "total_price": "1"}', "currency"),
        (b'{"id": 1, "currency": "USD", "total_price": "1", "line_items": [{"quantity": 1}]}', "price"),
    ],
)
def test_malformed_orders_raise_a_clear_payload_error(body, message):
    with pytest.raises(PayloadError, match=message):
        payloads.parse_order(load_json(body))
