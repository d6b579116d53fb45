"""Rebuild a shop's daily dashboard tables for a range of days, with set-based SQL.

Each table's rows for the range are deleted and inserted again from the operational tables in the same
transaction, under the shop's row lock, so a rebuild is idempotent and two rebuilds cannot interleave.
Days are the shop's local calendar days on PostgreSQL (its IANA zone); SQLite, used only in development,
has no time zones and counts UTC days.

Snapshot tables (members, stock) can only describe the present: they get a row for today when the range
includes today, and keep the rows earlier runs left for earlier days.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import and_, case, delete, exists, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Membership,
    Order,
    OrderPromise,
    RecoveryCase,
    RecoveryMessage,
    Shop,
    TierChange,
    WarehouseProfile,
)
from app.models.dashboard import (
    DASHBOARD_TABLES,
    DailyHandling,
    DailyMembers,
    DailyOrders,
    DailyPromise,
    DailyRecovery,
    DailyRecoveryOffer,
    DailyStock,
    DailyTierMoves,
    DashboardState,
)
from app.models.recovery import CaseStatus, SendState

FIRST_BUILD_DAYS = 730  # a year, and the year before it for the comparison
REFRESH_DAYS = 35  # conversions (7-day attribution), deliveries and fulfilments still land this far back
SNAPSHOTS = (DailyMembers, DailyStock)


def shop_zone(shop: Shop, dialect: str) -> ZoneInfo:
    if dialect != "postgresql":
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(shop.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_today(shop: Shop, dialect: str, now: datetime) -> date:
    return now.astimezone(shop_zone(shop, dialect)).date()


class _Days:
    """The range's UTC bounds and the SQL that turns a timestamp into the shop's day."""

    def __init__(self, zone: ZoneInfo, dialect: str, first: date, last: date) -> None:
        self.zone, self.dialect, self.first, self.last = zone, dialect, first, last
        self.start = datetime.combine(first, time(), zone).astimezone(UTC)
        self.end = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)

    def of(self, column):
        if self.dialect == "postgresql":
            return func.date(func.timezone(self.zone.key, column))
        return func.date(column)

    def within(self, column):
        return and_(column >= self.start, column < self.end)

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        return (datetime.combine(day, time(), self.zone).astimezone(UTC),
                datetime.combine(day + timedelta(days=1), time(), self.zone).astimezone(UTC))


def rebuild(session: Session, shop: Shop, first: date, last: date, now: datetime) -> None:
    """Replace the shop's rows for first..last (inclusive); the caller commits."""
    session.execute(select(Shop.id).where(Shop.id == shop.id).with_for_update())
    dialect = session.get_bind().dialect.name
    days = _Days(shop_zone(shop, dialect), dialect, first, last)
    today = local_today(shop, dialect, now)
    for model in DASHBOARD_TABLES:
        if model in SNAPSHOTS and not first <= today <= last:
            continue
        lo, hi = (today, today) if model in SNAPSHOTS else (first, last)
        session.execute(delete(model).where(model.shop_id == shop.id, model.day >= lo, model.day <= hi)
                        .execution_options(synchronize_session=False))
    _recovery(session, shop.id, days)
    _orders(session, shop.id, days)
    _tier_moves(session, shop.id, days)
    _promises(session, shop.id, days)
    _handling(session, shop.id, days, now)
    if first <= today <= last:
        _members(session, shop.id, today)
        _stock(session, shop.id, today, now)
    state = session.scalar(select(DashboardState).where(DashboardState.shop_id == shop.id))
    if state is None:
        session.add(DashboardState(shop_id=shop.id, built_from=first, refreshed_at=now))
    else:
        state.built_from = min(state.built_from, first)
        state.refreshed_at = now
    session.flush()


def refresh(session: Session, shop: Shop, now: datetime) -> tuple[date, date]:
    """The periodic rebuild: two years on the first run, the recent weeks afterwards."""
    dialect = session.get_bind().dialect.name
    today = local_today(shop, dialect, now)
    state = session.scalar(select(DashboardState).where(DashboardState.shop_id == shop.id))
    back = REFRESH_DAYS if state is not None else FIRST_BUILD_DAYS
    first = today - timedelta(days=back)
    rebuild(session, shop, first, today, now)
    return first, today


def _insert(session: Session, model, columns: list[str], query) -> None:
    session.execute(insert(model).from_select(columns, query))


def _recovery(session: Session, shop_id: int, days: _Days) -> None:
    case_ = RecoveryCase
    day = days.of(case_.abandoned_at)
    reached = exists().where(RecoveryMessage.shop_id == shop_id, RecoveryMessage.case_id == case_.id,
                             RecoveryMessage.state == SendState.SENT)
    converted = and_(case_.status == CaseStatus.CONVERTED, case_.converted_at.is_not(None),
                     case_.converted_at >= case_.abandoned_at)
    revenue = case((converted, func.coalesce(case_.revenue, 0)), else_=0)
    credited = and_(converted, case_.attributed_stage.is_not(None))
    scope = and_(case_.shop_id == shop_id, case_.abandoned_at.is_not(None), case_.group.is_not(None),
                 days.within(case_.abandoned_at))
    one = literal(1)
    _insert(session, DailyRecovery,
            ["shop_id", "day", "grp", "abandoned", "reached", "converted", "reached_converted", "revenue",
             "revenue_sq", "recovered_revenue"],
            select(literal(shop_id), day, case_.group, func.count(),
                   func.sum(case((reached, one), else_=0)), func.sum(case((converted, one), else_=0)),
                   func.sum(case((and_(reached, converted), one), else_=0)), func.sum(revenue),
                   func.sum(revenue * revenue), func.sum(case((credited, func.coalesce(case_.revenue, 0)), else_=0)))
            .where(scope).group_by(day, case_.group))
    offer = func.coalesce(case_.attributed_offer, "")
    _insert(session, DailyRecoveryOffer, ["shop_id", "day", "offer", "conversions", "revenue"],
            select(literal(shop_id), day, offer, func.count(), func.sum(func.coalesce(case_.revenue, 0)))
            .where(scope, credited, case_.group == "treatment").group_by(day, offer))


def _placed(model):
    return func.coalesce(model.processed_at, model.shopify_created_at, model.created_at)


def _orders(session: Session, shop_id: int, days: _Days) -> None:
    placed = _placed(Order)
    day = days.of(placed)
    earlier = aliased(Order)
    repeat = exists().where(earlier.shop_id == shop_id, earlier.customer_shopify_id == Order.customer_shopify_id,
                            earlier.cancelled_at.is_(None), _placed(earlier) < placed)
    tier = func.coalesce(Membership.tier, "")
    _insert(session, DailyOrders, ["shop_id", "day", "tier", "orders", "repeat_orders", "revenue"],
            select(literal(shop_id), day, tier, func.count(),
                   func.sum(case((and_(Order.customer_shopify_id.is_not(None), repeat), 1), else_=0)),
                   func.sum(Order.total_price))
            .outerjoin(Membership, and_(Membership.shop_id == shop_id,
                                        Membership.customer_shopify_id == Order.customer_shopify_id))
            .where(Order.shop_id == shop_id, Order.cancelled_at.is_(None), Order.test.is_(False),
                   days.within(placed))
            .group_by(day, tier))


def _tier_moves(session: Session, shop_id: int, days: _Days) -> None:
    day = days.of(TierChange.at)
    source = func.coalesce(TierChange.from_tier, "")
    _insert(session, DailyTierMoves, ["shop_id", "day", "from_tier", "to_tier", "moves"],
            select(literal(shop_id), day, source, TierChange.to_tier, func.count())
            .where(TierChange.shop_id == shop_id, days.within(TierChange.at))
            .group_by(day, source, TierChange.to_tier))


def _promises(session: Session, shop_id: int, days: _Days) -> None:
    p = OrderPromise
    keys = [p.delivered_on, func.coalesce(p.location_shopify_id, 0), func.coalesce(p.country, ""),
            func.coalesce(p.region, ""), func.coalesce(p.service_level, ""), func.coalesce(p.tier, "")]
    _insert(session, DailyPromise,
            ["shop_id", "day", "location_shopify_id", "country", "region", "service_level", "tier", "delivered",
             "on_time", "days_late_sum"],
            select(literal(shop_id), *keys, func.count(), func.sum(case((p.outcome == "on_time", 1), else_=0)),
                   func.sum(func.coalesce(p.days_late, 0)))
            .where(p.shop_id == shop_id, p.outcome.is_not(None), p.delivered_on >= days.first,
                   p.delivered_on <= days.last)
            .group_by(*keys))


def _handling(session: Session, shop_id: int, days: _Days, now: datetime) -> None:
    """The membership package's rule (`handling.summarise`: the tier's target, else the warehouse's standard;
    unfulfilled orders open until their target passes), applied per day to rows read in one query: one
    `handling_by_tier` call per day would scan the orders once per day of the range."""
    from app.membership.handling import NO_TIER, Handled, summarise
    from app.membership.perks import tier_slug
    from app.membership.service import load_perks

    ordered_at = Order.shopify_created_at
    by_day: dict[date, list] = defaultdict(list)
    for tier, at, fulfilled, location in session.execute(
            select(OrderPromise.tier, ordered_at, OrderPromise.first_fulfilled_at, OrderPromise.location_shopify_id)
            .join(Order, (Order.shop_id == OrderPromise.shop_id) & (Order.shopify_id == OrderPromise.order_shopify_id))
            .where(OrderPromise.shop_id == shop_id, days.within(ordered_at))):
        by_day[at.astimezone(days.zone).date()].append(Handled(tier or NO_TIER, at, fulfilled, location))
    if not by_day:
        return
    targets = {tier_slug(name): perk.handling_hours
               for name, perk in load_perks(session, shop_id).by_tier.items() if perk.handling_hours}
    standard = {p.location_shopify_id: p.handling_days * 24 + p.handling_hours for p in session.scalars(
        select(WarehouseProfile).where(WarehouseProfile.shop_id == shop_id))}
    rows = [{"shop_id": shop_id, "day": day, "tier": item.tier, "orders": item.orders, "met": item.met,
             "missed": item.missed, "open": item.open}
            for day, handled in sorted(by_day.items()) for item in summarise(handled, targets, standard, now)]
    session.execute(insert(DailyHandling), rows)


def _members(session: Session, shop_id: int, today: date) -> None:
    segment = func.coalesce(Membership.segment, "")
    _insert(session, DailyMembers, ["shop_id", "day", "tier", "segment", "members", "spend"],
            select(literal(shop_id), literal(today), Membership.tier, segment, func.count(),
                   func.sum(Membership.trailing_spend))
            .where(Membership.shop_id == shop_id).group_by(Membership.tier, segment))


def _stock(session: Session, shop_id: int, today: date, now: datetime) -> None:
    from app.supply.health import stock_health

    rows = [{"shop_id": shop_id, "day": today, "location_shopify_id": w.location_shopify_id, "name": w.name[:255],
             "stockouts": w.stockouts, "oversells": w.oversells, "units_available": w.units_available,
             "units_sold": w.units_sold, "days_of_cover": w.days_of_cover}
            for w in stock_health(session, shop_id, now).warehouses]
    if rows:
        session.execute(insert(DailyStock), rows)
