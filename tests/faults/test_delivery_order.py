"""Deliveries as Shopify really makes them, in one burst through the HTTP edge and one drain: the same
webhook three times at once, an order before the checkout it came from, inventory levels newest first,
an event for a shop that uninstalled, and a day-late event older than what we already hold."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from app.devshop.sender import build_payload
from app.extensions import db
from app.models import Checkout, EventStatus, InventoryLevel, Order, ShopStatus
from app.models.recovery import CaseStatus, RecoveryCase
from tests.faults.effects import tally
from tests.store.factories import events, make_shop, run_worker
from tests.support import webhook_payloads as payloads

pytestmark = pytest.mark.slow

GONE = "gone-store.myshopify.com"


def test_duplicates_reordering_uninstalled_shops_and_late_events_each_count_once(app, post):
    make_shop()
    make_shop(GONE, status=ShopStatus.UNINSTALLED)

    # The same delivery three times at the same moment: three 200s, one row.
    start = threading.Barrier(3)
    codes: list[int] = []

    def redeliver() -> None:
        start.wait()
        codes.append(post("orders/paid", payloads.order(1), "same-webhook").status_code)

    threads = [threading.Thread(target=redeliver) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert codes == [200, 200, 200]

    # An order paid before the checkout it came from is heard of.
    assert post("orders/paid", payloads.order(2), "order-2").status_code == 200
    assert post("checkouts/update", payloads.checkout(2), "checkout-2").status_code == 200
    # Inventory levels of one item, delivered newest first.
    for minute in (30, 20, 10):
        level = build_payload("inventory_levels/update", available=minute, updated_at=f"2026-03-01T10:{minute}:00Z")
        assert post("inventory_levels/update", level, f"inventory-{minute}").status_code == 200
    # A shop that uninstalled still gets a delivery already on its way.
    assert post("orders/paid", payloads.order(3), "gone-order", shop=GONE).status_code == 200
    run_worker()

    # A day late: the order as it stood 24 hours before the version we hold.
    late = payloads.order(2, topic="orders/create", updated_at="2026-02-28T10:00:00Z")
    late["financial_status"] = "pending"
    assert post("orders/create", late, "order-2-late").status_code == 200
    run_worker()

    assert Counter(e.status for e in events()) == {EventStatus.DONE: 7, EventStatus.IGNORED: 1}
    assert [e.error for e in events(status=EventStatus.IGNORED)] == ["shop is not installed"]
    assert {e.attempts for e in events()} == {1}
    counts = tally()
    assert (counts["orders"], counts["spend_entries"]) == (2, 2)  # orders 1 and 2, each counted once
    with db.session() as session:
        order_two = session.scalars(select(Order).where(Order.shopify_id == 10**9 + 2)).one()
        assert order_two.financial_status == "paid"  # the late event did not roll it back
        checkout = session.scalars(select(Checkout)).one()
        assert checkout.converted_order_shopify_id == 10**9 + 2
        assert session.scalars(select(RecoveryCase.status)).all() in ([], [CaseStatus.CONVERTED])
        assert session.scalars(select(InventoryLevel.available)).all() == [30]
