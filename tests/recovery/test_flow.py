"""Recovery end to end: signed webhooks in, detection, a real SMTP server receiving the mail, conversions.

Each test drives the real pieces: the webhook edge over HTTP, the RQ worker that ingests, the detection and
send jobs, PostgreSQL, and an aiosmtpd server whose inbox the assertions read.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import RecoveryCase, RecoveryMessage
from tests.recovery.conftest import checkout_payload, set_settings
from tests.supply.orders_factories import order_payload
from worker.jobs import recovery as jobs


def messages(shop_id: int) -> list[RecoveryMessage]:
    with db.session(shop_id=shop_id) as s:
        return list(s.scalars(select(RecoveryMessage).order_by(RecoveryMessage.id)))


def cases(shop_id: int) -> list[RecoveryCase]:
    with db.session(shop_id=shop_id) as s:
        return list(s.scalars(select(RecoveryCase).order_by(RecoveryCase.id)))


def test_an_abandoned_checkout_gets_the_supply_answer_once(app, store, post, inbox):
    post("checkouts/create", checkout_payload("tok-1", locale="fr"))
    assert jobs.detect() == 1
    (case,) = cases(store)
    assert (case.status, case.group, case.email) == ("abandoned", "treatment", "shopper@example.com")
    assert [(m.stage, m.state) for m in messages(store)] == [(1, "scheduled"), (3, "scheduled")]
    assert jobs.send_due(store) == {"sent": 1}
    (mail,) = inbox.messages
    assert mail["To"] == "shopper@example.com" and mail["Content-Language"] == "fr"
    assert mail["Subject"] == "Bonne nouvelle : votre commande acme-store.myshopify.com peut arriver plus tôt"
    assert mail["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/r/u/")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = mail.get_body(("plain",)).get_content()
    assert "entrepôt de Reno NV" in text and "2,50" in text  # nearer warehouse, 2.50 less shipping
    assert "/r/c/" in mail.get_body(("html",)).get_content()
    # Run again (a retried job, a second worker): nothing more goes out.
    assert jobs.send_due(store) == {}
    assert jobs.detect() == 0
    assert len(inbox.messages) == 1
    first = messages(store)[0]
    assert (first.state, first.offer, first.details["warehouse"]) == ("sent", "supply", "Reno NV")


def test_an_order_before_the_checkout_update_means_no_recovery(app, store, post, inbox):
    post("orders/create", order_payload(7001, checkout_token="tok-2"))
    post("checkouts/update", checkout_payload("tok-2"))
    assert jobs.detect() == 0
    assert jobs.send_due(store) == {}
    assert inbox.messages == [] and messages(store) == []


def test_an_order_after_abandonment_cancels_what_is_pending_and_is_credited_once(app, store, post, inbox):
    post("checkouts/create", checkout_payload("tok-3"))
    jobs.detect()
    jobs.send_due(store)
    sent_at = messages(store)[0].sent_at
    order = order_payload(7002, checkout_token="tok-3", placed=sent_at + timedelta(hours=3), total_price="50.00")
    post("orders/create", order)
    post("orders/paid", {**order, "financial_status": "paid"})  # a later event for the same order
    (case,) = cases(store)
    assert (case.status, case.attributed_stage, case.attributed_offer) == ("converted", 1, "supply")
    assert [m.state for m in messages(store)] == ["sent", "cancelled"]
    # A checkouts/update arriving after the order changes nothing.
    post("checkouts/update", checkout_payload("tok-3", updated=datetime.now(UTC)))
    assert cases(store)[0].status == "converted"
    assert jobs.send_due(store) == {} and len(inbox.messages) == 1


def test_a_checkout_without_contact_or_already_completed_is_not_a_case(app, store, post):
    post("checkouts/create", checkout_payload("tok-4", email=None))
    post("checkouts/create", checkout_payload("tok-5", completed_at=datetime.now(UTC).isoformat()))
    assert jobs.detect() == 0 and cases(store) == []


def test_a_recent_update_reschedules_detection(app, store, post):
    post("checkouts/create", checkout_payload("tok-6", updated=datetime.now(UTC) - timedelta(minutes=10)))
    assert jobs.detect() == 0
    (case,) = cases(store)
    assert case.status == "pending" and case.due_at > datetime.now(UTC) + timedelta(minutes=45)


def test_no_consent_no_mail_and_the_merchant_can_allow_service_messages(app, store, post, inbox):
    post("checkouts/create", checkout_payload("tok-7", accepts_marketing=False))
    jobs.detect()
    assert jobs.send_due(store) == {"skipped": 1}
    assert messages(store)[0].reason == "no consent" and inbox.messages == []
    set_settings(store, service_message_countries=["US"])
    post("checkouts/create", checkout_payload("tok-8", email="other@example.com", accepts_marketing=False))
    jobs.detect()
    assert jobs.send_due(store) == {"sent": 1}
    assert [m["To"] for m in inbox.messages] == ["other@example.com"]


def test_one_message_per_shopper_across_checkouts(app, store, post, inbox):
    post("checkouts/create", checkout_payload("tok-9"))
    post("checkouts/create", checkout_payload("tok-10"))
    jobs.detect()
    result = jobs.send_due(store)
    assert result == {"sent": 1, "skipped": 1}
    skipped = [m for m in messages(store) if m.state == "skipped"]
    assert skipped[0].reason == "shopper recently messaged about another checkout"
    assert len(inbox.messages) == 1


def test_the_holdout_gets_no_messages(app, store, post, inbox):
    set_settings(store, holdout_percent=50)
    for n in range(12):
        post("checkouts/create", checkout_payload(f"hold-{n}", email=f"s{n}@example.com"), run=False)
    from tests.store.factories import run_worker

    run_worker()
    jobs.detect()
    groups = {c.id: c.group for c in cases(store)}
    assert set(groups.values()) == {"treatment", "holdout"}
    jobs.send_due(store)
    messaged = {m.case_id for m in messages(store)}
    assert messaged == {cid for cid, g in groups.items() if g == "treatment"}
    assert len(inbox.messages) == sum(1 for g in groups.values() if g == "treatment")


def test_a_refused_recipient_is_marked_bounced_and_not_retried(app, store, post, inbox):
    inbox.refuse["gone@example.com"] = "550 5.1.1 no such user"
    post("checkouts/create", checkout_payload("tok-11", email="gone@example.com"))
    jobs.detect()
    assert jobs.send_due(store) == {"bounced": 1}
    assert jobs.send_due(store) == {}
    assert messages(store)[0].state == "bounced"


def test_the_periodic_dispatch_detects_and_queues_two_senders_that_send_once(app, store, post, inbox):
    from rq import SimpleWorker

    from app import queue as queues
    from app.extensions import redis_handle

    post("checkouts/create", checkout_payload("tick-1"))
    assert jobs.dispatch() == [f"recovery-send-{store}-0", f"recovery-send-{store}-1"]
    assert jobs.dispatch() == [f"recovery-send-{store}-0", f"recovery-send-{store}-1"]  # still queued: not twice
    assert queues.get_queue(queues.MAIL).count == 2
    SimpleWorker([queues.get_queue(queues.MAIL)], connection=redis_handle.conn).work(burst=True)
    assert len(inbox.messages) == 1 and jobs.dispatch() == []


def test_an_address_a_mail_header_cannot_carry_fails_alone_and_the_batch_goes_on(app, store, post, inbox):
    post("checkouts/create", checkout_payload("tok-utf8", email="jöhn@example.com"))
    post("checkouts/create", checkout_payload("tok-plain", email="plain@example.com"))
    assert jobs.detect() == 2
    assert jobs.send_due(store) == {"failed": 1, "sent": 1}
    assert [m["To"] for m in inbox.messages] == ["plain@example.com"]
    failed = next(m for m in messages(store) if m.email == "jöhn@example.com" and m.stage == 1)
    assert failed.state == "failed" and "mail header" in failed.reason
    assert jobs.send_due(store) == {}  # not retried
