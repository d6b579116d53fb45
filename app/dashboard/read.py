"""The dashboard for a period and the one before it, from the daily tables only (small GROUP BYs).

Everything returned is plain data (numbers, names, dates) for the page, the JSON API and the CSV export.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.dashboard import stats
from app.dashboard.stats import GroupSums, Period
from app.membership.perks import tier_slug
from app.membership.service import load_settings
from app.models import Location, Shop
from app.models.dashboard import (
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

ZERO = Decimal(0)


def _in(model, period: Period, shop_id: int):
    return (model.shop_id == shop_id, model.day >= period.start, model.day <= period.end)


def recovery(session: Session, shop_id: int, period: Period) -> dict:
    rows = session.execute(
        select(DailyRecovery.grp, func.sum(DailyRecovery.abandoned), func.sum(DailyRecovery.reached),
               func.sum(DailyRecovery.converted), func.sum(DailyRecovery.reached_converted),
               func.sum(DailyRecovery.revenue), func.sum(DailyRecovery.revenue_sq),
               func.sum(DailyRecovery.recovered_revenue))
        .where(*_in(DailyRecovery, period, shop_id)).group_by(DailyRecovery.grp)).all()
    by = {r[0]: r for r in rows}
    t = by.get("treatment") or ("treatment", 0, 0, 0, 0, ZERO, ZERO, ZERO)
    h = by.get("holdout") or ("holdout", 0, 0, 0, 0, ZERO, ZERO, ZERO)
    treated = GroupSums(int(t[1] or 0), Decimal(t[5] or 0), Decimal(t[6] or 0))
    held = GroupSums(int(h[1] or 0), Decimal(h[5] or 0), Decimal(h[6] or 0))
    return {
        "abandoned": treated.n + held.n, "treatment": treated.n, "holdout": held.n,
        "reached": int(t[2] or 0), "converted": int(t[3] or 0),
        "recovery_rate": stats.rate(int(t[3] or 0), treated.n),
        "holdout_rate": stats.rate(int(h[3] or 0), held.n),
        "recovered_revenue": float(t[7] or 0),
        "incremental": stats.incremental(treated, held),
    }


def offers(session: Session, shop_id: int, period: Period) -> list[dict]:
    rows = session.execute(
        select(DailyRecoveryOffer.offer, func.sum(DailyRecoveryOffer.conversions), func.sum(DailyRecoveryOffer.revenue))
        .where(*_in(DailyRecoveryOffer, period, shop_id)).group_by(DailyRecoveryOffer.offer)
        .order_by(func.sum(DailyRecoveryOffer.revenue).desc()))
    return [{"offer": offer or "none", "conversions": int(n), "revenue": float(rev or 0)} for offer, n, rev in rows]


def recovery_series(session: Session, shop_id: int, period: Period) -> list[dict]:
    """One point per day of the period (zeros where nothing happened), for the chart."""
    rows = dict((day, (int(a or 0), int(c or 0), float(r or 0))) for day, a, c, r in session.execute(
        select(DailyRecovery.day, func.sum(DailyRecovery.abandoned), func.sum(DailyRecovery.converted),
               func.sum(DailyRecovery.recovered_revenue))
        .where(*_in(DailyRecovery, period, shop_id), DailyRecovery.grp == "treatment").group_by(DailyRecovery.day)))
    out, day = [], period.start
    while day <= period.end:
        a, c, r = rows.get(day, (0, 0, 0.0))
        out.append({"day": day, "abandoned": a, "converted": c, "revenue": r})
        day += timedelta(days=1)
    return out


def _snapshot_day(session: Session, model, shop_id: int, period: Period) -> date | None:
    return session.scalar(select(func.max(model.day)).where(*_in(model, period, shop_id)))


def members(session: Session, shop_id: int, period: Period) -> dict:
    day = _snapshot_day(session, DailyMembers, shop_id, period)
    if day is None:
        return {"day": None, "total": 0, "by_tier": [], "by_segment": []}
    rows = session.execute(select(DailyMembers.tier, DailyMembers.segment, DailyMembers.members)
                           .where(DailyMembers.shop_id == shop_id, DailyMembers.day == day)).all()
    tiers: dict[str, int] = defaultdict(int)
    segments: dict[str, int] = defaultdict(int)
    for tier, segment, n in rows:
        tiers[tier] += n
        segments[segment or "unscored"] += n
    return {"day": day, "total": sum(tiers.values()),
            "by_tier": [{"tier": k, "members": v} for k, v in sorted(tiers.items(), key=lambda kv: -kv[1])],
            "by_segment": [{"segment": k, "members": v} for k, v in sorted(segments.items(), key=lambda kv: -kv[1])]}


def tier_moves(session: Session, shop_id: int, period: Period) -> list[dict]:
    rows = session.execute(
        select(DailyTierMoves.from_tier, DailyTierMoves.to_tier, func.sum(DailyTierMoves.moves))
        .where(*_in(DailyTierMoves, period, shop_id))
        .group_by(DailyTierMoves.from_tier, DailyTierMoves.to_tier).order_by(func.sum(DailyTierMoves.moves).desc()))
    return [{"from": f or None, "to": t, "moves": int(n)} for f, t, n in rows]


def migrations(session: Session, shop_id: int, period: Period) -> dict:
    """Tier and segment moves per month over the period's months, from the history rows the recompute and
    the review write (app/membership/moves.py): who went from where to where, month by month."""
    from app.membership import moves

    since = datetime.combine(period.start.replace(day=1), time(), UTC)
    last = period.end.strftime("%Y-%m")
    return {
        "segments": [{"month": m, "from": a, "to": b, "customers": n}
                     for m, a, b, n in moves.segment_moves(session, shop_id, since) if m <= last],
        "tiers": [{"month": m, "from": a, "to": b, "customers": n}
                  for m, a, b, n in moves.tier_moves(session, shop_id, since) if m <= last],
    }


def repurchase(session: Session, shop_id: int, period: Period) -> list[dict]:
    rows = session.execute(
        select(DailyOrders.tier, func.sum(DailyOrders.orders), func.sum(DailyOrders.repeat_orders),
               func.sum(DailyOrders.revenue))
        .where(*_in(DailyOrders, period, shop_id)).group_by(DailyOrders.tier).order_by(DailyOrders.tier))
    return [{"tier": tier or None, "orders": int(n), "repeat_orders": int(r), "rate": stats.rate(int(r), int(n)),
             "revenue": float(rev or 0)} for tier, n, r, rev in rows]


def tier_names(session: Session, shop_id: int) -> dict[str, str]:
    """Orders and promises carry the tier's slug ("gold"); the merchant reads the tier's own name ("Gold")."""
    return {tier_slug(t.name): t.name for t in load_settings(session, shop_id).tiers}


def accuracy(session: Session, shop_id: int, period: Period, names: dict[int, str]) -> dict:
    p = DailyPromise
    keys = {"warehouse": [p.location_shopify_id], "lane": [p.location_shopify_id, p.country, p.region, p.service_level],
            "tier": [p.tier]}
    out = {}
    tiers = tier_names(session, shop_id)
    for by, cols in keys.items():
        rows = session.execute(
            select(*cols, func.sum(p.delivered), func.sum(p.on_time), func.sum(p.days_late_sum))
            .where(*_in(p, period, shop_id)).group_by(*cols).order_by(func.sum(p.delivered).desc()))
        items = []
        for *key, n, hits, late in rows:
            label = names.get(key[0], str(key[0])) if by != "tier" else (tiers.get(key[0], key[0]) or None)
            if by == "lane":
                label = f"{label} → {key[1]}{('-' + key[2]) if key[2] else ''} · {key[3] or '—'}"
            items.append({"key": label, "delivered": int(n), "on_time": stats.rate(int(hits), int(n)),
                          "mean_days_late": float(late) / int(n) if n else None})
        out[by] = items
    return out


def handling(session: Session, shop_id: int, period: Period) -> list[dict]:
    rows = session.execute(
        select(DailyHandling.tier, func.sum(DailyHandling.orders), func.sum(DailyHandling.met),
               func.sum(DailyHandling.missed), func.sum(DailyHandling.open))
        .where(*_in(DailyHandling, period, shop_id)).group_by(DailyHandling.tier).order_by(DailyHandling.tier))
    names = tier_names(session, shop_id)
    return [{"tier": names.get(tier, tier) if tier else None, "orders": int(n), "met": int(m), "missed": int(x),
             "open": int(o), "share_met": stats.rate(int(m), int(m) + int(x))} for tier, n, m, x, o in rows]


def stock(session: Session, shop_id: int, period: Period) -> dict:
    day = _snapshot_day(session, DailyStock, shop_id, period)
    if day is None:
        return {"day": None, "warehouses": []}
    rows = session.scalars(select(DailyStock).where(DailyStock.shop_id == shop_id, DailyStock.day == day)
                           .order_by(DailyStock.name, DailyStock.location_shopify_id))
    return {"day": day, "warehouses": [
        {"warehouse": r.name, "stockouts": r.stockouts, "oversells": r.oversells, "units_available": r.units_available,
         "units_sold": r.units_sold, "days_of_cover": r.days_of_cover} for r in rows]}


def dashboard(session: Session, shop: Shop, period: Period) -> dict:
    previous = period.previous()
    names = dict(session.execute(select(Location.shopify_id, Location.name).where(Location.shop_id == shop.id)).all())
    state = session.scalar(select(DashboardState).where(DashboardState.shop_id == shop.id))
    now_rec, before_rec = recovery(session, shop.id, period), recovery(session, shop.id, previous)
    return {
        "currency": shop.currency or "USD",
        "period": period, "previous": previous,
        "refreshed_at": state.refreshed_at if state else None,
        "recovery": now_rec, "recovery_previous": before_rec,
        "offers": offers(session, shop.id, period),
        "series": recovery_series(session, shop.id, period),
        "members": members(session, shop.id, period),
        "members_previous": members(session, shop.id, previous),
        "tier_moves": tier_moves(session, shop.id, period),
        "migrations": migrations(session, shop.id, period),
        "repurchase": repurchase(session, shop.id, period),
        "repurchase_previous": repurchase(session, shop.id, previous),
        "accuracy": accuracy(session, shop.id, period, names),
        "accuracy_previous": accuracy(session, shop.id, previous, names),
        "handling": handling(session, shop.id, period),
        "stock": stock(session, shop.id, period),
    }
