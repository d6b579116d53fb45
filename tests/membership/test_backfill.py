"""The membership backfill from a synced order history: ledger lines built set-based (test orders and old
orders left out, refunds and cancellations counted), tiers and segments computed, every member written to
Shopify (the simulator) with progress reported, and a second run (a resume) adding nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.membership import backfill
from app.models import Membership, MembershipSettings, Order, Refund, Shop, SpendEntry, utcnow
from app.shopify.admin_api import AdminClient
from tests.membership.test_writeback import config as config  # noqa: F401 (fixture)
from tests.membership.test_writeback import world as world  # noqa: F401 (fixture)
from worker.jobs.membership import backfill as backfill_job


def history(world) -> None:
    """Orders as the first sync stores them, for two simulator customers (no ledger lines yet)."""
    shop_id, (first, second) = world["shop_id"], world["customers"][10:12]
    now = utcnow()
    with db.session(shop_id=shop_id) as s:
        s.execute(SpendEntry.__table__.delete())
        s.execute(Membership.__table__.delete())

        def order(n, customer, total, *, days=10, status="paid", test=False, cancelled=False):
            s.add(Order(shop_id=shop_id, shopify_id=n, customer_shopify_id=customer, currency="EUR",
                        total_price=Decimal(total), financial_status=status, test=test, email=f"c{customer}@x.io",
                        processed_at=now - timedelta(days=days), paid_at=now - timedelta(days=days),
                        cancelled_at=now - timedelta(days=days - 1) if cancelled else None))

        order(1, first, "1500")
        order(2, first, "900")  # 2,400: Gold...
        s.add(Refund(shop_id=shop_id, shopify_id=901, order_shopify_id=2, amount=Decimal("300"), currency="EUR",
                     processed_at=now))  # ...until 300 comes back: 2,100, still Gold
        order(3, first, "5000", test=True)  # a test order is not spend
        order(4, second, "700")
        order(5, second, "400", cancelled=True)  # cancelled: counts zero
        order(6, second, "9000", days=500)  # older than the year: not in the ledger
        order(7, second, "80", status="pending")  # not paid


def test_backfill_builds_the_ledger_and_writes_every_member(app, world, sim_state):
    history(world)
    shop_id, (first, second) = world["shop_id"], world["customers"][10:12]
    seen = []
    with db.session(shop_id=shop_id) as s, app.app_context():
        client = AdminClient.for_shop(s.get(Shop, shop_id))
        final = backfill.run(s, s.get(Shop, shop_id), client, on_progress=seen.append)
        client.close()
    assert [state["state"] for state in seen][:3] == ["ledger", "scoring", "writing"]
    assert final["state"] == "done" and final["members"] == 2 and final["written"] == 2
    with db.session(shop_id=shop_id) as s:
        tiers = dict(s.execute(select(Membership.customer_shopify_id, Membership.tier)).all())
        spend = dict(s.execute(select(Membership.customer_shopify_id, Membership.trailing_spend)).all())
        kinds = sorted(s.scalars(select(SpendEntry.kind)))
    assert tiers == {first: "Gold", second: "Silver"}
    assert spend == {first: Decimal("2100"), second: Decimal("700")}
    assert kinds == ["cancel", "paid", "paid", "paid", "paid", "refund"]
    sim = world["sim"]
    assert "flexchain-tier-gold" in sim.data["customers"][first]["tags"]
    assert "flexchain-tier-silver" in sim.data["customers"][second]["tags"]


def test_a_second_run_resumes_without_adding_anything(app, world):
    history(world)
    shop_id = world["shop_id"]
    with app.app_context():
        assert backfill_job(shop_id) == "done"
        assert backfill_job(shop_id) == "done"
    with db.session(shop_id=shop_id) as s:
        assert s.scalar(select(func.count()).select_from(SpendEntry)) == 6
        state = s.scalar(select(MembershipSettings.backfill))
        assert (state["state"], state["written"], state["ledger_lines_added"]) == ("done", 0, 0)
        assert backfill.progress(s, shop_id)["state"] == "done"
