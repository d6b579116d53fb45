"""The retention purge: old abandoned-checkout contact data and old stored webhook bodies go; numbers stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import queue as queues
from app.extensions import db
from app.models import Checkout, EventStatus, RecoveryCase, RecoveryMessage, WebhookEvent
from app.models.recovery import SendState
from app.privacy import retention
from tests.store.factories import SHOP, make_shop
from worker.jobs.privacy import purge, purge_all

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _checkout(shop_id: int, token: str, age_days: int) -> int:
    at = NOW - timedelta(days=age_days)
    with db.session(shop_id=shop_id) as s:
        checkout = Checkout(shop_id=shop_id, token=token, email=f"{token}@example.org", phone="+15550001",
                            customer_shopify_id=99, currency="USD", total_price=Decimal("50"),
                            shipping_address={"address1": "1 Old Road"}, abandoned_checkout_url="https://x/recover",
                            shopify_created_at=at, shopify_updated_at=at)
        s.add(checkout)
        s.flush()
        case = RecoveryCase(shop_id=shop_id, checkout_id=checkout.id, status="abandoned", group="treatment",
                            email=checkout.email, abandoned_at=at, value=Decimal("50"), currency="USD")
        s.add(case)
        s.flush()
        for stage, state in ((1, SendState.SENT), (2, SendState.SCHEDULED)):
            s.add(RecoveryMessage(shop_id=shop_id, case_id=case.id, stage=stage, email=checkout.email, state=state,
                                  scheduled_for=at, not_after=at + timedelta(days=30)))
        return checkout.id


def _event(domain: str, webhook_id: str, age_days: int, status: str = EventStatus.DONE) -> None:
    with db.session() as s:
        s.add(WebhookEvent(shop_domain=domain, topic="checkouts/update", webhook_id=webhook_id, body=b'{"x": 1}',
                           status=status, received_at=NOW - timedelta(days=age_days)))


def test_old_checkouts_lose_contact_details_and_keep_their_numbers(app):
    shop_id = make_shop()
    with db.session(shop_id=shop_id) as s:
        retention.set_retention_days(s, shop_id, 30)
    old, recent = _checkout(shop_id, "old", 40), _checkout(shop_id, "recent", 5)
    assert purge(shop_id, now=NOW) == (1, 0)
    assert purge(shop_id, now=NOW) == (0, 0)  # nothing left to do the second time
    with db.session(shop_id=shop_id) as s:
        gone = s.get(Checkout, old)
        assert (gone.email, gone.phone, gone.shipping_address, gone.customer_shopify_id,
                gone.abandoned_checkout_url) == (None,) * 5
        assert gone.total_price == Decimal("50")
        kept = s.get(Checkout, recent)
        assert kept.email == "recent@example.org" and kept.shipping_address
        cases = {c.checkout_id: c for c in s.scalars(select(RecoveryCase))}
        assert cases[old].email is None and cases[old].value == Decimal("50") and cases[old].group == "treatment"
        assert cases[recent].email == "recent@example.org"
        states = sorted((m.case_id == cases[old].id, m.stage, m.state, m.email)
                        for m in s.scalars(select(RecoveryMessage)))
    assert states == [(False, 1, "sent", "recent@example.org"), (False, 2, "scheduled", "recent@example.org"),
                      (True, 1, "sent", ""), (True, 2, "cancelled", "")]


def test_the_default_period_is_90_days():
    assert retention.DEFAULT_RETENTION_DAYS == 90


def test_old_processed_webhook_bodies_are_deleted_waiting_ones_kept(app):
    shop_id = make_shop()
    _event(SHOP, "old-done", 120)
    _event(SHOP, "old-waiting", 120, EventStatus.RECEIVED)
    _event(SHOP, "recent", 10)
    _event("gone.myshopify.com", "orphan-old", 95)
    _event("gone.myshopify.com", "orphan-recent", 60)
    assert purge(shop_id, now=NOW) == (0, 1)
    assert purge(None, "gone.myshopify.com", now=NOW) == (0, 1)
    with db.session() as s:
        left = sorted(s.scalars(select(WebhookEvent.webhook_id)))
    assert left == ["old-waiting", "orphan-recent", "recent"]


@pytest.mark.parametrize("bad", [0, 6, 731, "30", 30.5, True, None])
def test_retention_setting_is_checked(bad):
    with pytest.raises(ValueError, match="whole number of days from 7 to 730"):
        retention.validate_days(bad)


def test_purge_all_queues_one_job_per_shop_and_orphan_domain_with_stable_ids(app):
    make_shop()
    make_shop("other.myshopify.com")
    _event("gone.myshopify.com", "orphan", 1)
    assert purge_all() == 3
    assert purge_all() == 3
    ids = sorted(queues.get_queue(queues.DEFAULT).get_job_ids())
    assert ids == ["privacy-purge-1", "privacy-purge-2", "privacy-purge-gone-myshopify-com"]
