"""Reconciliation repairs what lost webhooks missed, and never rolls back newer data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.devshop import catalog
from app.extensions import db
from app.models import Checkout, Customer, InventoryLevel, Order, Shop, SyncStep
from app.queue import SYNC, get_queue
from app.shopify.admin_api import AdminClient
from app.sync.reconcile import reconcile_shop
from worker.jobs.sync import first_sync, reconcile, reconcile_all


def _order(session, shopify_id: int) -> Order | None:
    return session.scalars(select(Order).where(Order.shopify_id == shopify_id)).one_or_none()


def test_reconciliation_repairs_missed_webhooks(ctx, shop_id, sim_shop, fast):
    assert first_sync(shop_id, fast) == "done"
    data = sim_shop.data
    now = datetime.now(UTC)
    # What happened at Shopify while our webhooks got lost:
    template = next(iter(data["orders"].values()))
    new_order = catalog.put(sim_shop, "orders", {**template, "id": catalog.new_id(sim_shop), "name": "#9999",
                                                 "lines": [dict(template["lines"][0], id=catalog.new_id(sim_shop))],
                                                 "created_at": now, "updated_at": now}, now=now)
    refunded = list(data["orders"].values())[10]
    catalog.modify(sim_shop, "orders", refunded["id"], financial_status="REFUNDED", now=now)
    customer = next(c for c in data["customers"].values() if c["email_marketing_state"] == "SUBSCRIBED")
    catalog.modify(sim_shop, "customers", customer["id"], email_marketing_state="UNSUBSCRIBED",
                   consent_updated_at=now, now=now)
    item_id, location_id = next(iter(data["levels"]))
    catalog.set_level(sim_shop, item_id, location_id, 3, now=now)
    checkout = next(iter(data["checkouts"].values()))
    catalog.put(sim_shop, "checkouts", {**checkout, "id": catalog.new_id(sim_shop), "token": "lost" * 8,
                                        "created_at": now, "updated_at": now})

    counts = reconcile(shop_id)

    assert counts["orders"] >= 2 and counts["customers"] >= 1 and counts["inventory_levels"] >= 1
    with db.session() as session:
        assert _order(session, new_order["id"]).name == "#9999"
        assert _order(session, refunded["id"]).financial_status == "refunded"
        row = session.scalars(select(Customer).where(Customer.shopify_id == customer["id"])).one()
        assert row.email_marketing_state == "UNSUBSCRIBED"
        level = session.scalars(select(InventoryLevel).where(InventoryLevel.inventory_item_id == item_id,
                                                             InventoryLevel.location_id == location_id)).one()
        assert level.available == 3
        assert session.scalars(select(Checkout).where(Checkout.token == "lost" * 8)).one()
        marker = session.scalars(select(SyncStep).where(SyncStep.step == "reconcile")).one()
        assert marker.status == "done" and marker.cursor


def test_each_run_reads_only_what_changed_since_the_previous_one(ctx, shop_id, sim_shop, fast):
    first_sync(shop_id, fast)

    def run_at(moment: datetime) -> dict[str, int]:
        with db.session(shop_id=shop_id) as session:
            shop = session.get(Shop, shop_id)
            client = AdminClient.for_shop(shop)
            try:
                return reconcile_shop(session, shop, client, now=moment)
            finally:
                client.close()

    later = datetime.now(UTC) + timedelta(hours=2)
    assert sum(run_at(later).values()) > 0  # the first run looks back to the first sync
    assert run_at(later + timedelta(minutes=30)) == {"orders": 0, "checkouts": 0, "customers": 0,
                                                     "inventory_levels": 0}
    order = next(iter(sim_shop.data["orders"].values()))
    catalog.modify(sim_shop, "orders", order["id"], now=later + timedelta(minutes=31))
    assert run_at(later + timedelta(minutes=40))["orders"] == 1


def test_reconciliation_never_rolls_back_newer_data(ctx, shop_id, sim_shop, fast):
    first_sync(shop_id, fast)
    order = list(sim_shop.data["orders"].values())[5]
    catalog.modify(sim_shop, "orders", order["id"])  # re-read by the next run, still "paid" at Shopify
    later = datetime.now(UTC) + timedelta(minutes=5)
    with db.session() as session:
        row = _order(session, order["id"])
        # A webhook newer than anything the Admin API will return already told us about a refund.
        row.financial_status, row.shopify_updated_at, row.total_refunded = "refunded", later, Decimal("10")
    reconcile(shop_id)
    with db.session() as session:
        assert _order(session, order["id"]).financial_status == "refunded"


def test_reconcile_all_fans_out_one_job_per_installed_shop(ctx, shop_id):
    assert reconcile_all() == 1
    job = get_queue(SYNC).fetch_job(f"reconcile-{shop_id}")
    assert job is not None and job.args == (shop_id,)
    assert reconcile_all() == 1
    assert get_queue(SYNC).count == 1  # still queued: not queued twice


def test_an_order_with_many_lines_keeps_all_of_them(ctx, shop_id, sim_shop, sim_state, fast):
    first_sync(shop_id, fast)
    order = next(iter(sim_shop.data["orders"].values()))
    line = order["lines"][0]
    lines = [dict(line, id=catalog.new_id(sim_shop)) for _ in range(30)]  # more than one page of lines
    catalog.modify(sim_shop, "orders", order["id"], lines=lines)
    reconcile(shop_id)
    with db.session() as session:
        assert len(_order(session, order["id"]).lines) == 30
    assert sim_state.calls["graphql:OrderLineItems"] == 1
