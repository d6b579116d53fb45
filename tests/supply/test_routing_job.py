"""The routing job against the simulator over HTTP: it reads the order's fulfillment orders, moves them with
fulfillmentOrderMove when the rule says so, and records exactly one decision per order."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rq import Queue
from sqlalchemy import select, update

from app.devshop import catalog
from app.devshop.sender import build_payload, deliver
from app.extensions import db, redis_handle
from app.models import (
    Customer,
    InventoryLevel,
    Location,
    Order,
    OrderLine,
    Product,
    RoutingDecision,
    Shop,
    ShopStatus,
    SupplySettings,
    Variant,
)
from tests.conftest import API_SECRET, make_config
from tests.store.factories import run_worker
from tests.support.servers import serve
from tests.support.tokens import sim_token_columns
from worker.jobs.supply import route_order

BROOKLYN = {"address1": "1 Main St", "city": "Brooklyn", "province_code": "NY", "country_code": "US",
            "zip": "11201", "latitude": 40.6782, "longitude": -73.9442}


@pytest.fixture
def config(migrated_database, redis_url, simulator):
    return make_config(shopify_admin_base_url=simulator)


@pytest.fixture
def world(app, config, sim_state):
    """A seeded simulator shop, mirrored in our database, with a US order assigned to Paris."""
    sim = catalog.seed_shop(sim_state, orders=3, customers=3, checkouts=0)
    locations = {loc["name"]: loc for loc in sim.data["locations"].values()}
    paris, newark = locations["Paris Marais"], locations["Newark Fulfilment"]
    variant = sim.data["variants"][min(sim.data["variants"])]
    item_id = variant["inventory_item_id"]
    for loc in sim.data["locations"].values():
        catalog.set_level(sim, item_id, loc["id"], 10 if loc in (paris, newark) else 0)
    customer = sim.data["customers"][min(sim.data["customers"])]
    order = catalog.put(sim, "orders", {
        "name": "#9001", "email": customer["email"], "customer_id": customer["id"], "processed_at": None,
        "cancelled_at": None, "cancel_reason": None, "financial_status": "PAID",
        "fulfillment_status": "UNFULFILLED", "currency": "EUR", "presentment_currency": "USD",
        "subtotal": Decimal("89.00"), "shipping": Decimal("0.00"), "total": Decimal("89.00"),
        "checkout_token": None, "cart_token": None, "source_name": "web", "tags": [], "test": False,
        "shipping_address": BROOKLYN,
        "lines": [{"id": catalog.new_id(sim), "variant_id": variant["id"], "product_id": variant["product_id"],
                   "sku": variant["sku"], "title": "Linen Overshirt", "quantity": 2, "price": Decimal("89.00"),
                   "currency": "EUR"}],
    })
    catalog.assign_fulfillment_order(sim, order["id"], paris["id"])

    with db.session() as s:
        shop = Shop(domain=sim.domain, status=ShopStatus.INSTALLED, currency="EUR",
                    **sim_token_columns(config, sim_state, sim.domain))
        s.add(shop)
        s.flush()
        for loc in sim.data["locations"].values():
            s.add(Location(shop_id=shop.id, shopify_id=loc["id"], name=loc["name"], city=loc["city"],
                           province_code=loc["province_code"], country_code=loc["country_code"], zip=loc["zip"],
                           latitude=loc["latitude"], longitude=loc["longitude"]))
            # Shopify's `available` already nets the 2 units this order committed in Paris.
            available = {paris["id"]: 8, newark["id"]: 10}.get(loc["id"], 0)
            s.add(InventoryLevel(shop_id=shop.id, inventory_item_id=item_id, location_id=loc["id"],
                                 available=available, updated_at=datetime.now(UTC)))
        product = Product(shop_id=shop.id, shopify_id=variant["product_id"], title="Linen Overshirt")
        s.add(product)
        s.flush()
        s.add(Variant(shop_id=shop.id, shopify_id=variant["id"], product_id=product.id, inventory_item_id=item_id))
        s.add(Customer(shop_id=shop.id, shopify_id=customer["id"], tags="eu, vip"))
        row = Order(shop_id=shop.id, shopify_id=order["id"], customer_shopify_id=customer["id"], currency="EUR",
                    total_price=Decimal("178.00"), shipping_address=BROOKLYN)
        row.lines.append(OrderLine(shop_id=shop.id, shopify_id=order["lines"][0]["id"], variant_id=variant["id"],
                                   quantity=2, price=Decimal("89.00"), currency="EUR"))
        s.add(row)
        s.add(SupplySettings(shop_id=shop.id, routing_enabled=True, routing_min_gain_days=2))
    return {"shop_id": shop.id, "sim": sim, "order_id": order["id"], "paris": paris["id"],
            "newark": newark["id"], "item_id": item_id, "customer_id": customer["id"]}


def sim_location(world) -> int:
    (fo,) = world["sim"].data["fulfillment_orders"][world["order_id"]]
    return fo["location_id"]


def decisions(world) -> list[RoutingDecision]:
    with db.session(shop_id=world["shop_id"]) as s:
        return list(s.scalars(select(RoutingDecision)))


def run(app, world) -> str:
    with app.app_context():
        return route_order(world["shop_id"], world["order_id"])


def test_a_faster_warehouse_gets_the_order_and_shopify_shows_the_new_location(app, world, sim_state):
    assert run(app, world) == "moved"
    assert sim_location(world) == world["newark"]
    (decision,) = decisions(world)
    assert (decision.action, decision.from_location_shopify_id, decision.to_location_shopify_id) == (
        "moved", world["paris"], world["newark"])
    assert "faster: arrives by" in decision.reason
    assert decision.promised_earliest <= decision.promised_latest
    assert sim_state.calls["graphql:FulfillmentOrderMove"] == 1


def test_running_twice_records_one_decision_and_moves_once(app, world, sim_state):
    assert run(app, world) == "moved"
    assert run(app, world) == "already"
    assert len(decisions(world)) == 1
    assert sim_state.calls["graphql:FulfillmentOrderMove"] == 1


def test_an_order_already_in_progress_is_never_moved(app, world, sim_state):
    catalog.assign_fulfillment_order(world["sim"], world["order_id"], world["paris"], fulfilled=1)
    assert run(app, world) == "skipped"
    assert sim_location(world) == world["paris"]
    (decision,) = decisions(world)
    assert (decision.action, decision.reason) == ("skipped", "the fulfillment order is in progress")
    assert "graphql:FulfillmentOrderMove" not in sim_state.calls


def test_shopify_refusing_the_move_is_recorded_as_failed_without_retrying(app, world, sim_state):
    # Our copy of the stock is stale: Newark no longer stocks the item, and Shopify says so.
    del world["sim"].data["levels"][(world["item_id"], world["newark"])]
    assert run(app, world) == "failed"
    assert sim_location(world) == world["paris"]
    (decision,) = decisions(world)
    assert decision.action == "failed"
    assert decision.reason == ("Shopify refused the move: The new location does not stock every item of the "
                               "fulfillment order.")
    assert run(app, world) == "already"
    assert sim_state.calls["graphql:FulfillmentOrderMove"] == 1


def test_a_small_gain_keeps_the_order_but_gold_members_still_move(app, world):
    with db.session(shop_id=world["shop_id"]) as s:
        s.scalar(select(SupplySettings)).routing_min_gain_days = 30
    assert run(app, world) == "kept"
    assert sim_location(world) == world["paris"]
    assert "less than the 30 days threshold" in decisions(world)[0].reason

    with db.session(shop_id=world["shop_id"]) as s:
        s.execute(RoutingDecision.__table__.delete())
        s.scalar(select(Customer)).tags = "eu, flexchain-tier-gold"
    assert run(app, world) == "moved"
    assert decisions(world)[0].reason.startswith("gold member: fastest complete warehouse")
    assert sim_location(world) == world["newark"]


def test_routing_switched_off_does_nothing(app, world, sim_state):
    with db.session(shop_id=world["shop_id"]) as s:
        s.scalar(select(SupplySettings)).routing_enabled = False
    assert run(app, world) == "disabled"
    assert decisions(world) == []
    assert "graphql:FulfillmentOrdersForOrder" not in sim_state.calls


def test_orders_create_queues_one_routing_job_per_order(app, world):
    payload = build_payload("orders/create", shop_domain=world["sim"].domain)
    payload.update(id=world["order_id"], admin_graphql_api_id=f"gid://shopify/Order/{world['order_id']}")
    with serve(app) as url:
        for webhook_id in ("w-1", "w-2"):  # a redelivery under another id must not queue a second job
            response = deliver(f"{url}/webhooks", "orders/create", world["sim"].domain, payload, API_SECRET,
                               webhook_id=webhook_id)
            assert response.status_code == 200
    run_worker()
    jobs = Queue("default", connection=redis_handle.conn).jobs
    assert [(j.id, j.args, j.meta) for j in jobs] == [
        (f"route-{world['shop_id']}-{world['order_id']}", (world["shop_id"], world["order_id"]),
         {"shop_id": world["shop_id"]})]


def test_an_order_whose_routing_job_was_never_queued_is_routed_by_the_sweep(app, world, sim_state):
    from datetime import timedelta

    from worker.jobs.supply import route_missed

    with db.session(shop_id=world["shop_id"]) as s:
        s.execute(update(Order).values(shopify_created_at=datetime.now(UTC) - timedelta(minutes=10)))
    queued = Queue("default", connection=redis_handle.conn)
    with app.app_context():
        assert route_missed() == 1
        assert route_missed() == 1  # still undecided: queued again under the same id, so once in the queue
    assert [job.id for job in queued.jobs] == [f"route-{world['shop_id']}-{world['order_id']}"]
    with app.app_context():
        assert run(app, world) == "moved"
        assert route_missed() == 0  # decided: the sweep leaves it alone
    assert sim_location(world) == world["newark"]


def test_the_sweep_leaves_fresh_and_old_orders_to_others(app, world):
    from datetime import timedelta

    from worker.jobs.supply import route_missed

    for age in (timedelta(seconds=30), timedelta(days=2)):
        with db.session(shop_id=world["shop_id"]) as s:
            s.execute(update(Order).values(shopify_created_at=datetime.now(UTC) - age))
        with app.app_context():
            assert route_missed() == 0
