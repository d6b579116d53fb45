"""The membership backfill after the first sync: the ledger from the stored order history, every customer's
tier and segment, then the write-back to Shopify in rate-limited batches, with progress the CLI and the
admin show.

Each phase can be interrupted and run again: ledger lines are unique per source (INSERT ... ON CONFLICT DO
NOTHING), the recompute writes only what changed, and the write-back takes only members still flagged.
Progress lives in `membership_settings.backfill`:
{"state": "ledger|scoring|writing|done|failed", "members", "written", "remaining", "started_at", ...}.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.membership import shopify_objects, writeback
from app.membership.recompute import recompute_shop
from app.membership.service import settings_row
from app.models import Membership, MembershipSettings, Shop, utcnow
from app.shopify.admin_api import AdminClient

log = logging.getLogger(__name__)

HISTORY_DAYS = 365 + 31  # a year of history, and the month a calendar-year window may reach back

# Set-based ledger from stored orders and refunds. Paid: every non-test order Shopify took money for.
_PAID = """
INSERT INTO spend_entries (shop_id, kind, source_id, order_shopify_id, customer_shopify_id, email_hash, amount,
                           currency, occurred_at, created_at)
SELECT o.shop_id, 'paid', o.shopify_id, o.shopify_id, o.customer_shopify_id, o.email_hash, o.total_price,
       o.currency, coalesce(o.paid_at, o.processed_at, o.shopify_created_at), :now
FROM orders o
WHERE o.shop_id = :shop AND NOT o.test
  AND lower(coalesce(o.financial_status, '')) IN ('paid', 'partially_refunded', 'refunded', 'partially_paid')
  AND coalesce(o.paid_at, o.processed_at, o.shopify_created_at) >= :since
ON CONFLICT (shop_id, kind, source_id) DO NOTHING
"""
_REFUNDS = """
INSERT INTO spend_entries (shop_id, kind, source_id, order_shopify_id, customer_shopify_id, email_hash, amount,
                           currency, occurred_at, created_at)
SELECT r.shop_id, 'refund', r.shopify_id, r.order_shopify_id, o.customer_shopify_id, o.email_hash, -r.amount,
       r.currency, coalesce(r.processed_at, r.shopify_created_at, :now), :now
FROM refunds r JOIN orders o ON o.shop_id = r.shop_id AND o.shopify_id = r.order_shopify_id
WHERE r.shop_id = :shop AND NOT o.test AND coalesce(o.paid_at, o.processed_at, o.shopify_created_at) >= :since
ON CONFLICT (shop_id, kind, source_id) DO NOTHING
"""
# A cancelled order counts zero whatever its lines say (ledger._per_order); the line keeps the history.
_CANCELS = """
INSERT INTO spend_entries (shop_id, kind, source_id, order_shopify_id, customer_shopify_id, email_hash, amount,
                           currency, occurred_at, created_at)
SELECT o.shop_id, 'cancel', o.shopify_id, o.shopify_id, o.customer_shopify_id, o.email_hash, -o.total_price,
       o.currency, o.cancelled_at, :now
FROM orders o
WHERE o.shop_id = :shop AND NOT o.test AND o.cancelled_at IS NOT NULL AND o.cancelled_at >= :since
ON CONFLICT (shop_id, kind, source_id) DO NOTHING
"""


def ledger_from_history(session: Session, shop_id: int, now: datetime) -> int:
    """Ledger lines for the stored orders of the last HISTORY_DAYS; returns how many were new."""
    params = {"shop": shop_id, "now": now, "since": now - timedelta(days=HISTORY_DAYS)}
    added = 0
    for statement in (_PAID, _REFUNDS, _CANCELS):
        added += session.execute(text(statement), params).rowcount or 0
    return added


def _save_state(session: Session, shop_id: int, **values) -> dict:
    row = settings_row(session, shop_id)
    state = {**(row.backfill or {}), **values}
    row.backfill = state
    session.commit()
    return state


def progress(session: Session, shop_id: int) -> dict | None:
    return session.scalar(select(MembershipSettings.backfill).where(MembershipSettings.shop_id == shop_id))


def run(session: Session, shop: Shop, client: AdminClient, now: datetime | None = None,
        on_progress: Callable[[dict], None] | None = None) -> dict:
    """Run or resume the whole backfill; returns the final progress record."""
    now = now or utcnow()
    report = on_progress or (lambda _state: None)
    try:
        report(_save_state(session, shop.id, state="ledger", started_at=now.isoformat(), finished_at=None,
                           error=None, written=0))
        added = ledger_from_history(session, shop.id, now)
        session.commit()
        report(_save_state(session, shop.id, state="scoring", ledger_lines_added=added))
        scored = recompute_shop(session, shop, now)
        session.commit()
        members = session.scalar(select(func.count()).select_from(Membership).where(
            Membership.shop_id == shop.id)) or 0
        report(_save_state(session, shop.id, state="writing", members=members, scored=scored,
                           remaining=writeback.remaining(session, shop.id)))
        shopify_objects.sync(session, shop, client, now)

        def batch_done(written: int, remaining: int) -> None:
            report(_save_state(session, shop.id, written=written, remaining=remaining))

        written, refused = writeback.write_back(session, shop, client, progress=batch_done)
        final = _save_state(session, shop.id, state="done", written=written, refused=refused, remaining=0,
                            finished_at=utcnow().isoformat())
        report(final)
        return final
    except Exception as exc:
        session.rollback()
        _save_state(session, shop.id, state="failed", error=f"{type(exc).__name__}: {exc}"[:500])
        log.warning("membership backfill of shop %s failed: %s", shop.id, exc)
        raise

