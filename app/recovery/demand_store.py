"""Cart webhooks into the daily demand table, and the table read back for the admin API.

Counts come from the difference between the cart we held and the cart we now hold, under the cart's row
lock: a repeated delivery, or an update older than the one stored (not written), changes nothing and so
counts nothing. Two events for one brand-new cart processed at the same instant can count the first lines
twice (both saw no stored cart); a cart's first two events rarely race, and the counts are signals.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app import store
from app.models import Cart, Checkout, Product, Variant
from app.models.checkout import CartDemandDaily
from app.recovery import demand
from app.shopify.records import CartRecord
from app.store._rows import locked


def record_cart(session: Session, shop_id: int, record: CartRecord, now: datetime | None = None) -> Cart:
    held = locked(session, Cart, shop_id, {"token": record.token})
    before = demand.quantities((line.variant_id, line.quantity) for line in held.lines) if held else {}
    cart = store.upsert_cart(session, shop_id, record)
    after = demand.quantities((line.variant_id, line.quantity) for line in cart.lines)
    changes = demand.changes(before, after)
    if changes:
        address = session.scalar(select(Checkout.shipping_address).where(
            Checkout.shop_id == shop_id, Checkout.cart_token == record.token).limit(1))
        day = (record.updated_at or now or datetime.now(UTC)).astimezone(UTC).date()
        _add(session, shop_id, day, demand.region_of(address), changes)
    return cart


def _add(session: Session, shop_id: int, day: date, region: str, changes: dict[int, tuple[int, int]]) -> None:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [{"shop_id": shop_id, "day": day, "variant_id": v, "region": region, "carted": c, "dropped": d}
            for v, (c, d) in sorted(changes.items())]
    stmt = insert(CartDemandDaily).values(rows)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["shop_id", "day", "variant_id", "region"],
        set_={"carted": CartDemandDaily.carted + stmt.excluded.carted,
              "dropped": CartDemandDaily.dropped + stmt.excluded.dropped}))


def summary(session: Session, shop_id: int, since: date, limit: int = 200) -> dict:
    """Per variant and region over the period (most carted first, with the product's title), and per day."""
    carted, dropped = func.sum(CartDemandDaily.carted), func.sum(CartDemandDaily.dropped)
    title = select(Product.title).join(Variant, Variant.product_id == Product.id).where(
        Variant.shop_id == shop_id, Variant.shopify_id == CartDemandDaily.variant_id).limit(1).scalar_subquery()
    by_variant = session.execute(
        select(CartDemandDaily.variant_id, CartDemandDaily.region, carted, dropped, title)
        .where(CartDemandDaily.shop_id == shop_id, CartDemandDaily.day >= since)
        .group_by(CartDemandDaily.variant_id, CartDemandDaily.region)
        .order_by(carted.desc(), CartDemandDaily.variant_id, CartDemandDaily.region).limit(limit)).all()
    by_day = session.execute(
        select(CartDemandDaily.day, carted, dropped)
        .where(CartDemandDaily.shop_id == shop_id, CartDemandDaily.day >= since)
        .group_by(CartDemandDaily.day).order_by(CartDemandDaily.day)).all()
    return {
        "variants": [{"variant_id": v, "region": r, "carted": int(c), "dropped": int(d), "title": t}
                     for v, r, c, d, t in by_variant],
        "daily": [{"day": day.isoformat(), "carted": int(c), "dropped": int(d)} for day, c, d in by_day],
    }
