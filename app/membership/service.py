"""Applies the tier and RFM rules to stored memberships: after ledger changes, at reviews, in a recompute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.field_crypto import email_index
from app.membership import ledger, perks, rfm, tiers
from app.models import (
    Customer,
    Membership,
    MembershipSettings,
    Refund,
    SegmentChange,
    Shop,
    TierChange,
    TierNotice,
    utcnow,
)


@dataclass(frozen=True)
class Settings:
    tiers: tuple[tiers.Tier, ...]
    window: str
    grace: timedelta
    rules: rfm.SegmentRules


def _row(session: Session, shop_id: int) -> MembershipSettings | None:
    return session.scalars(select(MembershipSettings).where(MembershipSettings.shop_id == shop_id)).one_or_none()


def settings_row(session: Session, shop_id: int) -> MembershipSettings:
    """The shop's settings row, created (with the defaults) when it has none; for every writer of it."""
    row = _row(session, shop_id)
    if row is None:
        row = MembershipSettings(shop_id=shop_id)
        session.add(row)
        session.flush()
    return row


def load_settings(session: Session, shop_id: int) -> Settings:
    row = _row(session, shop_id)
    if row is None:
        return Settings(tiers.DEFAULT_TIERS, ledger.TRAILING, tiers.DEFAULT_GRACE, rfm.SegmentRules())
    return Settings(tiers.parse_tiers(row.tiers), row.spend_window, timedelta(days=row.grace_days),
                    rfm.SegmentRules.from_json(row.segment_rules))


def save_settings(session: Session, shop_id: int, *, tiers_raw: list[dict] | None = None,
                  window: str = ledger.TRAILING, grace_days: int = 30, rules_raw: dict | None = None) -> Settings:
    """Validate everything first (TierConfigError, SegmentRuleError, ValueError), then store it."""
    parsed = tiers.parse_tiers(tiers_raw)
    rules = rfm.SegmentRules.from_json(rules_raw)
    if window not in ledger.WINDOWS:
        raise ValueError(f"spend window is one of {', '.join(ledger.WINDOWS)}")
    if not 0 <= grace_days <= 365:
        raise ValueError("grace period: 0 to 365 days")
    row = settings_row(session, shop_id)
    row.tiers = ([{"name": t.name, "threshold": str(t.threshold), "over": t.over} for t in parsed]
                 if tiers_raw is not None else None)
    row.spend_window, row.grace_days, row.segment_rules = window, grace_days, rules_raw or None
    row.shopify_digest = None  # renamed or new tiers need their segments and discounts
    session.flush()
    from app.supply import versions  # tier names key the handling targets of members' promises

    versions.bump_settings_after_commit(session, shop_id)
    return Settings(parsed, window, timedelta(days=grace_days), rules)


def save_perks(session: Session, shop_id: int, raw: dict | None) -> perks.PerkSettings:
    """Validate (PerkError) against the saved tiers, then store; the write-back job makes Shopify match."""
    settings = load_settings(session, shop_id)
    parsed = perks.parse_perks(settings.tiers, raw)
    row = settings_row(session, shop_id)
    row.perks = perks.perks_json(parsed)
    row.shopify_digest = None  # the write-back sweep then brings Shopify's segments and discounts in line
    session.flush()
    from app.supply import versions  # handling targets change members' delivery promises

    versions.bump_settings_after_commit(session, shop_id)
    return parsed


def load_perks(session: Session, shop_id: int) -> perks.PerkSettings:
    row = _row(session, shop_id)  # one read for the tiers and their perks (every orders/create asks)
    if row is None:
        return perks.default_perks(tiers.DEFAULT_TIERS)
    return perks.parse_perks(tiers.parse_tiers(row.tiers), row.perks)


def _state(row: Membership | None) -> tiers.MemberState:
    if row is None:
        return tiers.MemberState(None)
    return tiers.MemberState(row.tier, row.tier_since, row.pinned_tier, row.below_since, row.last_review_at)


def _save(session: Session, shop_id: int, customer_id: int, row: Membership | None,
          decision: tiers.Decision, spend: Decimal) -> Membership:
    s = decision.state
    if row is None:
        row = Membership(shop_id=shop_id, customer_shopify_id=customer_id)
        session.add(row)
    # What Shopify shows (tag, metafield) follows the tier, its start and the spend: any change is written back.
    if row.tier != s.tier or row.tier_since != s.since or row.trailing_spend != spend:
        row.writeback_due = True
    row.tier, row.tier_since, row.pinned_tier = s.tier, s.since, s.pinned
    row.below_since, row.last_review_at, row.trailing_spend = s.below_since, s.last_review_at, spend
    if decision.change is not None:
        c = decision.change
        session.add(TierChange(shop_id=shop_id, customer_shopify_id=customer_id, from_tier=c.from_tier,
                               to_tier=c.to_tier, reason=c.reason, at=c.at))
    return row


def _locked(session: Session, shop_id: int, customer_ids) -> dict[int, Membership]:
    rows = session.scalars(
        select(Membership).where(Membership.shop_id == shop_id, Membership.customer_shopify_id.in_(customer_ids))
        .order_by(Membership.customer_shopify_id).with_for_update()
    )
    return {row.customer_shopify_id: row for row in rows}


def _customer_for(session: Session, shop: Shop, owner: ledger.Owner | None) -> int | None:
    if owner is None:
        return None
    if owner.customer_id is not None:
        return owner.customer_id
    if not owner.email_hash:
        return None
    return session.scalar(select(func.min(Customer.shopify_id)).where(
        Customer.shop_id == shop.id, Customer.email_hash == owner.email_hash, Customer.deleted.is_(False)))


def _apply(session: Session, shop: Shop, customer_id: int, now: datetime | None, rule) -> tiers.Change | None:
    """Lock the member's row (or create it), read their spend, apply `rule(tiers, state, spend, now)`."""
    from app.membership.recompute import lock_shop  # shared: many members at once, never during a recompute

    now = now or utcnow()
    lock_shop(session, shop.id, shared=True)
    settings = load_settings(session, shop.id)
    amount = ledger.spend(session, shop, ledger.window_start(now, settings.window), [customer_id])[customer_id]
    row = _locked(session, shop.id, [customer_id]).get(customer_id)
    decision = rule(settings.tiers, _state(row), amount, now)
    if row is not None:
        _save(session, shop.id, customer_id, row, decision, amount)
        return decision.change
    try:
        # Two workers may create the same member at once; the loser re-reads the winner's row.
        with session.begin_nested():
            _save(session, shop.id, customer_id, None, decision, amount)
            session.flush()
    except IntegrityError:
        return _apply(session, shop, customer_id, now, rule)
    return decision.change


def refresh_member(session: Session, shop: Shop, customer_id: int, now: datetime | None = None
                   ) -> tiers.Change | None:
    """Re-read the customer's spend and apply the rule: an upgrade now, a shortfall starts the grace clock."""
    return _apply(session, shop, customer_id, now, tiers.on_spend)


def _after(session: Session, shop: Shop, owner: ledger.Owner | None, now: datetime | None) -> tiers.Change | None:
    customer_id = _customer_for(session, shop, owner)
    return None if customer_id is None else refresh_member(session, shop, customer_id, now)


def _order_refunds(session: Session, shop: Shop, order_shopify_id: int) -> None:
    # Refunds that came inside an order payload (a cancellation refunds too) get their lines as well.
    for refund_id in session.scalars(select(Refund.shopify_id).where(
            Refund.shop_id == shop.id, Refund.order_shopify_id == order_shopify_id)):
        ledger.record_refund(session, shop, refund_id)


def on_order_paid(session: Session, shop: Shop, order_shopify_id: int, now: datetime | None = None):
    owner = ledger.record_paid(session, shop, order_shopify_id)
    _order_refunds(session, shop, order_shopify_id)
    return _after(session, shop, owner, now)


def on_refund(session: Session, shop: Shop, refund_shopify_id: int, now: datetime | None = None):
    return _after(session, shop, ledger.record_refund(session, shop, refund_shopify_id), now)


def on_order_cancelled(session: Session, shop: Shop, order_shopify_id: int, now: datetime | None = None):
    _order_refunds(session, shop, order_shopify_id)
    return _after(session, shop, ledger.record_cancel(session, shop, order_shopify_id), now)


def review_shop(session: Session, shop: Shop, now: datetime | None = None) -> list[tiers.Change]:
    """Downgrades due after the grace period, one level each, set-based (app/membership/recompute.py)."""
    from app.membership.recompute import review_shop as run

    return run(session, shop, now)


def recompute_shop(session: Session, shop: Shop, now: datetime | None = None) -> int:
    """Every customer's tier and RFM scores, set-based (app/membership/recompute.py)."""
    from app.membership.recompute import recompute_shop as run

    return run(session, shop, now)


def pin_member(session: Session, shop: Shop, customer_id: int, tier_name: str | None,
               now: datetime | None = None) -> tiers.Change | None:
    """Pin to a tier by name (TierConfigError if none has it), or unpin with None."""
    return _apply(session, shop, customer_id, now,
                  lambda levels, state, amount, at: tiers.pin(levels, state, tier_name, at, amount))


def erase_member(session: Session, shop_id: int, customer_id: int | None, email: str | None,
                 order_ids=()) -> None:
    """customers/redact: ledger lines, membership and tier history of the person (found by id or email)."""
    ledger.erase_customer(session, shop_id, customer_id, email, order_ids)
    ids = {customer_id} if customer_id is not None else set()
    if email:
        ids |= set(session.scalars(select(Customer.shopify_id).where(
            Customer.shop_id == shop_id, Customer.email_hash == email_index(email))))
    if not ids:
        return
    for model in (Membership, TierChange, SegmentChange, TierNotice):
        session.execute(delete(model).where(model.shop_id == shop_id, model.customer_shopify_id.in_(ids))
                        .execution_options(synchronize_session=False))
