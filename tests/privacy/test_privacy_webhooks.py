"""Privacy topics end to end: signed delivery → worker → rows really exported or erased."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from app import queue as queues
from app.devshop.sender import build_payload
from app.extensions import db
from app.models import Checkout, Customer, DataExport, EventStatus, InventoryLevel, Order, Shop, ShopStatus
from app.models.base import Base
from tests.store.factories import SHOP, events, make_shop, run_worker

CUSTOMER = 706405506930370084
ORDER_ID = 820982911946154508


def seed_customer_data(post):
    post("customers/update", webhook_id="c1")
    post("orders/create", build_payload("orders/create", customer={
        "id": CUSTOMER, "admin_graphql_api_id": f"gid://shopify/Customer/{CUSTOMER}", "email": "bob@biller.com"},
        email="bob@biller.com", checkout_token="123123123"), webhook_id="o1")
    post("checkouts/update", build_payload("checkouts/update", email="bob@biller.com"), webhook_id="k1")
    post("inventory_levels/update", webhook_id="i1")
    run_worker()


def test_customers_data_request_stores_a_real_export(post):
    make_shop()
    seed_customer_data(post)
    request = build_payload("customers/data_request", shop_domain=SHOP,
                            customer={"id": CUSTOMER, "email": "bob@biller.com", "phone": None})
    post("customers/data_request", request, webhook_id="dr1")
    post("customers/data_request", request, webhook_id="dr2")  # a second delivery of the same request
    run_worker()
    with db.session() as session:
        (export,) = session.scalars(select(DataExport)).all()
    assert export.request_id == "9999" and export.customer_shopify_id == CUSTOMER
    data = export.payload
    assert [c["email"] for c in data["customers"]] == ["bob@biller.com"]
    assert [o["shopify_id"] for o in data["orders"]] == [ORDER_ID] and data["orders"][0]["lines"]
    assert [c["token"] for c in data["checkouts"]] == ["123123123"]


def test_customers_redact_erases_personal_data_and_stored_bodies(post):
    make_shop()
    seed_customer_data(post)
    post("customers/redact", build_payload("customers/redact", shop_domain=SHOP, orders_to_redact=[ORDER_ID],
                                           customer={"id": CUSTOMER, "email": "bob@biller.com", "phone": None}))
    run_worker()
    with db.session() as session:
        assert session.scalars(select(Customer)).all() == []
        order = session.scalars(select(Order)).one()
        assert (order.email, order.shipping_address, order.customer_shopify_id) == (None, None, None)
        assert order.total_price > 0  # the non-personal aggregate stays
        checkout = session.scalars(select(Checkout)).one()
        assert (checkout.email, checkout.phone, checkout.shipping_address) == (None, None, None)
    bodies = {e.webhook_id: e.body for e in events()}
    assert bodies["c1"] == b"" and bodies["o1"] == b"" and bodies["k1"] == b""
    assert bodies["i1"] != b""  # stock levels never named the customer


def test_app_uninstalled_drops_tokens_and_cancels_the_shops_jobs(post):
    shop_id = make_shop(access_token_enc="cipher", refresh_token_enc="cipher2")
    other_id = make_shop("other.myshopify.com")
    sync = queues.get_queue(queues.SYNC)
    # Jobs are tagged the way every shop job is enqueued in the app.
    mine = queues.enqueue("worker.jobs.sync.reconcile", shop_id, queue=queues.SYNC, shop_id=shop_id)
    theirs = queues.enqueue("worker.jobs.sync.reconcile", other_id, queue=queues.SYNC, shop_id=other_id)
    post("app/uninstalled", triggered_at=datetime(2026, 3, 1, tzinfo=UTC))
    run_worker()
    with db.session() as session:
        shop = session.get(Shop, shop_id)
    assert shop.status == ShopStatus.UNINSTALLED and shop.uninstalled_at == datetime(2026, 3, 1, tzinfo=UTC)
    assert (shop.access_token_enc, shop.refresh_token_enc) == (None, None)
    assert sync.get_job_ids() == [theirs.id]
    assert mine.get_status(refresh=True) == "canceled"
    # After uninstall, ordinary events are recorded but ignored.
    post("orders/paid", webhook_id="late")
    run_worker()
    assert events(webhook_id="late")[0].status == EventStatus.IGNORED


def test_a_late_uninstall_from_before_a_reinstall_changes_nothing(post):
    shop_id = make_shop(installed_at=datetime(2026, 3, 2, tzinfo=UTC), access_token_enc="cipher")
    post("app/uninstalled", triggered_at=datetime(2026, 3, 1, tzinfo=UTC))
    run_worker()
    with db.session() as session:
        shop = session.get(Shop, shop_id)
    assert shop.status == ShopStatus.INSTALLED and shop.access_token_enc == "cipher"


def test_shop_redact_erases_every_row_of_the_shop(post):
    make_shop()
    make_shop("other.myshopify.com")
    seed_customer_data(post)
    post("orders/create", domain="other.myshopify.com", webhook_id="other-order")
    run_worker()
    post("app/uninstalled")
    run_worker()
    post("shop/redact", webhook_id="redact")
    run_worker()
    with db.session() as session:
        assert session.scalars(select(Shop.domain)).all() == ["other.myshopify.com"]
        for table in Base.metadata.sorted_tables:
            if "shop_id" in table.c:
                count = session.scalar(select(func.count()).select_from(table).where(table.c.shop_id != 2))
                assert count == 0, table.name
        assert session.scalar(select(func.count()).select_from(Order)) == 1
        assert session.scalar(select(func.count()).select_from(InventoryLevel)) == 0
    remaining = [(e.shop_domain, e.webhook_id, e.status) for e in events()]
    assert remaining == [("other.myshopify.com", "other-order", "done"), (SHOP, "redact", "done")]


def test_compliance_body_for_another_shop_is_refused(post):
    make_shop()
    post("shop/redact", build_payload("shop/redact", shop_domain="victim.myshopify.com"))
    run_worker()
    (event,) = events()
    assert event.status == EventStatus.FAILED and "does not match" in event.error
    with db.session() as session:
        assert session.scalars(select(Shop.domain)).all() == [SHOP]
