"""Downgrade notices through a real SMTP server: a week before the review moves a member down (with what
they need to spend to stay), and once it has; each sent once however often the sweep and the sender run;
pinned members and members without an email get none."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.membership import notices
from app.membership.tiers import DEFAULT_TIERS
from app.models import Customer, Membership, SpendEntry, TierNotice, utcnow
from tests.conftest import make_config
from tests.store.factories import make_shop
from tests.support.smtp import smtp_server
from worker.jobs.membership import review_memberships, send_tier_notices


@pytest.fixture
def smtp():
    with smtp_server() as (url, inbox):
        yield url, inbox


@pytest.fixture
def config(migrated_database, redis_url, smtp):
    return make_config(smtp_url=smtp[0])


def member(s, shop_id, customer_id, tier, spend, *, below_days=None, pinned=None, email=True):
    now = utcnow()
    if email is not None:
        s.add(Customer(shop_id=shop_id, shopify_id=customer_id, email=f"m{customer_id}@example.com" if email else None,
                       tags=""))
    # The ledger behind the spend: the review re-reads it.
    s.add(SpendEntry(shop_id=shop_id, kind="paid", source_id=customer_id, order_shopify_id=customer_id,
                     customer_shopify_id=customer_id, amount=Decimal(spend), currency="USD",
                     occurred_at=now - timedelta(days=20)))
    s.add(Membership(shop_id=shop_id, customer_shopify_id=customer_id, tier=tier, tier_since=now - timedelta(days=400),
                     trailing_spend=Decimal(spend), pinned_tier=pinned,
                     below_since=None if below_days is None else now - timedelta(days=below_days)))


def test_a_member_hears_a_week_before_and_after_the_downgrade_once_each(app, smtp):
    _, inbox = smtp
    shop_id = make_shop(name="Maison Lune")
    with db.session(shop_id=shop_id) as s:
        # Gold, short of Gold (over 2,000) for 25 of the 30 grace days: the notice is due.
        member(s, shop_id, 1, "Gold", "1500", below_days=25)
        member(s, shop_id, 2, "Gold", "1500", below_days=10)  # too early for a notice
        member(s, shop_id, 3, "Gold", "1500", below_days=25, pinned="Gold")  # pinned: stays Gold
        member(s, shop_id, 4, "Silver", "100", below_days=26, email=False)  # nowhere to write to
    with app.app_context():
        review_memberships(shop_id)
        review_memberships(shop_id)  # the sweep runs again: nothing doubles
    (before,) = inbox.to("m1@example.com")
    assert before["Subject"] == "Your Gold membership at Maison Lune"
    body = before.get_body(("plain",)).get_content()
    assert "moves to Silver on" in body and "Spend 500.01 USD more before then to keep Gold." in body
    assert "<p" in before.get_body(("html",)).get_content()
    assert inbox.to("m2@example.com") == [] and inbox.to("m3@example.com") == []
    with db.session(shop_id=shop_id) as s:
        states = dict(s.execute(select(TierNotice.customer_shopify_id, TierNotice.state)).all())
    assert states == {1: "sent", 4: "skipped"}

    # Eight days later the grace period is over: the review moves member 1 down and tells them.
    with db.session(shop_id=shop_id) as s:
        s.execute(Membership.__table__.update().where(Membership.customer_shopify_id == 1).values(
            below_since=utcnow() - timedelta(days=31)))
    with app.app_context():
        assert review_memberships(shop_id) == 1
        send_tier_notices(shop_id)
    after = inbox.to("m1@example.com")[1]
    assert after["Subject"] == "Your membership at Maison Lune is now Silver"
    assert "Reach 2,000.00 USD again to return to Gold." in after.get_body(("plain",)).get_content()
    assert len(inbox.to("m1@example.com")) == 2


def test_the_store_name_is_escaped_in_the_html_part():
    notice = TierNotice(kind="after", from_tier="Gold", to_tier="Silver", customer_shopify_id=1)
    text = notices.compose(notice, "<b>Lune</b>", DEFAULT_TIERS, Decimal(10), "EUR")
    message = notices._message(text, "<b>Lune</b>", "shop@example.com", "m@example.com", utcnow())
    html = message.get_body(("html",)).get_content()
    assert "<b>Lune</b>" not in html and "&lt;b&gt;Lune&lt;/b&gt;" in html


def test_before_due_is_the_last_week_of_the_grace_period():
    now = utcnow()
    grace = timedelta(days=30)
    assert notices.before_due(now - timedelta(days=23), grace, now)
    assert not notices.before_due(now - timedelta(days=22), grace, now)
    assert not notices.before_due(now - timedelta(days=30), grace, now)  # due now: the review tells "after"
