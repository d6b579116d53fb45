"""Load the dashboard's rows (one per abandoned case) in one query and summarise them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.models import RecoveryCase, RecoveryMessage, Shop
from app.models.recovery import CaseStatus, SendState
from app.recovery import results


def summary(session: Session, shop_id: int, since: datetime | None = None) -> dict:
    reached = exists().where(RecoveryMessage.shop_id == shop_id, RecoveryMessage.case_id == RecoveryCase.id,
                             RecoveryMessage.state == SendState.SENT)
    stmt = select(RecoveryCase.group, reached, RecoveryCase.status, RecoveryCase.converted_at,
                  RecoveryCase.abandoned_at, RecoveryCase.revenue, RecoveryCase.attributed_stage,
                  RecoveryCase.attributed_offer).where(
        RecoveryCase.shop_id == shop_id, RecoveryCase.abandoned_at.is_not(None), RecoveryCase.group.is_not(None))
    if since is not None:
        stmt = stmt.where(RecoveryCase.abandoned_at >= since)
    rows = []
    for group, was_reached, status, converted_at, abandoned_at, revenue, stage, offer in session.execute(stmt):
        # A conversion counts when the order came after the checkout was abandoned.
        converted = status == CaseStatus.CONVERTED and converted_at is not None and converted_at >= abandoned_at
        rows.append(results.CaseRow(group, bool(was_reached), converted,
                                    Decimal(revenue) if converted and revenue is not None else Decimal(0),
                                    stage if converted else None, offer if converted else None))
    currency = session.scalar(select(Shop.currency).where(Shop.id == shop_id)) or "USD"
    return results.summarise(rows, currency)
