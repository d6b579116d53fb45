"""Which stages a case gets, when, and what each one offers (pure).

Stages are planned at abandonment with their windows; what a stage says is decided at send time from a fresh
re-quote, so a message never promises stock that left in the meantime.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from app.supply.requote import Requote

# Shopify keeps an abandoned checkout (and its recovery link) for about 30 days after it was started.
CHECKOUT_KEPT = timedelta(days=30)


@dataclass(frozen=True)
class StagePlan:
    stage: int
    scheduled_for: datetime
    not_after: datetime


def expires_at(started_at: datetime) -> datetime:
    return started_at + CHECKOUT_KEPT


def last_reminder_window(abandoned_at: datetime, started_at: datetime, stage: dict) -> tuple[datetime, datetime]:
    """Stage 3's timed message goes `last_reminder_lead_hours` before the checkout expires, inside the stage's
    window; the window may be empty (start >= end) when the checkout expires before the stage opens."""
    opens = abandoned_at + timedelta(hours=stage["start_hours"])
    closes = abandoned_at + timedelta(hours=stage["end_hours"])
    expiry = expires_at(started_at)
    return max(opens, expiry - timedelta(hours=stage["last_reminder_lead_hours"])), min(closes, expiry)


def notice_window(abandoned_at: datetime, started_at: datetime, stage: dict,
                  now: datetime) -> tuple[datetime, datetime]:
    """A stock notice raised at `now` goes at once, but not before stage 3 opens nor after the checkout expires."""
    opens = abandoned_at + timedelta(hours=stage["start_hours"])
    return max(now, opens), min(abandoned_at + timedelta(hours=stage["end_hours"]), expires_at(started_at))


def plan(abandoned_at: datetime, settings: dict, *, repeat: bool, high_value: bool,
         started_at: datetime | None = None, now: datetime | None = None) -> list[StagePlan]:
    """The timed messages of a newly abandoned checkout. Windows already closed at `now` are left out (a
    checkout imported days after it was abandoned gets only what is still ahead of it)."""
    started_at = started_at or abandoned_at
    out = []
    for key in ("1", "2", "3"):
        stage = settings["stages"][key]
        if not stage["enabled"]:
            continue
        if key == "2" and not (repeat or high_value):
            continue  # the offers are for repeat abandoners and high-value checkouts only
        if key == "3":
            start, end = last_reminder_window(abandoned_at, started_at, stage)
        else:
            start, end = abandoned_at + timedelta(hours=stage["start_hours"]), abandoned_at + timedelta(
                hours=stage["end_hours"])
        if start >= end or (now is not None and end <= now):
            continue
        out.append(StagePlan(int(key), start, end))
    return out[: settings["per_checkout_max"]]


@dataclass(frozen=True)
class Offer:
    kind: str  # supply | reminder | preorder | split | trial | tier_perk | discount | restock | back_in_stock
    #            | last_reminder
    earliest: date | None = None
    latest: date | None = None
    warehouse: str | None = None
    default_latest: date | None = None
    days_saved: int | None = None
    saving: Decimal | None = None  # shipping cheaper by this much (positive), in `currency`
    currency: str | None = None
    tier: str | None = None
    trial_text: str | None = None
    discount: bool = False  # a single-use code goes with this message
    short_variant_ids: tuple[int, ...] = field(default=())


def _promise(requote: Requote) -> dict:
    best = requote.best
    if best is None or not (requote.in_stock or requote.status == "backorder"):
        return {}
    return {"earliest": best.earliest, "latest": best.latest, "warehouse": best.warehouse_names[0]}


def choose(stage: int, requote: Requote, settings: dict, *, tier: str | None, customer_known: bool,
           kind: str = "timed") -> Offer | None:
    """The offer for `stage` given a re-quote made now; None means the stage has nothing honest to say.

    Stage 3 has two messages: the timed last reminder before the checkout expires, and the stock notice
    (`kind="stock"`) raised when stock returns for a line that was short at abandonment."""
    if stage == 1:
        return _supply_answer(requote)
    if stage == 2:
        return _stage_two(requote, settings["stages"]["2"], tier, customer_known)
    if kind == "stock":
        if requote.in_stock:
            return Offer("back_in_stock", **_promise(requote))
        if requote.status == "backorder" and requote.best is not None:
            return Offer("restock", **_promise(requote), short_variant_ids=requote.short_variant_ids)
        return None  # gone again before the notice could go
    if requote.in_stock or (requote.status == "backorder" and requote.best is not None):
        return Offer("last_reminder", **_promise(requote), short_variant_ids=requote.short_variant_ids)
    return None  # still unavailable with no restock date: a reminder would only disappoint


def _supply_answer(r: Requote) -> Offer:
    if r.improved and r.in_stock and r.best is not None:
        saving = None
        if r.price_difference is not None and r.price_difference.amount < 0:
            saving = -r.price_difference.amount
        return Offer("supply", **_promise(r), default_latest=r.default.latest if r.default else None,
                     days_saved=r.days_saved if (r.days_saved or 0) > 0 else None, saving=saving,
                     currency=r.price_difference.currency if saving is not None else None)
    return Offer("reminder", **_promise(r), short_variant_ids=r.short_variant_ids)


def _stage_two(r: Requote, stage: dict, tier: str | None, customer_known: bool) -> Offer:
    # A code is limited to one customer in Shopify: a guest checkout (no customer) gets no code.
    discount = bool(stage["discount_enabled"]) and customer_known
    for kind in stage["offers"]:
        if kind == "tier_perk" and tier:
            return Offer("tier_perk", **_promise(r), tier=tier, discount=discount)
        if kind == "preorder" and r.status == "backorder" and r.best is not None:
            return Offer("preorder", **_promise(r), discount=discount, short_variant_ids=r.short_variant_ids)
        if kind == "split" and r.best is not None and len(r.best.location_shopify_ids) > 1 and r.in_stock:
            return Offer("split", **_promise(r), discount=discount)
        if kind == "trial" and stage.get("trial_text"):
            return Offer("trial", **_promise(r), trial_text=stage["trial_text"], discount=discount)
    return Offer("discount" if discount else "reminder", **_promise(r), discount=discount)
