"""Export and erasure of one customer across every table, checked by scanning the whole database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app import queue as queues
from app.dashboard.build import refresh
from app.devshop.sender import build_payload
from app.extensions import db
from app.models import (
    Customer,
    CustomerAccess,
    DataExport,
    Membership,
    Order,
    RecoveryCase,
    RecoveryMessage,
    SegmentChange,
    Shop,
    TierChange,
)
from app.models.base import Base
from app.models.dashboard import DailyOrders, DailyRecovery, DailyTierMoves
from app.privacy import footprint
from tests.conftest import make_config
from tests.privacy import seed as s
from tests.privacy.scan import find_personal
from tests.store.factories import SHOP, events, make_shop, run_worker
from tests.support.smtp import smtp_server


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def config(migrated_database, redis_url, smtp):
    return make_config(smtp_url=smtp[0])


def privacy_request(topic: str, **extra) -> dict:
    return build_payload(topic, shop_domain=SHOP, customer={"id": s.CUSTOMER, "email": s.EMAIL, "phone": s.PHONE},
                         **extra)


def test_every_table_with_personal_columns_is_in_the_footprint():
    personal = {"email", "phone", "shipping_address", "customer_shopify_id", "first_name", "last_name"}
    tables = {m.__tablename__ for m in footprint.TABLES}
    missing = [t.name for t in Base.metadata.sorted_tables if personal & set(t.c.keys()) and t.name not in tables]
    # The shop's own email is the merchant's, not a customer's.
    assert missing == ["shops"]


def test_data_request_exports_every_table_and_nothing_of_anyone_else(post, shop_id, smtp):
    s.seed(post, shop_id)
    request = privacy_request("customers/data_request", orders_requested=[s.ORDER])
    post("customers/data_request", request, webhook_id="dr1")
    post("customers/data_request", request, webhook_id="dr2")  # Shopify delivers twice: one export
    run_worker()
    with db.session() as session:
        (export,) = session.scalars(select(DataExport)).all()
        data = export.payload
    for model in footprint.TABLES:
        if model in footprint.NESTED or model in footprint.NOT_EXPORTED:
            continue
        assert data[model.__tablename__], f"{model.__tablename__} is missing from the export"
    assert [c["email"] for c in data["customers"]] == [s.EMAIL]
    assert [o["shopify_id"] for o in data["orders"]] == [s.ORDER] and data["orders"][0]["lines"]
    assert sorted(c["token"] for c in data["checkouts"]) == sorted([s.ABANDONED, s.BOUGHT])
    assert {m["stage"] for m in data["recovery_messages"]} == {1, 2}
    assert data["customer_access_log"][0]["staff_user_id"] == "staff-77"
    assert {d["webhook_id"] for d in data["webhook_deliveries"]} >= {"cust", "o-mine", "k-left", "k-bought"}
    text = json.dumps(data).lower()
    assert s.OTHER_EMAIL not in text and str(s.OTHER) not in text and str(s.OTHER_ORDER) not in text

    # With SMTP configured the merchant gets it by mail too, once, however often the job runs.
    worker = queues.get_queue(queues.MAIL)
    from rq import SimpleWorker

    from app.extensions import redis_handle
    SimpleWorker([worker], connection=redis_handle.conn).work(burst=True)
    from worker.jobs.privacy import mail_export
    assert mail_export(shop_id, export.id) is False  # already mailed
    (mail,) = smtp[1].to("owner@acme.test")
    (attachment,) = list(mail.iter_attachments())
    assert json.loads(attachment.get_content()) == data


def test_redact_leaves_nothing_personal_anywhere_and_keeps_the_numbers(post, shop_id):
    s.seed(post, shop_id)
    # Someone asked for the data first; the export holds it until the erasure.
    post("customers/data_request", privacy_request("customers/data_request"), webhook_id="dr")
    # A mail job naming the customer is waiting in Redis; another shopper's is not touched.
    mine = queues.enqueue("worker.jobs.recovery.send_test", shop_id, 1, s.EMAIL, None, queue=queues.MAIL,
                          shop_id=shop_id)
    theirs = queues.enqueue("worker.jobs.recovery.send_test", shop_id, 1, s.OTHER_EMAIL, None, queue=queues.MAIL,
                            shop_id=shop_id)
    run_worker()
    assert s.IDENTIFIERS and find_personal(s.IDENTIFIERS, [s.CUSTOMER])  # the scan does see the data
    with db.session(shop_id=shop_id) as session:
        before = _numbers(session, shop_id)

    post("customers/redact", privacy_request("customers/redact", orders_to_redact=[s.ORDER]), webhook_id="rd")
    run_worker()

    assert find_personal(s.IDENTIFIERS, [s.CUSTOMER]) == []
    assert mine.get_status(refresh=True) == "canceled" and theirs.get_status(refresh=True) == "queued"
    with db.session(shop_id=shop_id) as session:
        assert _numbers(session, shop_id) == before
        # The other customer is untouched, and the orders still count, without a person.
        assert session.scalar(select(Customer.email).where(Customer.shopify_id == s.OTHER)) == s.OTHER_EMAIL
        assert session.scalar(select(Membership.id).where(Membership.customer_shopify_id == s.OTHER)) is not None
        mine_order = session.scalar(select(Order).where(Order.shopify_id == s.ORDER))
        assert mine_order.total_price > 0 and mine_order.email is None
        messages = session.scalars(select(RecoveryMessage).order_by(RecoveryMessage.stage)).all()
        assert [(m.state, m.email) for m in messages] == [("sent", ""), ("cancelled", "")]
        assert session.scalars(select(CustomerAccess.customer_shopify_id)).all() == [0]
        assert session.scalar(select(func.count()).select_from(DataExport)) == 0
    assert {e.webhook_id: e.body for e in events()}["o-other"] != b""

    # Redelivered: nothing left to find, nothing breaks.
    post("customers/redact", privacy_request("customers/redact"), webhook_id="rd2")
    run_worker()
    assert [e.status for e in events(webhook_id="rd2")] == ["done"]


def _numbers(session, shop_id: int) -> dict:
    """What the dashboard and the recovery report count, rebuilt from the operational tables."""
    shop = session.get(Shop, shop_id)
    refresh(session, shop, s.NOW)
    session.flush()
    recovery = session.execute(select(func.sum(DailyRecovery.abandoned), func.sum(DailyRecovery.reached),
                                      func.sum(DailyRecovery.revenue))).one()
    orders = session.execute(select(func.sum(DailyOrders.orders), func.sum(DailyOrders.revenue))).one()
    return {"recovery": tuple(recovery), "orders": tuple(orders),
            "tier_moves": session.scalar(select(func.sum(DailyTierMoves.moves))),
            "tier_changes": session.scalar(select(func.count()).select_from(TierChange)),
            "segment_changes": session.scalar(select(func.count()).select_from(SegmentChange)),
            "cases": session.scalar(select(func.count()).select_from(RecoveryCase))}


def test_shop_redact_leaves_no_row_of_the_shop_and_nothing_personal(post, shop_id):
    other_shop = make_shop("other.myshopify.com")
    s.seed(post, shop_id)
    post("app/uninstalled")
    post("shop/redact", webhook_id="shop-redact")
    run_worker()
    assert find_personal(s.IDENTIFIERS + [s.OTHER_EMAIL], [s.CUSTOMER, s.OTHER]) == []
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            if "shop_id" in table.c:
                count = session.scalar(select(func.count()).select_from(table).where(table.c.shop_id == shop_id))
                assert count == 0, table.name
        assert session.scalars(select(Shop.id)).all() == [other_shop]
    # Only the erasure's own record stays: it names the shop's domain and nothing else.
    assert [(e.webhook_id, e.status) for e in events()] == [("shop-redact", "done")]

