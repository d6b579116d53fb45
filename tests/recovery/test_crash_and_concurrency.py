"""The send-state machine under failure: a sender killed mid-send loses nothing and sends nothing twice;
two senders working one shop's backlog at once send each message exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.extensions import db
from app.recovery import sending
from tests.recovery.conftest import checkout_payload
from tests.recovery.test_flow import messages
from tests.store.factories import run_worker
from worker.jobs import recovery as jobs

ROOT = Path(__file__).resolve().parents[2]


def test_a_sender_killed_mid_send_leaves_the_message_to_be_sent_once_after_its_lease(app, store, post, smtp):
    url, inbox = smtp
    post("checkouts/create", checkout_payload("crash-1"))
    jobs.detect()
    inbox.hold = threading.Event()  # the server sits in DATA until we say
    proc = subprocess.Popen([sys.executable, "-m", "tests.recovery.sender_process", str(store)], cwd=ROOT,
                            env={**os.environ, "SMTP_URL": url}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert inbox.entered_data.wait(30), proc.stderr.read().decode() if proc.poll() is not None else "no DATA"
        (claimed, _later) = messages(store)
        assert (claimed.state, claimed.attempts) == ("sending", 1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        inbox.hold.set()
        if proc.poll() is None:
            proc.kill()
    inbox.hold = None
    assert inbox.messages == []
    # While the dead sender's lease runs, no one else takes the message...
    assert jobs.send_due(store) == {}
    # ...and once it has run out, the next sender does, exactly once.
    later = datetime.now(UTC) + sending.LEASE + timedelta(seconds=1)
    with db.session(shop_id=store) as s:
        token, ids = sending.claim(s, store, later)
    assert len(ids) == 1
    from app.mail.smtp import Mailer, parse_url

    with Mailer(parse_url(url)) as mailer:
        outcome = sending.send_claimed(store, token, ids, mailer, lambda: later, jobs.context())
    assert outcome.counts == {"sent": 1}
    assert len(inbox.messages) == 1
    resent = messages(store)[0]
    assert (resent.state, resent.attempts) == ("sent", 2)
    assert inbox.messages[0]["Message-ID"].startswith(f"<recovery-{store}-{resent.id}@")


def test_two_senders_share_a_backlog_without_sending_anything_twice(app, store, post, inbox):
    for n in range(24):
        post("checkouts/create", checkout_payload(f"many-{n}", email=f"s{n}@example.com"), run=False)
    run_worker()
    jobs.detect()
    results = []
    threads = [threading.Thread(target=lambda: results.append(jobs.send_due(store, batch=5))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r.get("sent", 0) for r in results) == 24
    assert sorted(m["To"] for m in inbox.messages) == sorted(f"s{n}@example.com" for n in range(24))
    assert all(m.state == "sent" for m in messages(store) if m.stage == 1)


def _hand_over_and_die(store: int, url: str, now: datetime) -> int:
    """A sender that claims, decides (committing `sent_at`), hands the mail to the server, and is killed
    before it records `sent`: the steps of `send_claimed` up to the mail server's acceptance."""
    from app.mail.smtp import Mailer, parse_url
    from app.recovery import prepare

    with db.session(shop_id=store) as s:
        token, (message_id,) = sending.claim(s, store, now, limit=1)
    quotes = prepare.requotes(store, [message_id], now)
    with db.session(shop_id=store) as s:
        ready = prepare.prepare(s, store, message_id, token, now, quotes, jobs.context())
    with Mailer(parse_url(url)) as mailer:
        mailer.send(ready.email)
    return message_id


def _reclaim_and_send(store: int, url: str, later: datetime) -> dict:
    from app.mail.smtp import Mailer, parse_url

    with db.session(shop_id=store) as s:
        token, ids = sending.claim(s, store, later)
    with Mailer(parse_url(url)) as mailer:
        return sending.send_claimed(store, token, ids, mailer, lambda: later, jobs.context()).counts


def test_a_mail_opened_after_its_sender_died_is_not_sent_again(app, client, store, post, smtp):
    url, inbox = smtp
    post("checkouts/create", checkout_payload("crash-open"))
    jobs.detect()
    now = datetime.now(UTC)
    message_id = _hand_over_and_die(store, url, now)
    (mail,) = inbox.messages
    stuck = messages(store)[0]
    assert (stuck.id, stuck.state, stuck.details["message_id"]) == (message_id, "sending", mail["Message-ID"])
    pixel = mail.get_body(("html",)).get_content().split("/r/o/")[1].split('"')[0]
    client.get(f"/r/o/{pixel}")  # the shopper opened it: it arrived
    later = now + sending.LEASE + timedelta(seconds=1)
    assert _reclaim_and_send(store, url, later) == {"sent": 1}
    assert len(inbox.messages) == 1  # no second copy
    done = messages(store)[0]
    assert (done.state, done.sent_at, done.reason) == (
        "sent", stuck.sent_at, "delivered before the sender stopped: opened or clicked since")


def test_a_stuck_message_is_not_resent_once_a_newer_one_reached_the_shopper(app, store, post, smtp):
    from sqlalchemy import update

    from app.models import RecoveryMessage

    url, inbox = smtp
    post("checkouts/create", checkout_payload("crash-newer"))
    jobs.detect()
    now = datetime.now(UTC)
    stuck_id = _hand_over_and_die(store, url, now)
    with db.session(shop_id=store) as s:  # the shopper has heard from us since (another message went out)
        s.execute(update(RecoveryMessage).where(RecoveryMessage.id != stuck_id).values(
            state="sent", sent_at=now + timedelta(minutes=1)))
    later = now + sending.LEASE + timedelta(seconds=1)
    assert _reclaim_and_send(store, url, later) == {"sent": 1}
    assert len(inbox.messages) == 1
    assert messages(store)[0].reason.startswith("not resent after the sender stopped")
