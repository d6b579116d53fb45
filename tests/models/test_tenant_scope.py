from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from app.extensions import TenantViolation, db
from app.models import Order, Shop


def _order(shop_id: int, shopify_id: int) -> Order:
    return Order(shop_id=shop_id, shopify_id=shopify_id, currency="EUR", total_price=Decimal("10.00"))


@pytest.fixture
def two_shops(app):
    with db.session() as s:
        a, b = Shop(domain="a.myshopify.com"), Shop(domain="b.myshopify.com")
        s.add_all([a, b])
        s.flush()
        s.add_all([_order(a.id, 1), _order(a.id, 2), _order(b.id, 3)])
    return a.id, b.id


def test_a_shop_session_reads_only_its_own_rows(two_shops):
    a, b = two_shops
    with db.session(shop_id=a) as s:
        assert sorted(s.scalars(select(Order.shopify_id))) == [1, 2]
        assert s.scalar(select(func.count()).select_from(Order)) == 2
        # Even asking for shop B's rows by name returns nothing.
        assert s.scalars(select(Order).where(Order.shop_id == b)).all() == []


def test_a_shop_session_cannot_update_another_shops_rows(two_shops):
    a, b = two_shops
    with db.session(shop_id=a) as s:
        s.execute(update(Order).values(name="#hacked"))
    with db.session(shop_id=b) as s:
        assert s.scalars(select(Order.name)).all() == [None]


def test_a_shop_session_refuses_to_write_a_row_of_another_shop(two_shops):
    a, b = two_shops
    with pytest.raises(TenantViolation), db.session(shop_id=a) as s:
        s.add(_order(b, 99))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Order).where(Order.shopify_id == 99)) == 0


def test_new_rows_in_a_shop_session_get_the_shop(two_shops):
    a, _ = two_shops
    with db.session(shop_id=a) as s:
        row = Order(shopify_id=7, currency="EUR", total_price=Decimal("1"))
        s.add(row)
    assert row.shop_id == a
