"""The set-based batch path gives the database the per-event path gives, event for event.

The same deliveries are stored twice: once processed one event at a time (`process_event`, each its own
transaction, in arrival order), once drained as one batch. Every row a handler writes is compared, keyed by
Shopify's ids rather than ours, leaving out only the times that record when we processed (created_at,
updated_at, processed_at, tier_since and the tier change's `at`).
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import text

from app.devshop.sender import build_payload
from app.extensions import db
from app.models import EventStatus, ShopStatus, WebhookEvent, utcnow
from app.webhooks.drain import drain_batch
from app.webhooks.processing import process_event
from tests.conftest import _reset
from tests.store.factories import SHOP, events, make_shop
from tests.support import webhook_payloads as payloads

GONE = "gone-store.myshopify.com"
NOBODY = "nobody-store.myshopify.com"
EARLY, LATE = "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"

# Emails and phones are encrypted with a random nonce, so they are compared by their blind indexes.
SNAPSHOT = {
    "orders": "SELECT o.shopify_id, o.name, o.email_hash, o.customer_shopify_id, o.total_price, o.total_refunded, "
              "o.financial_status, o.test, o.paid_at, o.fulfilled_at, o.shopify_updated_at, o.checkout_token "
              "FROM orders o",
    "order_lines": "SELECT o.shopify_id, l.shopify_id, l.title, l.quantity, l.price FROM order_lines l "
                   "JOIN orders o ON o.id = l.order_id",
    "refunds": "SELECT shopify_id, order_shopify_id, amount, currency FROM refunds",
    "customers": "SELECT shopify_id, email_hash, phone_hash, first_name, tags, email_marketing_state FROM customers",
    "checkouts": "SELECT token, email_hash, phone_hash, cart_token, total_price, shopify_updated_at, "
                 "converted_order_shopify_id FROM checkouts",
    "checkout_lines": "SELECT c.token, l.title, l.quantity, l.price FROM checkout_lines l "
                      "JOIN checkouts c ON c.id = l.checkout_id",
    "recovery_cases": "SELECT c.token, r.status, r.email_hash, r.customer_shopify_id, r.due_at, r.order_shopify_id, "
                      "r.revenue FROM recovery_cases r JOIN checkouts c ON c.id = r.checkout_id",
    "spend_entries": "SELECT kind, source_id, order_shopify_id, customer_shopify_id, email_hash, amount, occurred_at "
                     "FROM spend_entries",
    "memberships": "SELECT customer_shopify_id, tier, pinned_tier, below_since, trailing_spend, writeback_due "
                   "FROM memberships",
    "tier_changes": "SELECT customer_shopify_id, from_tier, to_tier, reason FROM tier_changes "
                    "ORDER BY customer_shopify_id, id",  # each member's moves in the order they happened
    # An error's first line: the statement's parameters after it hold ciphertext, different every time.
    "webhook_events": "SELECT webhook_id, status, attempts, split_part(error, E'\\n', 1) FROM webhook_events",
}


def snapshot() -> dict[str, list]:
    with db.engine.connect() as conn:
        return {name: (rows if "ORDER BY" in sql else sorted(rows, key=repr))
                for name, sql in SNAPSHOT.items() for rows in [[tuple(r) for r in conn.execute(text(sql))]]}


def refund(n: int, order_n: int, amount: str, currency: str = "USD") -> dict:
    body = build_payload("refunds/create")
    money = {"shop_money": {"amount": amount, "currency_code": currency},
             "presentment_money": {"amount": amount, "currency_code": currency}}
    body.update(id=5 * 10**9 + n, order_id=10**9 + order_n, admin_graphql_api_id=f"gid://shopify/Refund/{n}",
                refund_line_items=[], order_adjustments=[],
                transactions=[{"id": 6 * 10**9 + n, "kind": "refund", "status": "success", "amount": amount,
                               "currency": currency, "amount_set": money}])
    return body


def deliveries() -> list[tuple[str, str, dict]]:
    """(shop, topic, body) in arrival order: a little of everything the batch has to get right."""
    order, checkout = payloads.order, payloads.checkout
    refunded = order(5, customer=9)
    refunded["refunds"] = [refund(1, 5, "100.00"), refund(2, 5, "50.00", currency="EUR")]
    older = order(3, customer=8, updated_at=EARLY)
    older["total_price_set"] = {"shop_money": {"amount": "1.00", "currency_code": "USD"}}
    guest = order(20, customer=None)
    guest["customer"], guest["email"] = None, "guest@example.com"
    no_contact = checkout(7)
    no_contact.update(email=None, phone=None, customer=None)
    return [
        (SHOP, "checkouts/update", checkout(1)),  # converted by order 1 below: case opened, then converted
        (SHOP, "orders/paid", order(1, customer=7)),
        *[(SHOP, "orders/paid", order(10 + k, customer=7)) for k in range(5)],  # Bronze → Silver → Gold in turn
        (SHOP, "orders/paid", order(3, customer=8, updated_at=LATE)),
        (SHOP, "orders/paid", older),  # older than the stored version: ignored
        (SHOP, "orders/paid", order(10, customer=7)),  # a redelivery
        (SHOP, "orders/paid", dict(order(4, customer=8), test=True)),  # a test order is no spend
        (SHOP, "orders/paid", refunded),  # a refund in shop money counts, one in EUR does not
        (SHOP, "orders/paid", order(6, customer=11)),  # the order before its checkout: linked, no case
        (SHOP, "checkouts/update", checkout(6)),
        (SHOP, "checkouts/update", no_contact),  # no contact details: no case
        (SHOP, "checkouts/update", checkout(8, updated_at=LATE)),
        (SHOP, "checkouts/update", dict(checkout(8, updated_at=EARLY), email="stale@example.com")),
        (SHOP, "orders/paid", guest),
        (NOBODY, "orders/paid", order(30, customer=12)),  # unknown shop: ignored
        (GONE, "checkouts/update", checkout(31)),  # uninstalled shop: ignored
        (SHOP, "orders/paid", {"id": 1}),  # no total: failed, not retried
        (SHOP, "refunds/create", refund(3, 3, "20.00")),  # another topic: processed in its place
        (SHOP, "orders/paid", order(12, customer=7, updated_at=LATE)),
    ]


def store(items: list[tuple[str, str, dict]]) -> None:
    import json

    with db.session() as session:
        for n, (shop, topic, body) in enumerate(items):
            session.add(WebhookEvent(shop_domain=shop, topic=topic, webhook_id=f"w{n}", event_id=f"e{n}",
                                     api_version="2026-07", received_at=utcnow(), status=EventStatus.RECEIVED,
                                     attempts=0, body=json.dumps(body).encode()))


def fresh(items: list[tuple[str, str, dict]]) -> None:
    _reset(db.engine)
    make_shop()
    make_shop(GONE, status=ShopStatus.UNINSTALLED)
    store(items)


def per_event_then_batch(items, caplog) -> tuple[dict, dict]:
    fresh(items)
    for event in events():
        # A failure is recorded on the event, as its job would leave it after a first attempt.
        with contextlib.suppress(Exception):
            process_event(event.id)
    one_by_one = snapshot()
    fresh(items)
    with caplog.at_level(logging.INFO, logger="app.webhooks.batch"):
        drain_batch(limit=len(items))
    return one_by_one, snapshot()


def test_a_mixed_batch_gives_what_the_events_one_by_one_give(app, caplog):
    one_by_one, batched = per_event_then_batch(deliveries(), caplog)
    assert not [r.message for r in caplog.records if "one by one" in r.message]  # set-based, no fallback
    for table in SNAPSHOT:
        assert batched[table] == one_by_one[table], table
    # And what that state says, so the comparison above cannot pass on two empty databases.
    assert {m[0] - 2 * 10**9: (m[1], m[4]) for m in batched["memberships"]} == {
        7: ("Gold", 6 * payloads_total()), 8: ("Bronze", payloads_total() - 20), 9: ("Bronze", payloads_total() - 100),
        11: ("Bronze", payloads_total())}
    assert [c[2] for c in batched["tier_changes"] if c[0] == 2 * 10**9 + 7] == ["Bronze", "Silver", "Gold"]
    cases = {c[0]: c[1] for c in batched["recovery_cases"]}
    assert cases == {"bench-checkout-1": "converted", "bench-checkout-8": "pending"}
    statuses = {e[0]: e[1] for e in batched["webhook_events"]}
    assert [statuses[f"w{n}"] for n in (18, 19, 20)] == ["ignored", "ignored", "failed"]


def payloads_total():
    from decimal import Decimal

    return Decimal(payloads.order(0)["total_price_set"]["shop_money"]["amount"])


def test_a_malformed_event_is_isolated_and_the_rest_of_its_batch_processed(app, caplog):
    bad = payloads.order(40, customer=7)
    bad["name"] = "#" + "9" * 100  # longer than the column: the database refuses it
    items = [*deliveries()[:5], (SHOP, "orders/paid", bad), *deliveries()[5:]]
    one_by_one, batched = per_event_then_batch(items, caplog)
    assert [r.message for r in caplog.records if "fell back to one by one" in r.message]
    for table in SNAPSHOT:
        assert batched[table] == one_by_one[table], table
    failed = [e for e in batched["webhook_events"] if e[0] == "w5"][0]
    assert failed[1:3] == ("received", 1) and "StringDataRightTruncation" in failed[3]
    assert sum(e[1] == "done" for e in batched["webhook_events"]) == len(items) - 4


def test_events_whose_rows_another_drain_holds_wait_for_a_later_batch(app):
    from app.webhooks.batch import _lock_key

    shop_id = make_shop()
    store([(SHOP, "orders/paid", payloads.order(1, customer=7)), (SHOP, "orders/paid", payloads.order(2, customer=8)),
           (SHOP, "customers/update", build_payload("customers/update")),  # a barrier: two runs in one batch
           (SHOP, "orders/paid", payloads.order(3, customer=7))])
    with db.engine.begin() as other:  # another drain holds customer 7 until it commits
        other.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                      {"key": _lock_key(("customer", shop_id, 2 * 10**9 + 7))})
        assert drain_batch() == {EventStatus.DONE: 2, "deferred": 2}
        assert [(e.webhook_id, e.status, e.attempts) for e in events()] == [
            ("w0", EventStatus.RECEIVED, 0), ("w1", EventStatus.DONE, 1), ("w2", EventStatus.DONE, 1),
            ("w3", EventStatus.RECEIVED, 0)]
    assert drain_batch() == {EventStatus.DONE: 2}
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT to_tier FROM tier_changes WHERE customer_shopify_id = :c ORDER BY id"),
                            {"c": 2 * 10**9 + 7}).scalars().all() == ["Bronze", "Silver"]
