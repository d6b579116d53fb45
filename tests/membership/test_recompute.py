"""The set-based recompute over a shop, merchant settings, pins and the review job, on PostgreSQL."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from app.extensions import db
from app.membership import service
from app.membership.rfm import SegmentRuleError
from app.membership.tiers import TierConfigError
from app.models import Customer, Membership, Order, Shop
from tests.membership.helpers import changes, member, spend_of
from tests.store.factories import make_shop
from worker.jobs.membership import review_memberships

NOW = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.fixture
def shop_id(app):
    return make_shop()


def paid(s, shop, order_id, total, when, *, customer=None, email=None):
    s.add(Order(shop_id=shop.id, shopify_id=order_id, currency="USD", total_price=D(total),
                customer_shopify_id=customer,
                email=email, processed_at=when, paid_at=when))
    s.flush()
    service.on_order_paid(s, shop, order_id, now=when)


def test_recompute_scores_a_known_shop_in_quintiles(shop_id):
    # Customer n: n orders of 100, the last one 10 * n days before NOW.
    with db.session(shop_id=shop_id) as s:
        shop = s.get(Shop, shop_id)
        for n in range(1, 11):
            for k in range(n):
                paid(s, shop, n * 100 + k, "100", NOW - timedelta(days=10 * n + 3 * k + 40 * (k > 0)), customer=n)
        assert service.recompute_shop(s, shop, NOW) == 10
        rows = {m.customer_shopify_id: m for m in s.scalars(select(Membership))}
    assert [rows[n].monetary_score for n in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [rows[n].frequency_score for n in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [rows[n].recency_score for n in range(1, 11)] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert rows[1].segment == "new" and rows[2].segment == "potential"
    assert rows[9].segment == "dormant" and rows[10].segment == "dormant"
    assert rows[5].tier == "Silver" and rows[5].trailing_spend == D(500) and rows[4].tier == "Bronze"


def test_calendar_year_window_and_merchant_tiers(shop_id):
    with db.session(shop_id=shop_id) as s:
        shop = s.get(Shop, shop_id)
        service.save_settings(s, shop_id, tiers_raw=[{"name": "Member", "threshold": 0},
                                                      {"name": "VIP", "threshold": "1000"}], window="calendar_year")
        paid(s, shop, 1, "900", datetime(2025, 12, 20, tzinfo=UTC), customer=7)
        paid(s, shop, 2, "200", datetime(2026, 1, 10, tzinfo=UTC), customer=7)
        service.recompute_shop(s, shop, NOW)
        assert s.scalars(select(Membership)).one().trailing_spend == D(200)
        service.save_settings(s, shop_id, tiers_raw=[{"name": "Member", "threshold": 0},
                                                      {"name": "VIP", "threshold": "1000"}])
        service.recompute_shop(s, shop, NOW)
    assert member(shop_id, 7).tier == "VIP" and member(shop_id, 7).trailing_spend == D(1100)


def test_invalid_settings_are_refused_and_nothing_is_stored(shop_id):
    with db.session(shop_id=shop_id) as s:
        with pytest.raises(TierConfigError):
            service.save_settings(s, shop_id, tiers_raw=[{"name": "A", "threshold": 5}])
        with pytest.raises(SegmentRuleError):
            service.save_settings(s, shop_id, rules_raw={"churned_days": 10})
        with pytest.raises(ValueError, match="spend window"):
            service.save_settings(s, shop_id, window="forever")
        assert service.load_settings(s, shop_id).tiers[-1].name == "Gold"


def test_recompute_merges_guest_orders_by_email_and_never_downgrades(shop_id):
    with db.session(shop_id=shop_id) as s:
        shop = s.get(Shop, shop_id)
        paid(s, shop, 1, "2100", NOW - timedelta(days=400), customer=8)
        service.pin_member(s, shop, 8, None, NOW - timedelta(days=400))
        paid(s, shop, 2, "700", NOW - timedelta(days=5), email="guest@example.com")
        s.add(Customer(shop_id=shop_id, shopify_id=9, email="Guest@Example.com"))
        s.flush()
        service.recompute_shop(s, shop, NOW)
    assert member(shop_id, 9).tier == "Silver"
    assert member(shop_id, 8).tier == "Gold" and member(shop_id, 8).trailing_spend == 0
    assert member(shop_id, 8).segment == "churned"


def test_pin_and_the_review_job_run_twice(shop_id):
    with db.session(shop_id=shop_id) as s:
        shop = s.get(Shop, shop_id)
        old = datetime.now(UTC) - timedelta(days=400)
        paid(s, shop, 1, "2500", old, customer=7)
        paid(s, shop, 2, "2500", old, customer=8)
        service.pin_member(s, shop, 8, "Gold")
    assert spend_of(shop_id, 7, 8) == {7: D(0), 8: D(0)}
    # Spend fell out of the window 35 days ago as far as the grace clock is concerned: set it explicitly.
    with db.session(shop_id=shop_id) as s:
        service.review_shop(s, s.get(Shop, shop_id), datetime.now(UTC) - timedelta(days=35))
    assert review_memberships(shop_id) == 1
    assert review_memberships(shop_id) == 0
    assert member(shop_id, 7).tier == "Silver" and member(shop_id, 8).tier == "Gold"
    assert changes(shop_id, 8) == [(None, "Gold")]
    assert review_memberships(999_999) == 0


def test_two_workers_creating_the_same_member_end_with_one_row(shop_id):
    import threading

    with db.session(shop_id=shop_id) as s:
        s.add(Order(shop_id=shop_id, shopify_id=1, currency="USD", total_price=D(700), customer_shopify_id=7,
                    paid_at=NOW))
        s.flush()
        service.ledger.record_paid(s, s.get(Shop, shop_id), 1)
    barrier, errors = threading.Barrier(2), []

    def worker():
        try:
            with db.session(shop_id=shop_id) as s:
                barrier.wait()
                service.refresh_member(s, s.get(Shop, shop_id), 7, NOW)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert member(shop_id, 7).tier == "Silver" and changes(shop_id, 7) == [(None, "Silver")]


def test_the_same_ids_in_two_shops_stay_apart(shop_id):
    other = make_shop("other-store.myshopify.com")
    for sid, total in ((shop_id, "600"), (other, "2500")):
        with db.session(shop_id=sid) as s:
            paid(s, s.get(Shop, sid), 1, total, datetime.now(UTC) - timedelta(days=1), customer=7)
    assert spend_of(shop_id, 7) == {7: D(600)} and spend_of(other, 7) == {7: D(2500)}
    assert member(shop_id, 7).tier == "Silver" and member(other, 7).tier == "Gold"


def test_a_second_recompute_writes_nothing_and_new_members_are_due_for_write_back(shop_id):
    from app.models import SpendEntry

    with db.session(shop_id=shop_id) as s:
        shop = s.get(Shop, shop_id)
        # Ledger lines only (a backfill's starting point): no membership rows yet.
        for n in range(1, 6):
            s.add(SpendEntry(shop_id=shop_id, kind="paid", source_id=n, order_shopify_id=n, customer_shopify_id=n,
                             amount=D(300 * n), currency="USD", occurred_at=NOW - timedelta(days=n)))
        s.flush()
        assert service.recompute_shop(s, shop, NOW) == 5
    with db.session(shop_id=shop_id) as s:
        rows = {m.customer_shopify_id: (m.tier, m.writeback_due, m.updated_at) for m in s.scalars(select(Membership))}
        assert {cid: tier for cid, (tier, _, _) in rows.items()} == {
            1: "Bronze", 2: "Silver", 3: "Silver", 4: "Silver", 5: "Silver"}
        assert all(due for _, due, _ in rows.values())
        assert changes(shop_id, 2) == [(None, "Silver")]
        s.execute(Membership.__table__.update().values(writeback_due=False))
    with db.session(shop_id=shop_id) as s:
        rows = {m.customer_shopify_id: (m.tier, m.writeback_due, m.updated_at) for m in s.scalars(select(Membership))}
    with db.session(shop_id=shop_id) as s:
        service.recompute_shop(s, s.get(Shop, shop_id), NOW)
    with db.session(shop_id=shop_id) as s:
        again = {m.customer_shopify_id: (m.tier, m.writeback_due, m.updated_at) for m in s.scalars(select(Membership))}
    assert again == rows  # not one row touched, so nothing is written back to Shopify either
    assert changes(shop_id, 2) == [(None, "Silver")]


def test_segment_and_tier_moves_are_counted_per_month(shop_id):
    from app.membership.moves import segment_moves, tier_moves
    from app.models import SegmentChange, SpendEntry

    with db.session(shop_id=shop_id) as s:
        shop = s.get(Shop, shop_id)
        s.add(SpendEntry(shop_id=shop_id, kind="paid", source_id=1, order_shopify_id=1, customer_shopify_id=7,
                         amount=D(600), currency="USD", occurred_at=NOW - timedelta(days=5)))
        s.flush()
        service.recompute_shop(s, shop, NOW)  # joins Silver, scored "new"
        service.recompute_shop(s, shop, NOW + timedelta(days=40))  # 45 days on: no longer new
        service.recompute_shop(s, shop, NOW + timedelta(days=41))  # nothing moved: no row
        assert segment_moves(s, shop_id, NOW - timedelta(days=1)) == [
            ("2026-02", None, "new", 1), ("2026-03", "new", "active", 1)]
        assert tier_moves(s, shop_id, NOW - timedelta(days=1)) == [("2026-02", None, "Silver", 1)]
    with db.session(shop_id=shop_id) as s:
        service.erase_member(s, shop_id, 7, None)
    with db.session(shop_id=shop_id) as s:
        assert s.scalars(select(SegmentChange)).all() == []
