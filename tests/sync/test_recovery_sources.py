"""Every way a checkout reaches us opens its recovery case the same way: the first sync, the reconciliation and
the webhooks, once each however often the same checkout is read, and an order only the reconciliation saw
still converts its case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.devshop import catalog
from app.devshop.sender import build_payload
from app.extensions import db
from app.models import Checkout, RecoveryCase, RecoveryMessage
from app.webhooks import handlers
from worker.jobs import recovery as recovery_jobs
from worker.jobs.sync import first_sync, reconcile


def _cases() -> list[RecoveryCase]:
    with db.session() as s:
        return list(s.scalars(select(RecoveryCase).order_by(RecoveryCase.id)))


def _messages() -> list[RecoveryMessage]:
    with db.session() as s:
        return list(s.scalars(select(RecoveryMessage).order_by(RecoveryMessage.id)))


def test_the_first_sync_opens_a_case_for_each_open_checkout_with_contact_details(ctx, shop_id, sim_shop, fast):
    assert first_sync(shop_id, fast) == "done"
    with db.session() as s:
        open_ids = set(s.scalars(select(Checkout.id).where(
            Checkout.email.is_not(None), Checkout.completed_at.is_(None),
            Checkout.converted_order_shopify_id.is_(None))))
        converted = s.scalar(select(func.count()).select_from(Checkout).where(
            Checkout.converted_order_shopify_id.is_not(None)))
    cases = _cases()
    # Checkouts the seeded orders already converted (same email, within days) are not cases.
    assert len(open_ids) + converted == len(sim_shop.data["checkouts"]) == 25 and len(open_ids) > 10
    assert {c.checkout_id for c in cases} == open_ids
    assert {c.status for c in cases} == {"pending"}
    # The reconciliation reads the same checkouts again: still one case each, nothing rescheduled.
    due = {c.id: c.due_at for c in cases}
    reconcile(shop_id)
    assert {c.id: c.due_at for c in _cases()} == due


def test_an_imported_checkout_gets_only_the_stages_still_ahead_of_it(ctx, shop_id, sim_shop, fast):
    first_sync(shop_id, fast)
    recovery_jobs.detect()
    now = datetime.now(UTC)
    cases = _cases()
    assert {c.status for c in cases} <= {"abandoned", "pending"}
    by_case = {}
    for m in _messages():
        by_case.setdefault(m.case_id, []).append(m)
        assert m.not_after > now  # no message planned for a window that had closed before the import
    old = [c for c in cases if c.abandoned_at is not None and c.abandoned_at < now - timedelta(days=1)]
    assert old, "the seed has checkouts abandoned days before the import"
    for case in old:
        assert 1 not in {m.stage for m in by_case.get(case.id, [])}


def test_a_webhook_checkout_read_again_by_the_reconciliation_stays_one_case(ctx, app, shop_id, sim_shop, fast):
    first_sync(shop_id, fast)
    now = datetime.now(UTC) - timedelta(hours=3)
    template = next(iter(sim_shop.data["checkouts"].values()))
    token = "f" * 32
    sim = catalog.put(sim_shop, "checkouts", {**template, "id": catalog.new_id(sim_shop), "token": token,
                                               "completed_at": None}, now=now)
    payload = build_payload(
        "checkouts/create", shop_domain=sim_shop.domain, id=sim["id"], token=token, cart_token="cart-kept",
        email=template["email"], buyer_accepts_marketing=True, currency="EUR", total_price=str(template["total"]),
        created_at=now.isoformat(), updated_at=now.isoformat(), completed_at=None, closed_at=None,
        abandoned_checkout_url=f"https://{sim_shop.domain}/{sim_shop.shopify_id}/checkouts/ac/{token}/recover",
        line_items=[], customer={"id": template["customer_id"]})
    _deliver(app, shop_id, "checkouts/create", payload)
    reconcile(shop_id)
    reconcile(shop_id)
    with db.session() as s:
        (row,) = s.scalars(select(Checkout).where(Checkout.token == token))
        assert row.cart_token == "cart-kept"  # the query has no cart token; the webhook's is kept
        assert s.scalar(select(func.count()).select_from(RecoveryCase).where(
            RecoveryCase.checkout_id == row.id)) == 1


def test_an_order_only_the_reconciliation_saw_converts_its_case(ctx, shop_id, sim_shop, fast):
    first_sync(shop_id, fast)
    recovery_jobs.detect()
    case = next(c for c in _cases() if c.status == "abandoned")
    with db.session() as s:
        checkout = s.get(Checkout, case.checkout_id)
        token, email = checkout.token, checkout.email
    now = datetime.now(UTC)
    template = next(iter(sim_shop.data["orders"].values()))
    catalog.put(sim_shop, "orders", {**template, "id": catalog.new_id(sim_shop), "name": "#7777",
                                     "email": email, "checkout_token": token, "cart_token": None,
                                     "lines": [dict(template["lines"][0], id=catalog.new_id(sim_shop))],
                                     "cancelled_at": None, "created_at": now, "updated_at": now,
                                     "processed_at": now}, now=now)
    reconcile(shop_id)
    (after,) = [c for c in _cases() if c.id == case.id]
    assert after.status == "converted"
    assert all(m.state != "scheduled" for m in _messages() if m.case_id == case.id)


def _deliver(app, shop_id: int, topic: str, payload: dict) -> None:
    """Run the topic's handler in one transaction, as the ingest worker does."""
    from app.models import Shop, WebhookEvent

    with db.session(shop_id=shop_id) as s:
        shop = s.get(Shop, shop_id)
        event = WebhookEvent(webhook_id=f"t-{topic}-{payload['token']}", topic=topic, shop_domain=shop.domain,
                             body=b"{}", triggered_at=datetime.now(UTC))
        handlers.HANDLERS[topic](handlers.EventContext(session=s, event=event, shop=shop, data=payload))


def test_the_first_sync_stores_the_shops_primary_locale_when_it_may_read_it(ctx, shop_id, sim_shop, fast):
    from app.models import Shop

    sim_shop.primary_locale = "it"
    with db.session() as s:
        s.get(Shop, shop_id).scopes = "read_products,read_locales"
    first_sync(shop_id, fast)
    with db.session() as s:
        assert s.get(Shop, shop_id).primary_locale == "it"


def test_without_read_locales_the_sync_still_runs_and_stores_no_locale(ctx, shop_id, sim_shop, fast):
    from app.models import Shop

    sim_shop.primary_locale = "it"
    assert first_sync(shop_id, fast) == "done"
    with db.session() as s:
        assert s.get(Shop, shop_id).primary_locale is None
