"""Promise accuracy by warehouse, lane and tier over stored outcomes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import OrderPromise
from app.supply.accuracy import AccuracyRow, promise_accuracy
from tests.store.factories import make_shop

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def _promise(shop_id: int, order: int, location: int, country: str, region: str | None, tier: str | None,
             days_late: int | None, delivered: date | None = date(2026, 3, 10), level: str = "standard"):
    outcome = None if days_late is None else ("on_time" if days_late <= 0 else "late")
    return OrderPromise(shop_id=shop_id, order_shopify_id=order, location_shopify_id=location, country=country,
                        region=region, tier=tier, service_level=level, promised_latest=date(2026, 3, 9),
                        delivered_on=delivered if days_late is not None else None, outcome=outcome,
                        days_late=days_late)


@pytest.fixture
def shop(app) -> int:
    shop_id = make_shop()
    other = make_shop("other.myshopify.com")
    with db.session() as s:
        s.add_all([
            _promise(shop_id, 1, 11, "US", "CA", "gold", -2),
            _promise(shop_id, 2, 11, "US", "CA", None, 0),
            _promise(shop_id, 3, 11, "US", "NY", None, 3),
            _promise(shop_id, 4, 11, "FR", None, "gold", -1),
            _promise(shop_id, 5, 33, "US", "CA", "gold", 1),
            _promise(shop_id, 6, 33, "US", "CA", None, None),  # not delivered yet: no outcome
            _promise(shop_id, 7, 33, "US", "CA", None, 5, delivered=date(2026, 4, 2)),  # outside the period
            _promise(other, 8, 11, "US", "CA", None, 9),  # another shop's order
        ])
    return shop_id


def test_by_warehouse(shop):
    with db.session(shop_id=shop) as s:
        rows = promise_accuracy(s, shop, since=MARCH, until=APRIL, by="warehouse")
    assert rows == [AccuracyRow((11,), 4, 3, 0.75, 0.0), AccuracyRow((33,), 1, 0, 0.0, 1.0)]


def test_by_lane(shop):
    with db.session(shop_id=shop) as s:
        rows = promise_accuracy(s, shop, since=MARCH, until=APRIL, by="lane")
    assert rows == [
        AccuracyRow((11, "US", "CA", "standard"), 2, 2, 1.0, -1.0),
        AccuracyRow((11, "FR", None, "standard"), 1, 1, 1.0, -1.0),
        AccuracyRow((11, "US", "NY", "standard"), 1, 0, 0.0, 3.0),
        AccuracyRow((33, "US", "CA", "standard"), 1, 0, 0.0, 1.0),
    ]


def test_by_tier(shop):
    with db.session(shop_id=shop) as s:
        rows = promise_accuracy(s, shop, since=MARCH, until=APRIL, by="tier")
    assert rows == [AccuracyRow(("gold",), 3, 2, 0.6667, -0.67), AccuracyRow((None,), 2, 1, 0.5, 1.5)]


def test_one_grouped_query_and_a_clear_error_for_an_unknown_grouping(shop):
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with db.session(shop_id=shop) as s:
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            promise_accuracy(s, shop, since=MARCH, until=APRIL, by="tier")
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
        with pytest.raises(ValueError, match="warehouse, lane or tier"):
            promise_accuracy(s, shop, since=MARCH, until=APRIL, by="country")  # type: ignore[arg-type]
    selects = [q for q in statements if "order_promises" in q]
    assert len(selects) == 1 and "GROUP BY" in selects[0]


def test_the_period_is_by_delivery_date(shop):
    with db.session(shop_id=shop) as s:
        assert promise_accuracy(s, shop, since=APRIL, until=date(2026, 5, 1), by="warehouse") == [
            AccuracyRow((33,), 1, 0, 0.0, 5.0)]
        assert promise_accuracy(s, shop, since=date(2026, 5, 1), until=date(2026, 6, 1), by="warehouse") == []
