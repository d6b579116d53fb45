"""Re-quoting abandoned checkouts: best against the store default, stock right now, and batches in few queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import event

from app.extensions import db
from app.models import Checkout, CheckoutLine, Customer
from app.supply.requote import MISSING, requote_checkout, requote_many
from app.supply.types import Money
from tests.store.factories import make_shop
from tests.supply.orders_factories import LA, NEWARK, NJ, PLACED, RENO, V1, V2, V3, build_store

LANES = [
    {"location_shopify_id": RENO, "country": "US", "service_level": "standard", "min_days": 1, "max_days": 2,
     "price": Decimal("6.50"), "currency": "USD"},
    {"location_shopify_id": NEWARK, "country": "US", "service_level": "standard", "min_days": 2, "max_days": 5,
     "price": Decimal("9.00"), "currency": "USD"},
]


def checkout(shop_id: int, token: str, lines, address=LA, customer: int | None = None) -> int:
    with db.session() as s:
        row = Checkout(shop_id=shop_id, token=token, currency="USD", total_price=Decimal(50),
                       shipping_address=address, customer_shopify_id=customer)
        row.lines = [CheckoutLine(shop_id=shop_id, variant_id=v, quantity=q, price=Decimal(25)) for v, q in lines]
        s.add(row)
        s.flush()
        return row.id


def test_a_far_default_is_beaten_by_the_nearer_warehouse(app):
    shop_id = build_store(lanes=LANES)
    cid = checkout(shop_id, "t1", [(V1, 2)])
    with db.session(shop_id=shop_id) as s:
        r = requote_checkout(s, shop_id, cid, PLACED)
    assert (r.status, r.improved, r.in_stock, r.short_variant_ids) == ("available", True, True, ())
    assert (r.best.location_shopify_ids, r.best.warehouse_names, r.best.price) == (
        (RENO,), ("Reno NV",), Money(Decimal("6.50"), "USD"))
    assert (r.default.location_shopify_ids, r.default.price) == ((NEWARK,), Money(Decimal("9.00"), "USD"))
    assert r.price_difference == Money(Decimal("-2.50"), "USD")
    # Both dispatch on Wednesday 4 March; 1-2 business days from Reno, 2-5 from Newark.
    assert (r.best.earliest, r.best.latest) == (date(2026, 3, 5), date(2026, 3, 6))
    assert (r.default.earliest, r.default.latest) == (date(2026, 3, 6), date(2026, 3, 11))
    assert r.days_saved == 5


def test_when_the_default_is_already_best_nothing_improves(app):
    shop_id = build_store(lanes=LANES)
    cid = checkout(shop_id, "t1", [(V1, 1), (V2, 1)], address=NJ)  # only Newark holds both lines
    with db.session(shop_id=shop_id) as s:
        r = requote_checkout(s, shop_id, cid, PLACED)
    assert (r.improved, r.days_saved, r.in_stock) == (False, 0, True)
    assert r.best == r.default and r.price_difference == Money(Decimal("0.00"), "USD")


def test_out_of_stock_now_is_said_plainly(app):
    shop_id = build_store({(V1, RENO): 1, (V3, NEWARK): 0}, lanes=LANES)
    unavailable = checkout(shop_id, "t1", [(V1, 1), (V3, 1)])
    too_many = checkout(shop_id, "t2", [(V1, 2)])
    with db.session(shop_id=shop_id) as s:
        found = requote_many(s, shop_id, [unavailable, too_many], PLACED)
    gone = found[unavailable]
    assert (gone.status, gone.in_stock, gone.short_variant_ids, gone.best) == ("unavailable", False, (V3,), None)
    assert gone.reason == "no stock and no known restock date"
    assert (found[too_many].in_stock, found[too_many].short_variant_ids) == (False, (V1,))


def test_the_customers_tier_shortens_handling(app):
    shop_id = build_store(lanes=LANES)
    with db.session() as s:
        from sqlalchemy import update

        from app.models import WarehouseProfile

        s.execute(update(WarehouseProfile).values(tier_handling={"gold": {"days": 0, "hours": 2}}))
        s.add(Customer(shop_id=shop_id, shopify_id=77, tags="flexchain-tier-gold"))
    member = checkout(shop_id, "t1", [(V1, 1)], customer=77)
    guest = checkout(shop_id, "t2", [(V1, 1)])
    with db.session(shop_id=shop_id) as s:
        found = requote_many(s, shop_id, [member, guest], PLACED)
    assert found[member].best.latest < found[guest].best.latest


def test_unknown_or_foreign_checkouts_answer_missing(app):
    shop_id = build_store(lanes=LANES)
    other = make_shop("other.myshopify.com")
    theirs = checkout(other, "t1", [(V1, 1)])
    with db.session(shop_id=shop_id) as s:
        found = requote_many(s, shop_id, [theirs, 424242], PLACED)
    assert {cid: r.status for cid, r in found.items()} == {theirs: MISSING, 424242: MISSING}


def _statements(shop_id: int, ids: list[int]) -> int:
    count = [0]

    def seen(*_args):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with db.session(shop_id=shop_id) as s:
            assert len(requote_many(s, shop_id, ids, PLACED)) == len(ids)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return count[0]


def test_a_batch_costs_the_same_queries_for_two_checkouts_or_forty(app):
    shop_id = build_store(lanes=LANES)
    with db.session() as s:
        s.add_all([Customer(shop_id=shop_id, shopify_id=c, tags="") for c in range(1, 41)])
    ids = [checkout(shop_id, f"t{n}", [(V1, 1), (V2, 1)], customer=n + 1) for n in range(40)]
    few, many = _statements(shop_id, ids[:2]), _statements(shop_id, ids)
    assert few == many
    with db.session(shop_id=shop_id) as s:
        batch = requote_many(s, shop_id, ids[:3], PLACED)
        assert [requote_checkout(s, shop_id, cid, PLACED) for cid in ids[:3]] == [batch[c] for c in ids[:3]]
