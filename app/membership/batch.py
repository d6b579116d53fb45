"""`on_order_paid` for many orders at once: their ledger lines in one INSERT, the spend of every member they
touch in one grouped query, the same pure tier rule for each, and the memberships written in bulk.

The batch path of webhook processing (app/webhooks/batch.py) hands over at most one order per customer and
per email in a call, so each member's spend moves once here exactly as it would have with the events one
after another. The spend query is `ledger.spend` for one customer, asked for many: each wanted customer's
own lines and the guest lines under their email, per order, owned by them once guest emails are resolved.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, String, bindparam, case, func, select, true, union_all, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from app.membership import ledger, tiers
from app.membership.recompute import lock_shop
from app.membership.service import load_settings
from app.models import Customer, Membership, Refund, Shop, SpendEntry, TierChange, utcnow
from app.store.batch import BatchConflict, StoredOrder

log = logging.getLogger(__name__)

LEDGER, MEMBERS = SpendEntry.__table__, Membership.__table__
_STATE = ("tier", "tier_since", "pinned_tier", "below_since", "last_review_at", "trailing_spend")


def _owner(order: StoredOrder) -> ledger.Owner:
    return ledger.Owner(order.customer_shopify_id, order.email_hash)


def on_orders_paid(session: Session, shop: Shop, orders: Sequence[StoredOrder], now: datetime | None = None) -> None:
    """Ledger lines of the paid orders and their refunds, then each owner's spend, tier and membership."""
    now = now or utcnow()
    paid = [o for o in orders if not o.test]  # test orders are not spend
    _record_paid(session, shop, paid, now)
    _record_refunds(session, shop, orders, now)
    _refresh(session, shop, _customers_for(session, shop, [_owner(o) for o in paid]), now)


def _record_paid(session: Session, shop: Shop, orders: Sequence[StoredOrder], now: datetime) -> None:
    if not orders:
        return
    rows = [{"shop_id": shop.id, "kind": ledger.PAID, "source_id": o.shopify_id, "order_shopify_id": o.shopify_id,
             "refund_shopify_id": None, "customer_shopify_id": o.customer_shopify_id, "email_hash": o.email_hash,
             "amount": o.total_price, "currency": o.currency, "occurred_at": o.paid_at or o.processed_at or now,
             "created_at": now} for o in orders]
    session.execute(pg_insert(LEDGER).on_conflict_do_nothing(index_elements=["shop_id", "kind", "source_id"]), rows)
    # Lines written earlier for these orders without an owner (a refund that came first) get the order's.
    ownerless = set(session.scalars(select(LEDGER.c.order_shopify_id).where(
        LEDGER.c.shop_id == shop.id, LEDGER.c.order_shopify_id.in_([o.shopify_id for o in orders]),
        LEDGER.c.customer_shopify_id.is_(None), LEDGER.c.email_hash.is_(None))))
    fixes = [{"_order": o.shopify_id, "customer_shopify_id": o.customer_shopify_id, "email_hash": o.email_hash}
             for o in orders if o.shopify_id in ownerless]
    if fixes:
        session.execute(update(LEDGER).where(
            LEDGER.c.shop_id == shop.id, LEDGER.c.order_shopify_id == bindparam("_order"),
            LEDGER.c.customer_shopify_id.is_(None), LEDGER.c.email_hash.is_(None)), fixes)


def _record_refunds(session: Session, shop: Shop, orders: Sequence[StoredOrder], now: datetime) -> None:
    """Refunds that came inside the order payloads (a cancellation refunds too), in shop money only."""
    by_id = {o.shopify_id: o for o in orders}
    rows = []
    for refund in session.scalars(select(Refund).where(
            Refund.shop_id == shop.id, Refund.order_shopify_id.in_(list(by_id))).order_by(Refund.id)):
        if refund.currency != shop.currency:
            log.warning("refund %s in %s, not the shop's %s: left out of the ledger",
                        refund.shopify_id, refund.currency, shop.currency)
            continue
        owner = _owner(by_id[refund.order_shopify_id])
        rows.append({"shop_id": shop.id, "kind": ledger.REFUND, "source_id": refund.shopify_id,
                     "order_shopify_id": refund.order_shopify_id, "refund_shopify_id": refund.shopify_id,
                     "customer_shopify_id": owner.customer_id, "email_hash": owner.email_hash, "amount": -refund.amount,
                     "currency": refund.currency, "created_at": now,
                     "occurred_at": refund.processed_at or refund.shopify_created_at or now})
    if rows:
        session.execute(pg_insert(LEDGER).on_conflict_do_nothing(index_elements=["shop_id", "kind", "source_id"]),
                        rows)


def _customers_for(session: Session, shop: Shop, owners: Sequence[ledger.Owner]) -> list[int]:
    """Each owner's customer id: their own, else the live customer with the guest's email (lowest id)."""
    emails = {o.email_hash for o in owners if o.customer_id is None and o.email_hash}
    by_email = dict(session.execute(
        select(Customer.email_hash, func.min(Customer.shopify_id))
        .where(Customer.shop_id == shop.id, Customer.email_hash.in_(emails), Customer.deleted.is_(False))
        .group_by(Customer.email_hash)).all()) if emails else {}
    found = [o.customer_id if o.customer_id is not None else by_email.get(o.email_hash) for o in owners]
    ids = [cid for cid in found if cid is not None]
    if len(set(ids)) != len(ids):
        # Two orders of one call reached the same member (a guest email and a customer id): step aside, so
        # the per-event path moves that member's tier once per order.
        raise BatchConflict("two orders of the batch belong to one member")
    return ids


def spend(session: Session, shop: Shop, since: datetime, customer_ids: Sequence[int]) -> dict[int, Decimal]:
    """Net spend since `since` of each customer: `ledger.spend(..., [customer_id])` for many in one query."""
    emails = dict(session.execute(select(Customer.shopify_id, Customer.email_hash).where(
        Customer.shop_id == shop.id, Customer.shopify_id.in_(customer_ids), Customer.deleted.is_(False))).all())
    # The wanted (customer, email) pairs as two array parameters: one statement text whatever their number.
    want = func.unnest(bindparam("want_ids", [int(c) for c in customer_ids], type_=ARRAY(BigInteger)),
                       bindparam("want_emails", [emails.get(c) for c in customer_ids], type_=ARRAY(String))
                       ).table_valued("customer_id", "email_hash").render_derived(name="want")
    e = SpendEntry
    lines = [e.order_shopify_id, e.customer_shopify_id, e.email_hash, e.kind, e.occurred_at, e.amount]

    def lookup(*where):
        # One index lookup per wanted customer whatever the planner believes about the table's size: a join
        # planned on fresh statistics scanned every line of the shop once per customer. OFFSET 0 keeps the
        # LATERAL subquery from being flattened back into that join.
        found = select(*lines).where(e.shop_id == shop.id, e.currency == shop.currency, *where).offset(0).lateral()
        return select(want.c.customer_id.label("wanted"), *found.c).select_from(want).join(found, true())

    mine = union_all(  # two lookups (by customer, by guest email) rather than an OR no index serves
        lookup(e.customer_shopify_id == want.c.customer_id),
        lookup(e.customer_shopify_id.is_(None), e.email_hash == want.c.email_hash)).subquery("mine")
    total = func.sum(mine.c.amount)
    cancelled = func.max(case((mine.c.kind == ledger.CANCEL, 1), else_=0))
    per_order = (
        select(mine.c.wanted, func.max(mine.c.customer_shopify_id).label("customer_id"),
               func.max(mine.c.email_hash).label("email_hash"),
               func.max(case((mine.c.kind == ledger.PAID, mine.c.occurred_at))).label("paid_at"),
               case((cancelled == 1, 0), (total > 0, total), else_=0).label("net"))
        .group_by(mine.c.wanted, mine.c.order_shopify_id).subquery("per_order"))
    # A guest order's owner: the live customer with its email (lowest id), asked only for guest orders.
    by_email = select(func.min(Customer.shopify_id)).where(
        Customer.shop_id == shop.id, Customer.email_hash == per_order.c.email_hash, Customer.deleted.is_(False))
    owner = func.coalesce(per_order.c.customer_id, by_email.scalar_subquery())
    stmt = (select(per_order.c.wanted, func.sum(case((per_order.c.paid_at >= since, per_order.c.net), else_=0)))
            .where(owner == per_order.c.wanted).group_by(per_order.c.wanted))
    result = {int(cid): Decimal(amount) for cid, amount in session.execute(stmt)}
    return {cid: result.get(cid, Decimal(0)) for cid in customer_ids}


def _refresh(session: Session, shop: Shop, customer_ids: list[int], now: datetime) -> None:
    """`service.refresh_member` for each customer: lock, read spend, apply `tiers.on_spend`, save."""
    if not customer_ids:
        return
    lock_shop(session, shop.id, shared=True)
    settings = load_settings(session, shop.id)
    amounts = spend(session, shop, ledger.window_start(now, settings.window), customer_ids)
    rows = {row["customer_shopify_id"]: row for row in session.execute(
        select(MEMBERS.c.id, MEMBERS.c.customer_shopify_id, MEMBERS.c.writeback_due,
               *(MEMBERS.c[name] for name in _STATE))
        .where(MEMBERS.c.shop_id == shop.id, MEMBERS.c.customer_shopify_id.in_(customer_ids))
        .order_by(MEMBERS.c.customer_shopify_id).with_for_update()).mappings()}
    inserts, updates, changes = [], [], []
    for cid in customer_ids:
        row, amount = rows.get(cid), amounts[cid]
        state = tiers.MemberState(None) if row is None else tiers.MemberState(
            row["tier"], row["tier_since"], row["pinned_tier"], row["below_since"], row["last_review_at"])
        decision = tiers.on_spend(settings.tiers, state, amount, now)
        s = decision.state
        new = {"tier": s.tier, "tier_since": s.since, "pinned_tier": s.pinned, "below_since": s.below_since,
               "last_review_at": s.last_review_at, "trailing_spend": amount}
        if decision.change is not None:
            c = decision.change
            changes.append({"shop_id": shop.id, "customer_shopify_id": cid, "from_tier": c.from_tier,
                            "to_tier": c.to_tier, "reason": c.reason, "at": c.at})
        if row is None:
            inserts.append({**new, "shop_id": shop.id, "customer_shopify_id": cid, "writeback_due": True,
                            "created_at": now, "updated_at": now})
            continue
        # What Shopify shows (tag, metafield) follows the tier, its start and the spend: a change is written back.
        shown = (row["tier"], row["tier_since"], row["trailing_spend"]) != (s.tier, s.since, amount)
        if any(row[name] != new[name] for name in _STATE):
            updates.append({**new, "_id": row["id"], "writeback_due": row["writeback_due"] or shown})
    if inserts:
        session.execute(MEMBERS.insert(), inserts)  # one created meanwhile fails the key: the batch steps aside
    if updates:
        session.execute(update(MEMBERS).where(MEMBERS.c.id == bindparam("_id")), updates)
    if changes:
        session.execute(TierChange.__table__.insert(), changes)
