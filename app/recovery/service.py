"""Recovery cases from checkout and order events, abandonment detection, and stage planning.

Shopify's events arrive in any order and more than once, so every entry point re-reads the stored checkout
and derives the case from it: an order seen before its checkout leaves the checkout linked (see
`store.checkouts`), and the case born from that checkout is converted at once; a checkout update after the
order changes nothing. Detection is driven by `due_at` in the database rather than by timers in Redis, so a
restarted worker finds every check it still owes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import store
from app.models import Checkout, Order, RecoveryCase, RecoveryMessage, RecoverySettings, utcnow
from app.models.recovery import CaseStatus, MessageKind, SendState
from app.recovery import attribution, detection, stages, stock_notices
from app.recovery import settings as rules_settings
from app.shopify.records import CheckoutRecord, OrderRecord

CANCELLABLE = (SendState.SCHEDULED,)


def settings_for(session: Session, shop_id: int) -> dict:
    row = session.scalar(select(RecoverySettings).where(RecoverySettings.shop_id == shop_id))
    return rules_settings.merge(row.values if row else None)


def _state(checkout: Checkout, now: datetime) -> detection.CheckoutState:
    return detection.CheckoutState(
        has_email=bool(checkout.email), has_phone=bool(checkout.phone),
        completed=checkout.completed_at is not None or checkout.closed_at is not None,
        converted=checkout.converted_order_shopify_id is not None,
        last_activity=checkout.shopify_updated_at or checkout.shopify_created_at or checkout.created_at or now)


def _case(session: Session, shop_id: int, checkout_id: int) -> RecoveryCase | None:
    return session.scalar(select(RecoveryCase).where(
        RecoveryCase.shop_id == shop_id, RecoveryCase.checkout_id == checkout_id).with_for_update())


def _new_case(session: Session, shop_id: int, checkout: Checkout) -> RecoveryCase:
    """Insert in a savepoint: a concurrent worker inserting the same case makes ours an update of theirs."""
    case = RecoveryCase(shop_id=shop_id, checkout_id=checkout.id, status=CaseStatus.PENDING)
    try:
        with session.begin_nested():
            session.add(case)
    except IntegrityError:
        case = _case(session, shop_id, checkout.id)
    return case


def record_checkout(session: Session, shop_id: int, record: CheckoutRecord, now: datetime | None = None) -> Checkout:
    """Store a checkout and open, reschedule, convert or close its case: the one path for every source
    (checkouts/* webhooks, the first sync, the reconciliation), so a checkout read twice from two sources
    is still one case."""
    checkout = store.upsert_checkout(session, shop_id, record)
    on_checkout(session, shop_id, checkout, now)
    return checkout


def record_order(session: Session, shop_id: int, record: OrderRecord) -> Order:
    """Store an order and convert the case of the checkout it came from (webhooks, sync and reconciliation)."""
    order = store.upsert_order(session, shop_id, record)
    on_order(session, shop_id, order)
    return order


def on_checkout(session: Session, shop_id: int, checkout: Checkout, now: datetime | None = None) -> None:
    """A checkout was created or updated (or its order was linked): open, reschedule, convert or close."""
    now = now or utcnow()
    case = _case(session, shop_id, checkout.id)
    state = _state(checkout, now)
    if state.converted:
        if case is not None:
            order = session.scalar(select(Order).where(
                Order.shop_id == shop_id, Order.shopify_id == checkout.converted_order_shopify_id))
            if order is not None:
                convert(session, shop_id, case, order)
        return
    if state.completed or not detection.has_contact(state):
        if case is not None and case.status in (CaseStatus.PENDING, CaseStatus.ABANDONED):
            case.status, case.due_at = CaseStatus.CLOSED, None
            _cancel(session, shop_id, case.id, "checkout completed or closed")
            stock_notices.forget(session, shop_id, case.id)
        return
    settings = settings_for(session, shop_id)
    if case is None:
        case = _new_case(session, shop_id, checkout)
    if case.status == CaseStatus.ABANDONED and state.last_activity <= (case.abandoned_at or now):
        return  # a stale or repeated delivery of an update we already acted on
    if case.status in (CaseStatus.PENDING, CaseStatus.ABANDONED):
        if case.status == CaseStatus.ABANDONED:
            # The shopper came back and changed the checkout: start over from this activity.
            _cancel(session, shop_id, case.id, "checkout updated after abandonment")
        case.status = CaseStatus.PENDING
        case.email = checkout.email.strip().lower() if checkout.email else None
        case.customer_shopify_id = checkout.customer_shopify_id
        case.due_at = detection.abandonment_due(state.last_activity, settings["abandon_after_minutes"])


def on_order(session: Session, shop_id: int, order: Order) -> None:
    """An order arrived: convert the case of the checkout it was linked to, and stop its messages now."""
    # From the (few) cases to their checkouts, not over every checkout: the first sync passes each of a year
    # of orders through here, and `converted_order_shopify_id` has no index of its own.
    case = session.scalar(select(RecoveryCase).join(Checkout, Checkout.id == RecoveryCase.checkout_id).where(
        RecoveryCase.shop_id == shop_id, Checkout.shop_id == shop_id,
        Checkout.converted_order_shopify_id == order.shopify_id).with_for_update(of=RecoveryCase))
    if case is not None:
        convert(session, shop_id, case, order)


def convert(session: Session, shop_id: int, case: RecoveryCase, order: Order) -> None:
    if case.status == CaseStatus.CONVERTED:
        return  # counted once, however many order events arrive
    converted_at = order.processed_at or order.shopify_created_at or utcnow()
    case.status, case.due_at = CaseStatus.CONVERTED, None
    case.converted_at, case.order_shopify_id = converted_at, order.shopify_id
    case.revenue, case.currency = order.total_price, order.currency
    _cancel(session, shop_id, case.id, "converted")
    stock_notices.forget(session, shop_id, case.id)
    if case.abandoned_at is None or case.group != detection.TREATMENT:
        return
    settings = settings_for(session, shop_id)
    sent = [attribution.Sent(m.id, m.stage, m.offer, m.sent_at) for m in session.scalars(
        select(RecoveryMessage).where(RecoveryMessage.shop_id == shop_id, RecoveryMessage.case_id == case.id,
                                      RecoveryMessage.state == SendState.SENT))]
    credited = attribution.attribute(converted_at, sent, settings["attribution_days"])
    if credited is not None:
        case.attributed_message_id = credited.message_id
        case.attributed_stage, case.attributed_offer = credited.stage, credited.offer


def _cancel(session: Session, shop_id: int, case_id: int, reason: str) -> None:
    session.execute(update(RecoveryMessage).where(
        RecoveryMessage.shop_id == shop_id, RecoveryMessage.case_id == case_id,
        RecoveryMessage.state.in_(CANCELLABLE)).values(state=SendState.CANCELLED, reason=reason))


def detect_due(session: Session, shop_id: int, now: datetime, limit: int = 500) -> int:
    """Look at up to `limit` pending cases whose check is due; returns how many were looked at.

    Rows are taken `FOR UPDATE SKIP LOCKED`, so two workers detecting the same shop split the work."""
    cases = session.scalars(select(RecoveryCase).where(
        RecoveryCase.shop_id == shop_id, RecoveryCase.status == CaseStatus.PENDING, RecoveryCase.due_at <= now)
        .order_by(RecoveryCase.due_at).limit(limit).with_for_update(skip_locked=True)).all()
    if not cases:
        return 0
    settings = settings_for(session, shop_id)
    checkouts = {c.id: c for c in session.scalars(select(Checkout).where(
        Checkout.shop_id == shop_id, Checkout.id.in_([c.checkout_id for c in cases])))}
    messaged: dict[int, int] = {}
    for case in cases:
        checkout = checkouts[case.checkout_id]
        state = _state(checkout, now)
        verdict = detection.verdict(state, settings["abandon_after_minutes"], now)
        if verdict == "wait":
            case.due_at = detection.abandonment_due(state.last_activity, settings["abandon_after_minutes"])
        elif verdict == "abandoned":
            if _abandon(session, shop_id, case, checkout, state, settings, now):
                messaged[case.id] = checkout.id
        elif verdict == "converted":
            on_checkout(session, shop_id, checkout, now)
        else:
            case.status, case.due_at = CaseStatus.CLOSED, None
    if settings["stages"]["3"]["enabled"]:
        # One stock read for the batch: what stage 3's stock notices will wait for.
        stock_notices.remember_short(session, shop_id, messaged, now)
    return len(cases)


def _abandon(session: Session, shop_id: int, case: RecoveryCase, checkout: Checkout,
             state: detection.CheckoutState, settings: dict, now: datetime) -> bool:
    """Mark the case abandoned and plan its timed messages; True when it is one we message (treatment)."""
    abandoned_at = detection.abandonment_due(state.last_activity, settings["abandon_after_minutes"])
    case.status, case.due_at, case.abandoned_at = CaseStatus.ABANDONED, None, abandoned_at
    case.value, case.currency = checkout.total_price, checkout.currency
    case.group = case.group or detection.assign_group(shop_id, checkout.token, settings["holdout_percent"])
    case.high_value = detection.is_high_value(checkout.total_price, Decimal(settings["high_value_threshold"]))
    case.repeat_abandoner = detection.is_repeat(_abandoned_recently(session, shop_id, case, settings, now) + 1,
                                                settings["repeat_min_checkouts"])
    if case.group != detection.TREATMENT or not case.email or not settings["enabled"]:
        return False
    existing = {m.stage: m for m in session.scalars(select(RecoveryMessage).where(
        RecoveryMessage.shop_id == shop_id, RecoveryMessage.case_id == case.id,
        RecoveryMessage.kind == MessageKind.TIMED))}
    for planned in stages.plan(abandoned_at, settings, repeat=case.repeat_abandoner, high_value=case.high_value,
                               started_at=checkout.shopify_created_at or state.last_activity, now=now):
        row = existing.get(planned.stage)
        if row is None:
            session.add(RecoveryMessage(shop_id=shop_id, case_id=case.id, stage=planned.stage, email=case.email,
                                        state=SendState.SCHEDULED, scheduled_for=planned.scheduled_for,
                                        not_after=planned.not_after, attempts=0))
        elif row.state == SendState.CANCELLED:
            # Abandoned again after coming back: the stage gets a new time (a sent stage is never repeated).
            row.state, row.scheduled_for, row.not_after, row.reason = (
                SendState.SCHEDULED, planned.scheduled_for, planned.not_after, None)
    return True


def _abandoned_recently(session: Session, shop_id: int, case: RecoveryCase, settings: dict, now: datetime) -> int:
    who = [RecoveryCase.email_hash == case.email_hash] if case.email_hash else []
    if case.customer_shopify_id is not None:
        who.append(RecoveryCase.customer_shopify_id == case.customer_shopify_id)
    if not who:
        return 0

    return session.scalar(select(func.count()).select_from(RecoveryCase).where(
        RecoveryCase.shop_id == shop_id, RecoveryCase.id != case.id, or_(*who),
        RecoveryCase.abandoned_at.is_not(None),
        RecoveryCase.abandoned_at >= now - timedelta(days=settings["repeat_window_days"]))) or 0


def shops_with_due_cases(session: Session, now: datetime) -> list[int]:
    return list(session.scalars(select(RecoveryCase.shop_id).where(
        RecoveryCase.status == CaseStatus.PENDING, RecoveryCase.due_at <= now).distinct()))


def on_stock_changed(session: Session, shop_id: int, variant_ids: list[int], now: datetime | None = None) -> list[int]:
    """Stock changed for these variants (an inventory or product webhook): raise stage 3's stock notices."""
    return stock_notices.on_stock_changed(session, shop_id, variant_ids, lambda: settings_for(session, shop_id),
                                          now or utcnow())
