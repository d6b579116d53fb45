"""The spend ledger fed by real signed webhooks through the HTTP edge and an RQ worker."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from app.extensions import db
from app.membership import service
from app.models import Order, Shop, utcnow
from tests.membership.helpers import cancelled, changes, customer, entries, member, order, refund, spend_of
from tests.store.factories import make_shop
from tests.supply.orders_factories import poster


@pytest.fixture
def post(app):
    yield from poster(app)


@pytest.fixture
def shop_id(app):
    return make_shop()


def test_replayed_paid_webhook_counts_once(post, shop_id):
    post("orders/paid", order(1, "600.00", customer=7))
    post("orders/paid", order(1, "600.00", customer=7))  # a second delivery, its own webhook id
    assert entries(shop_id) == [("paid", 1, D("600"))]
    assert spend_of(shop_id, 7) == {7: D("600")}
    assert member(shop_id, 7).tier == "Silver"
    assert changes(shop_id, 7) == [(None, "Silver")]


def test_partial_refund_lowers_spend_and_starts_the_grace_clock(post, shop_id):
    post("orders/paid", order(1, "600.00", customer=7))
    post("refunds/create", refund(50, 1, "150.00"))
    post("refunds/create", refund(50, 1, "150.00"))
    assert entries(shop_id) == [("paid", 1, D("600")), ("refund", 50, D("-150"))]
    row = member(shop_id, 7)
    assert row.trailing_spend == D("450") and row.tier == "Silver" and row.below_since is not None


def test_refunds_beyond_the_order_never_go_below_zero(post, shop_id):
    # Each order contributes max(paid - refunds, 0): over-refunding one order cannot eat another's spend.
    post("orders/paid", order(1, "600.00", customer=7))
    post("refunds/create", refund(50, 1, "400.00"))
    post("refunds/create", refund(51, 1, "400.00"))
    assert spend_of(shop_id, 7) == {7: D("0")}
    post("orders/paid", order(2, "100.00", customer=7))
    assert spend_of(shop_id, 7) == {7: D("100")}


def test_refund_before_its_order_is_netted_once_the_order_arrives(post, shop_id):
    post("refunds/create", refund(50, 1, "100.00"))
    post("orders/paid", order(1, "700.00", customer=7))
    assert spend_of(shop_id, 7) == {7: D("600")}


def test_cancellation_after_an_upgrade_downgrades_only_at_review(post, shop_id):
    post("orders/paid", order(1, "300.00", customer=7, days_ago=20))
    post("orders/paid", order(2, "2000.00", customer=7))
    assert member(shop_id, 7).tier == "Gold"
    post("orders/cancelled", cancelled(2, "2000.00", customer=7))
    post("orders/cancelled", cancelled(2, "2000.00", customer=7))
    assert [e for e in entries(shop_id) if e[0] == "cancel"] == [("cancel", 2, D("-2000"))]
    assert spend_of(shop_id, 7) == {7: D("300")}
    assert member(shop_id, 7).tier == "Gold"
    with db.session(shop_id=shop_id) as s:
        shop = s.get(Shop, shop_id)
        assert service.review_shop(s, shop, utcnow() + timedelta(days=29)) == []
        first = service.review_shop(s, shop, utcnow() + timedelta(days=31))
        second = service.review_shop(s, shop, utcnow() + timedelta(days=62))
    assert [(c.from_tier, c.to_tier) for c in first + second] == [("Gold", "Silver"), ("Silver", "Bronze")]
    assert changes(shop_id, 7) == [(None, "Bronze"), ("Bronze", "Gold"), ("Gold", "Silver"), ("Silver", "Bronze")]


def test_presentment_currency_is_ignored_in_favour_of_shop_money(post, shop_id):
    post("orders/paid", order(1, "550.00", customer=7, presentment="500.00", presentment_currency="EUR"))
    assert entries(shop_id) == [("paid", 1, D("550"))]
    assert member(shop_id, 7).tier == "Silver"
    # A refund in euros with no rate in its payload is left out rather than counted at a guessed rate.
    post("refunds/create", refund(50, 1, "100.00", currency="EUR"))
    assert spend_of(shop_id, 7) == {7: D("550")}


def test_a_refund_in_the_shoppers_currency_is_converted_at_the_rate_its_lines_carry(post, shop_id):
    post("orders/paid", order(1, "880.00", customer=7, presentment="800.00", presentment_currency="EUR"))
    payload = refund(51, 1, "200.00", currency="EUR")
    payload["refund_line_items"] = [{"id": 1, "quantity": 1, "line_item_id": 2, "subtotal": 200.0, "subtotal_set": {
        "shop_money": {"amount": "220.00", "currency_code": "USD"},
        "presentment_money": {"amount": "200.00", "currency_code": "EUR"}}}]
    post("refunds/create", payload)
    assert [e for e in entries(shop_id) if e[0] == "refund"] == [("refund", 51, D("-220"))]
    assert spend_of(shop_id, 7) == {7: D("660")}


def test_guest_orders_join_the_customer_account_with_that_email(post, shop_id):
    post("orders/paid", order(1, "700.00", email="Ann@Example.com"))
    assert member(shop_id, 9) is None and spend_of(shop_id) == {}
    post("customers/create", customer(9, "ann@example.com"))
    post("orders/paid", order(2, "100.00", customer=9, email="ann@example.com"))
    assert spend_of(shop_id, 9) == {9: D("800")}
    assert member(shop_id, 9).tier == "Silver"


def test_orders_before_the_customer_record_count_for_that_customer(post, shop_id):
    post("orders/paid", order(1, "2500.00", customer=11))
    assert member(shop_id, 11).tier == "Gold"
    post("customers/create", customer(11, "c11@example.com"))
    assert spend_of(shop_id, 11) == {11: D("2500")}


def test_a_deleted_customer_keeps_their_spend_but_no_longer_absorbs_guest_orders(post, shop_id):
    post("customers/create", customer(7, "c7@example.com"))
    post("orders/paid", order(1, "600.00", customer=7))
    post("customers/delete", {"id": 7})
    post("orders/paid", order(2, "900.00", email="c7@example.com"))
    assert spend_of(shop_id) == {7: D("600")}
    assert member(shop_id, 7).tier == "Silver"


def test_redacted_customer_ledger_is_erased_and_totals_stay_consistent(post, shop_id):
    post("orders/paid", order(1, "600.00", customer=7))
    post("refunds/create", refund(50, 1, "100.00"))
    post("orders/paid", order(2, "2500.00", customer=8))
    post("customers/redact", {"shop_domain": "acme-store.myshopify.com", "customer": {"id": 7,
                              "email": "c7@example.com"}, "orders_to_redact": [1]})
    assert entries(shop_id) == [("paid", 2, D("2500"))]
    assert spend_of(shop_id) == {8: D("2500")}
    assert member(shop_id, 7) is None and changes(shop_id, 7) == []
    with db.session(shop_id=shop_id) as s:
        kept = s.scalars(select(Order).where(Order.shopify_id == 1)).one()
        assert kept.customer_shopify_id is None and kept.total_price == D("600")
        service.recompute_shop(s, s.get(Shop, shop_id))
    assert member(shop_id, 7) is None and member(shop_id, 8).tier == "Gold"


def test_a_guest_order_upgrades_the_customer_with_that_email_at_once(post, shop_id):
    post("customers/create", customer(9, "ann@example.com"))
    post("orders/paid", order(1, "2400.00", email="ANN@example.com"))
    assert member(shop_id, 9).tier == "Gold"


def test_refunds_inside_a_cancelled_order_enter_the_ledger_once(post, shop_id):
    post("orders/paid", order(1, "600.00", customer=7))
    inner = refund(50, 1, "200.00")
    post("orders/cancelled", cancelled(1, "600.00", customer=7, refunds=[inner]))
    post("refunds/create", inner)
    assert entries(shop_id) == [("paid", 1, D("600")), ("refund", 50, D("-200")), ("cancel", 1, D("-400"))]
    assert spend_of(shop_id, 7) == {7: D("0")}


def test_a_test_order_is_not_spend(post, shop_id):
    post("orders/paid", order(1, "900.00", customer=7, test=True))
    assert entries(shop_id) == [] and member(shop_id, 7) is None
    post("orders/paid", order(2, "600.00", customer=7))
    assert spend_of(shop_id, 7) == {7: D("600")}
