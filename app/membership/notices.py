"""Emails before and after a downgrade: a member hears a week before the review moves them down (with what
they need to spend to stay), and again once it has.

Notices are an outbox (`tier_notices`): a sweep inserts one row per grace period that is about to end and
per downgrade recorded, under a unique key, so it can run any number of times; a sender claims pending rows
with a lease, so a worker killed mid-send leaves the row to be taken again once the lease runs out and two
senders never take the same row. A member pinned to a tier, or whose spend recovered, gets no "before".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.mail.render import render_template
from app.mail.smtp import Mailer, PermanentFailure, TransientFailure
from app.membership.service import load_settings
from app.membership.tiers import Tier
from app.models import Customer, Membership, Shop, TierChange, TierNotice, utcnow

log = logging.getLogger(__name__)

LEAD = timedelta(days=7)  # how long before the downgrade the first notice goes
LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5
DOWNGRADE_REASON = "downgrade at review"


def before_due(below_since: datetime, grace: timedelta, now: datetime, lead: timedelta = LEAD) -> bool:
    """Pure: the downgrade this grace period leads to is within `lead` (and has not happened yet)."""
    return below_since + grace - lead <= now < below_since + grace


def _insert(session: Session, values: dict) -> None:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(TierNotice).values(**values).on_conflict_do_nothing(index_elements=["shop_id", "key"]))


def plan(session: Session, shop: Shop, now: datetime | None = None) -> int:
    """Insert the notices now due; returns how many rows the sweep looked at."""
    now = now or utcnow()
    settings = load_settings(session, shop.id)
    names = [t.name for t in settings.tiers]
    looked = 0
    rows = session.execute(select(Membership.customer_shopify_id, Membership.tier, Membership.below_since).where(
        Membership.shop_id == shop.id, Membership.below_since.is_not(None), Membership.pinned_tier.is_(None),
        Membership.below_since <= now - settings.grace + LEAD))
    for customer_id, tier, below_since in rows:
        looked += 1
        if tier not in names or names.index(tier) == 0 or not before_due(below_since, settings.grace, now):
            continue
        _insert(session, {"shop_id": shop.id, "key": f"before:{customer_id}:{below_since.isoformat()}",
                          "kind": "before", "customer_shopify_id": customer_id, "from_tier": tier,
                          "to_tier": names[names.index(tier) - 1], "due_on": below_since + settings.grace,
                          "state": "pending", "attempts": 0, "created_at": now, "updated_at": now})
    for change in session.scalars(select(TierChange).where(
            TierChange.shop_id == shop.id, TierChange.reason.like(f"{DOWNGRADE_REASON}%"),
            TierChange.at >= now - LEAD)):
        looked += 1
        _insert(session, {"shop_id": shop.id, "key": f"after:{change.id}", "kind": "after",
                          "customer_shopify_id": change.customer_shopify_id, "from_tier": change.from_tier or "",
                          "to_tier": change.to_tier, "due_on": None, "state": "pending", "attempts": 0,
                          "created_at": now, "updated_at": now})
    return looked


@dataclass(frozen=True)
class Text:
    subject: str
    greeting: str
    paragraphs: tuple[str, ...]


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount.quantize(Decimal('0.01')):,} {currency}"


def compose(notice: TierNotice, store: str, tiers: tuple[Tier, ...], spend: Decimal, currency: str) -> Text:
    """Pure: what the member reads."""
    old = next((t for t in tiers if t.name == notice.from_tier), None)
    if notice.kind == "before":
        paragraphs = [f"Your {notice.from_tier} membership at {store} moves to {notice.to_tier} on "
                      f"{notice.due_on:%d %B %Y}, because your spend over the qualifying period is "
                      f"{_money(spend, currency)}."]
        if old is not None:
            needed = max(Decimal(0), old.threshold - spend + (Decimal("0.01") if old.over else Decimal(0)))
            paragraphs.append(f"Spend {_money(needed, currency)} more before then to keep {notice.from_tier}.")
        return Text(f"Your {notice.from_tier} membership at {store}", "Hello,", tuple(paragraphs))
    paragraphs = [f"Your membership at {store} is now {notice.to_tier}: your spend over the qualifying period is "
                  f"{_money(spend, currency)}."]
    if old is not None:
        paragraphs.append(f"Reach {_money(old.threshold, currency)} again to return to {notice.from_tier}.")
    return Text(f"Your membership at {store} is now {notice.to_tier}", "Hello,", tuple(paragraphs))


def _message(text: Text, store: str, sender: str, to: str, now: datetime) -> EmailMessage:
    values = {"subject": text.subject, "greeting": text.greeting, "paragraphs": text.paragraphs, "store": store}
    msg = EmailMessage()
    msg["Subject"] = text.subject
    msg["From"] = formataddr((store, sender))
    msg["To"] = to
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    msg.set_content(render_template("tier_notice.txt", **values))
    msg.add_alternative(render_template("tier_notice.html", **values), subtype="html")
    return msg


def _claim(session: Session, shop_id: int, now: datetime, limit: int) -> list[int]:
    ids = list(session.scalars(select(TierNotice.id).where(
        TierNotice.shop_id == shop_id,
        or_(TierNotice.state == "pending", (TierNotice.state == "sending") & (TierNotice.lease_until < now)))
        .order_by(TierNotice.id).limit(limit).with_for_update(skip_locked=True)))
    if ids:
        session.execute(update(TierNotice).where(TierNotice.id.in_(ids)).values(
            state="sending", lease_until=now + LEASE).execution_options(synchronize_session=False))
    session.commit()
    return ids


def send(session: Session, shop: Shop, mailer: Mailer, sender: str, now: datetime | None = None,
         limit: int = 200) -> dict[str, int]:
    now = now or utcnow()
    tiers = load_settings(session, shop.id).tiers
    counts = {"sent": 0, "skipped": 0, "failed": 0, "retry": 0}
    for notice_id in _claim(session, shop.id, now, limit):
        notice = session.get(TierNotice, notice_id)
        email = session.scalar(select(Customer.email).where(
            Customer.shop_id == shop.id, Customer.shopify_id == notice.customer_shopify_id,
            Customer.deleted.is_(False)))
        spend = session.scalar(select(Membership.trailing_spend).where(
            Membership.shop_id == shop.id, Membership.customer_shopify_id == notice.customer_shopify_id))
        if not email or spend is None:
            notice.state, notice.error = "skipped", "no email address" if not email else "no longer a member"
            counts["skipped"] += 1
            session.commit()
            continue
        store = shop.name or shop.domain
        try:
            mailer.send(_message(compose(notice, store, tiers, spend, shop.currency), store, sender, email, now))
        except PermanentFailure as exc:
            notice.state, notice.error = "failed", str(exc)[:255]
            counts["failed"] += 1
        except TransientFailure as exc:
            notice.attempts += 1
            notice.state = "failed" if notice.attempts >= MAX_ATTEMPTS else "pending"
            notice.error = str(exc)[:255]
            counts["retry"] += 1
        else:
            notice.state, notice.sent_at, notice.error = "sent", now, None
            counts["sent"] += 1
        session.commit()
    return counts
