"""The full recompute of one shop, and the periodic review: every customer's trailing spend, tier and RFM
scores, from one grouped ledger query, written back in bulk.

It reads plain tuples, never ORM objects (100,000 members must fit in a worker's memory), applies the same
pure rules as the per-event path, and writes only rows whose values changed: new members in batched
INSERTs, changed ones in batched UPDATEs by primary key, tier changes as history rows. A transaction-level
advisory lock per shop serialises it with the per-member path (which takes the same lock shared), so a
paid order processed meanwhile is neither lost nor overwritten with an older total.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from app.membership import ledger, rfm, tiers
from app.membership.service import load_settings
from app.models import Membership, SegmentChange, Shop, TierChange, utcnow

LOCK_NAMESPACE = 0x464C4D42  # "FLMB": our advisory locks' first key, the shop id is the second
CHUNK = 5000


def lock_shop(session: Session, shop_id: int, *, shared: bool) -> None:
    """The membership lock of one shop until the transaction ends (PostgreSQL; SQLite serialises writers)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    session.execute(text(f"SELECT {function}(:ns, :shop)"), {"ns": LOCK_NAMESPACE, "shop": shop_id})


_STATE = (Membership.id, Membership.customer_shopify_id, Membership.tier, Membership.tier_since,
          Membership.pinned_tier, Membership.below_since, Membership.last_review_at, Membership.trailing_spend,
          Membership.recency_score, Membership.frequency_score, Membership.monetary_score, Membership.segment)


def recompute_shop(session: Session, shop: Shop, now: datetime | None = None) -> int:
    """Spend, joins, upgrades and scores for every customer (downgrades wait for the review); how many
    customers were scored."""
    return _run(session, shop, now or utcnow(), review=False)[0]


def review_shop(session: Session, shop: Shop, now: datetime | None = None) -> list[tiers.Change]:
    """The same, plus the downgrades due after the grace period, one level each. Spend is re-read for
    everyone because it also falls without any event, as old orders leave the trailing window."""
    return _run(session, shop, now or utcnow(), review=True)[1]


def _run(session: Session, shop: Shop, now: datetime, *, review: bool) -> tuple[int, list[tiers.Change]]:
    lock_shop(session, shop.id, shared=False)
    settings = load_settings(session, shop.id)
    since = ledger.window_start(now, settings.window)
    totals = ledger.totals(session, shop, since)
    activities = [rfm.Activity(cid, first, last, orders, amount)
                  for cid, first, last, orders, amount in totals if first is not None]
    scores = {s.customer_id: s for s in rfm.score(activities, now, settings.rules)}
    del activities
    amounts = {cid: amount for cid, _first, _last, _orders, amount in totals}
    del totals
    existing = {row[1]: row for row in session.execute(select(*_STATE).where(Membership.shop_id == shop.id))}

    inserts, updates, changes, moves, segment_moves = [], [], [], [], []
    for customer_id in sorted(amounts.keys() | existing.keys()):
        amount = amounts.get(customer_id, Decimal(0))
        old = existing.get(customer_id)
        state = tiers.MemberState(None) if old is None else tiers.MemberState(*old[2:7])
        decision = (tiers.review(settings.tiers, state, amount, now, settings.grace) if review
                    else tiers.on_spend(settings.tiers, state, amount, now))
        score = scores.get(customer_id)
        new = decision.state
        values = {
            "tier": new.tier, "tier_since": new.since, "pinned_tier": new.pinned, "below_since": new.below_since,
            "last_review_at": new.last_review_at, "trailing_spend": amount,
            "recency_score": score.recency if score else None, "frequency_score": score.frequency if score else None,
            "monetary_score": score.monetary if score else None, "segment": score.segment if score else None,
        }
        if decision.change is not None:
            c = decision.change
            moves.append(c)
            changes.append({"shop_id": shop.id, "customer_shopify_id": customer_id, "from_tier": c.from_tier,
                            "to_tier": c.to_tier, "reason": c.reason, "at": c.at})
        if (old[11] if old is not None else None) != values["segment"]:
            segment_moves.append({"shop_id": shop.id, "customer_shopify_id": customer_id,
                                  "from_segment": old[11] if old is not None else None,
                                  "to_segment": values["segment"], "at": now})
        if old is None:
            inserts.append({**values, "shop_id": shop.id, "customer_shopify_id": customer_id, "scored_at": now,
                            "writeback_due": True, "created_at": now, "updated_at": now})
            continue
        before = dict(zip(values, old[2:12], strict=True))
        if before == values:
            continue
        shown = (old[2], old[3], old[7]) != (new.tier, new.since, amount)  # what Shopify shows changed
        updates.append({**values, "id": old[0], "scored_at": now, "updated_at": now,
                        **({"writeback_due": True} if shown else {})})
    for batch in _chunks(inserts):
        session.execute(insert(Membership), batch)
    # Rows with and without the write-back flag are updated separately: executemany needs one column set.
    for flagged in (True, False):
        rows = [u for u in updates if ("writeback_due" in u) is flagged]
        for batch in _chunks(rows):
            session.execute(update(Membership), batch)
    for batch in _chunks(changes):
        session.execute(insert(TierChange), batch)
    for batch in _chunks(segment_moves):
        session.execute(insert(SegmentChange), batch)
    return len(scores), moves


def _chunks(rows: list[dict]):
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]
