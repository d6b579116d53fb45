"""Stage 3's stock notices: remember what was short at abandonment, raise a notice when stock comes back.

At abandonment the lines the whole network cannot cover are kept as waiting items. Every stock change that
reaches us (inventory levels, items, products: the same calls that bump the storefront's stock version)
looks those up by variant through an index; a case whose short line can now be covered, or has a restock
date, gets one stock notice scheduled inside stage 3. The notice's words are still decided at send time
from a fresh re-quote (back in stock, a restock date, or nothing when the stock left again), and a notice
skipped that way is re-armed by the next return of stock. Idempotent: a repeated webhook finds the notice
already scheduled.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import Checkout, RecoveryCase, RecoveryMessage
from app.models.recovery import CaseStatus, MessageKind, RecoveryWaitingItem, SendState
from app.recovery import detection, stages
from app.supply import loader
from app.supply.requote import shortages

# A notice skipped or cancelled for one of these reasons may go later, when stock returns again.
REARMABLE = ("nothing in stock to offer", "checkout updated after abandonment")


def remember_short(session: Session, shop_id: int, checkout_of_case: dict[int, int], now: datetime) -> int:
    """Keep the short lines of newly abandoned cases ({case id: checkout id}); returns how many were kept."""
    if not checkout_of_case:
        return 0
    from app.models import CheckoutLine

    lines: dict[int, list[tuple[int, int]]] = {}
    case_of_checkout = {checkout_id: case_id for case_id, checkout_id in checkout_of_case.items()}
    for checkout_id, variant, quantity in session.execute(
            select(CheckoutLine.checkout_id, CheckoutLine.variant_id, CheckoutLine.quantity).where(
                CheckoutLine.shop_id == shop_id, CheckoutLine.checkout_id.in_(list(case_of_checkout)))):
        lines.setdefault(case_of_checkout[checkout_id], []).append((variant, quantity))
    kept = 0
    existing = set(session.execute(select(RecoveryWaitingItem.case_id, RecoveryWaitingItem.variant_id).where(
        RecoveryWaitingItem.shop_id == shop_id, RecoveryWaitingItem.case_id.in_(list(lines)))).all())
    for case_id, short in shortages(session, shop_id, lines, now).items():
        for variant, quantity in short.items():
            if (case_id, variant) not in existing:
                session.add(RecoveryWaitingItem(shop_id=shop_id, case_id=case_id, variant_id=variant,
                                                quantity=quantity))
                kept += 1
    return kept


def forget(session: Session, shop_id: int, case_id: int) -> None:
    session.execute(delete(RecoveryWaitingItem).where(RecoveryWaitingItem.shop_id == shop_id,
                                                      RecoveryWaitingItem.case_id == case_id))


def _covered(session: Session, shop_id: int, waiting: list[RecoveryWaitingItem], now: datetime) -> set[int]:
    """Cases with at least one waiting line that the network can now cover, or that has a restock date."""
    supply = loader.load_supply(session, shop_id)
    inventory = loader.load_inventory(session, shop_id, {w.variant_id for w in waiting}, now)
    out = set()
    for item in waiting:
        per = inventory.free.get(str(item.variant_id), {})
        free = sum(max(units - wh.safety_stock, 0) for w, units in per.items()
                   if (wh := supply.warehouses.get(w)) is not None)
        if free >= item.quantity or inventory.incoming.get(str(item.variant_id)):
            out.add(item.case_id)
    return out


def on_stock_changed(session: Session, shop_id: int, variant_ids: list[int], settings: Callable[[], dict],
                     now: datetime) -> list[int]:
    """Schedule a stock notice for each waiting case whose short line came back; returns those cases' ids.

    Every stock webhook comes through here, so the common case (nobody waits for these variants) costs one
    indexed query and nothing more; the settings are read only when someone waits."""
    if not variant_ids:
        return []
    waiting = list(session.scalars(select(RecoveryWaitingItem).join(
        RecoveryCase, RecoveryCase.id == RecoveryWaitingItem.case_id).where(
        RecoveryWaitingItem.shop_id == shop_id, RecoveryWaitingItem.variant_id.in_(sorted(set(variant_ids))),
        RecoveryCase.status == CaseStatus.ABANDONED)))
    if not waiting:
        return []
    settings = settings()
    if not settings["enabled"] or not settings["stages"]["3"]["enabled"]:
        return []
    raised = []
    for case_id in sorted(_covered(session, shop_id, waiting, now)):
        if _schedule(session, shop_id, case_id, settings, now):
            raised.append(case_id)
    return raised


def _schedule(session: Session, shop_id: int, case_id: int, settings: dict, now: datetime) -> bool:
    case = session.scalar(select(RecoveryCase).where(RecoveryCase.shop_id == shop_id, RecoveryCase.id == case_id)
                          .with_for_update())
    if case is None or case.status != CaseStatus.ABANDONED or case.group != detection.TREATMENT or not case.email:
        return False
    checkout = session.get(Checkout, case.checkout_id)
    started = checkout.shopify_created_at or case.abandoned_at
    start, end = stages.notice_window(case.abandoned_at, started, settings["stages"]["3"], now)
    if start >= end:
        return False  # the checkout expires before stage 3 could say anything
    notice = session.scalar(select(RecoveryMessage).where(
        RecoveryMessage.shop_id == shop_id, RecoveryMessage.case_id == case_id, RecoveryMessage.stage == 3,
        RecoveryMessage.kind == MessageKind.STOCK))
    if notice is None:
        session.add(RecoveryMessage(shop_id=shop_id, case_id=case_id, stage=3, kind=MessageKind.STOCK,
                                    email=case.email, state=SendState.SCHEDULED, scheduled_for=start,
                                    not_after=end, attempts=0))
        return True
    if notice.state in (SendState.SKIPPED, SendState.CANCELLED) and notice.reason in REARMABLE:
        notice.state, notice.scheduled_for, notice.not_after, notice.reason = SendState.SCHEDULED, start, end, None
        notice.sent_at = None
        return True
    return False  # already scheduled, being sent, sent, or ruled out for good
