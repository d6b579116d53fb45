"""First sync end to end: simulator over HTTP → Admin client and bulk operations → PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db, redis_handle
from app.models import (
    Checkout,
    Customer,
    InventoryItem,
    InventoryLevel,
    Location,
    Order,
    OrderLine,
    Product,
    Shop,
    SyncStep,
    Variant,
)
from app.queue import SYNC, get_queue
from app.shopify.bulk import BulkOperationFailed
from app.sync.service import STEPS, SyncOptions, on_bulk_operation_finish, sync_summary
from worker.jobs.sync import first_sync


def count(model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def progress(shop_id: int) -> dict:
    with db.session() as session:
        return sync_summary(session, shop_id)


def test_first_sync_fills_the_database(ctx, shop_id, sim_shop, sim_state, fast):
    assert first_sync(shop_id, fast) == "done"
    data = sim_shop.data
    with db.session() as session:
        shop = session.get(Shop, shop_id)
        assert (shop.currency, shop.timezone, shop.country_code, shop.name) == (
            "EUR", "Europe/Paris", "FR", "Flexchain Demo")
        newark = session.scalars(select(Location).where(Location.city == "Newark")).one()
        assert (newark.latitude, newark.longitude, newark.country_code) == (40.6895, -74.1745, "US")
        some_customer = next(iter(data["customers"].values()))
        row = session.scalars(select(Customer).where(Customer.shopify_id == some_customer["id"])).one()
        assert row.email == some_customer["email"]
        assert row.email_marketing_state == some_customer["email_marketing_state"]
        some_order = next(iter(data["orders"].values()))
        order = session.scalars(select(Order).where(Order.shopify_id == some_order["id"])).one()
        assert order.total_price == some_order["total"]
        assert len(order.lines) == len(some_order["lines"])
    assert count(Location) == len(data["locations"]) == 4
    assert count(Product) == len(data["products"]) == 20
    assert count(Variant) == len(data["variants"])
    assert count(InventoryItem) == len(data["inventory_items"])
    assert count(InventoryLevel) == len(data["levels"])
    assert count(Customer) == len(data["customers"]) == 60
    assert count(Order) == len(data["orders"]) == 300
    assert count(OrderLine) == sum(len(o["lines"]) for o in data["orders"].values())
    assert count(Checkout) == len(data["checkouts"])
    report = progress(shop_id)
    assert report["complete"] and report["fraction"] == 1.0
    assert [s["step"] for s in report["steps"]] == list(STEPS)
    assert sim_state.calls["graphql:BulkOperationRunQuery"] == 4


def test_running_it_twice_changes_nothing_and_asks_nothing(ctx, shop_id, sim_state, fast):
    first_sync(shop_id, fast)
    calls = dict(sim_state.calls)
    orders = count(Order)
    assert first_sync(shop_id, fast) == "done"
    assert sim_state.calls == calls
    assert count(Order) == orders


def test_resume_after_a_failure_mid_sync(ctx, shop_id, sim_state, fast):
    sim_state.faults["bulk"] = [None, None, "FAILED"]  # products, inventory fine; customers fails
    with pytest.raises(BulkOperationFailed):
        first_sync(shop_id, fast)
    report = {s["step"]: s for s in progress(shop_id)["steps"]}
    assert [report[s]["status"] for s in STEPS] == ["done", "done", "done", "done", "failed", "pending", "pending"]
    assert "FAILED" in report["customers"]["error"]
    assert not progress(shop_id)["complete"]
    products = count(Product)

    assert first_sync(shop_id, fast) == "done"
    # Products and inventory were not fetched again: only customers (restarted) and orders started.
    assert sim_state.calls["graphql:BulkOperationRunQuery"] == 3 + 2
    assert sim_state.calls["graphql:ShopSettings"] == 1
    assert count(Product) == products
    assert progress(shop_id)["complete"]


def test_a_running_bulk_operation_is_reattached_not_restarted(ctx, shop_id, sim_shop, sim_state, fast):
    sim_shop.data["bulk_delay"] = 1.0
    assert first_sync(shop_id, SyncOptions(bulk_wait=0.1, poll_interval=0.05)) == "waiting"
    products = {s["step"]: s for s in progress(shop_id)["steps"]}["products"]
    assert products["status"] == "running" and products["bulk_operation_id"]
    # The re-check is scheduled in case the bulk_operations/finish webhook is lost.
    assert "sync-recheck-" + str(shop_id) in get_queue(SYNC).scheduled_job_registry.get_job_ids()

    sim_shop.data["bulk_delay"] = 0.05
    assert first_sync(shop_id, fast) == "done"
    assert sim_state.calls["graphql:BulkOperationRunQuery"] == 4  # products started once
    with db.session() as session:
        step = session.scalars(select(SyncStep).where(SyncStep.step == "products")).one()
        assert step.bulk_operation_id == products["bulk_operation_id"]


def test_bulk_finish_webhook_wakes_the_waiting_sync(ctx, shop_id, sim_shop, fast):
    sim_shop.data["bulk_delay"] = 0.5
    assert first_sync(shop_id, SyncOptions(bulk_wait=0.0, poll_interval=0.05)) == "waiting"
    with db.session(shop_id=shop_id) as session:
        shop = session.get(Shop, shop_id)
        step = session.scalars(select(SyncStep).where(SyncStep.step == "products")).one()
        assert on_bulk_operation_finish(session, shop, step.bulk_operation_id, "completed") is True
        assert on_bulk_operation_finish(session, shop, "gid://shopify/BulkOperation/1", "completed") is False
    job = get_queue(SYNC).fetch_job(f"sync-{shop_id}")
    assert job is not None and job.func_name == "worker.jobs.sync.continue_sync" and job.args == (shop_id,)
    redis_handle.conn.flushdb()


def test_an_uninstalled_shop_is_not_synced(ctx, shop_id, sim_state, fast):
    with db.session() as session:
        session.get(Shop, shop_id).status = "uninstalled"
    assert first_sync(shop_id, fast) == "skipped"
    assert sim_state.calls.get("graphql", 0) == 0
