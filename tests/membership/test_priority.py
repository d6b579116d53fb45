"""Fulfilment priority: an orders/create webhook from a Gold member leads, through a real worker and the
simulator, to the priority tag and one note line on the order in Shopify; other customers' orders are
left alone and a replay adds nothing."""

from __future__ import annotations

from decimal import Decimal

from rq import SimpleWorker

from app import queue as queues
from app.devshop import catalog
from app.devshop.sender import build_payload, deliver
from app.extensions import redis_handle
from app.membership.priority import note_line, with_line
from app.models import utcnow
from tests.conftest import API_SECRET
from tests.membership.test_writeback import config as config  # noqa: F401 (fixture)
from tests.membership.test_writeback import world as world  # noqa: F401 (fixture)
from tests.support.servers import serve


def test_the_note_line_is_added_once_and_never_past_shopifys_limit():
    line = note_line("Gold", 48)
    assert line == "Flexchain Gold member: ship within 48 h"
    assert with_line(None, line) == line
    assert with_line("Gift wrap, please", line) == f"Gift wrap, please\n{line}"
    assert with_line(f"Gift wrap\n{line}", line) is None
    assert with_line("x" * 4990, line) is None
    assert note_line("Silver", None) == "Flexchain Silver member: priority"


def place_order(sim, customer_id: int, note: str | None) -> dict:
    now = utcnow()
    order = catalog.put(sim, "orders", {
        "name": f"#{catalog.new_id(sim)}", "email": "m@example.com", "customer_id": customer_id, "processed_at": now,
        "cancelled_at": None, "cancel_reason": None, "financial_status": "PAID", "fulfillment_status": "UNFULFILLED",
        "currency": "EUR", "presentment_currency": "EUR", "subtotal": Decimal("50.00"), "shipping": Decimal(0),
        "total": Decimal("50.00"), "checkout_token": None, "cart_token": None, "source_name": "web", "tags": [],
        "test": False, "shipping_address": None, "note": note, "lines": []})
    return order


def payload(sim, order: dict, customer_id: int) -> dict:
    iso = utcnow().isoformat()
    return build_payload(
        "orders/create", shop_domain=sim.domain, id=order["id"], admin_graphql_api_id=f"gid://shopify/Order/{order['id']}",
        name=order["name"], email="m@example.com", currency="EUR", presentment_currency="EUR", total_price="50.00",
        financial_status="paid", test=False, created_at=iso, updated_at=iso, processed_at=iso, note=order["note"],
        cancelled_at=None, checkout_token=None, cart_token=None, line_items=[], refunds=[], fulfillments=[],
        customer={"id": customer_id, "admin_graphql_api_id": f"gid://shopify/Customer/{customer_id}",
                  "email": "m@example.com", "tags": ""})


def test_a_gold_members_order_is_tagged_and_noted_once(app, world):
    sim, gold, bronze = world["sim"], world["customers"][0], world["customers"][5]
    gold_order = place_order(sim, gold, "Gift wrap, please")
    bronze_order = place_order(sim, bronze, None)
    with serve(app) as url:
        for n, (order, customer) in enumerate([(gold_order, gold), (bronze_order, bronze), (gold_order, gold)]):
            response = deliver(f"{url}/webhooks", "orders/create", sim.domain, payload(sim, order, customer),
                               API_SECRET, webhook_id=f"prio-{n}")
            assert response.status_code == 200
            # The webhook queue, then the job its handler queued (the priority mark calls the simulator).
            SimpleWorker([queues.get_queue(queues.WEBHOOKS), queues.get_queue(queues.DEFAULT)],
                         connection=redis_handle.conn).work(burst=True)
    marked = sim.data["orders"][gold_order["id"]]
    assert "flexchain-priority-gold" in marked["tags"]
    assert marked["note"] == "Gift wrap, please\nFlexchain Gold member: ship within 48 h"
    # Bronze has no priority perk by default: nothing written.
    untouched = sim.data["orders"][bronze_order["id"]]
    assert untouched["tags"] == [] and untouched["note"] is None
