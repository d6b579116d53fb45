"""The customer data export mailed to the merchant, with the sender SIGKILLed after the mail server took the
message but before `emailed_at` was recorded: the retried job does not send a second copy. A run killed
before the hand-over leaves only a claim, and the export goes once its lease has run out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from app.models import DataExport, Shop, ShopStatus
from app.privacy import export_mail
from tests.conftest import ENCRYPTION_KEY, _reset, make_config
from tests.support.smtp import smtp_server
from worker.jobs.privacy import mail_export

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def smtp():
    with smtp_server() as (url, inbox):
        yield url, inbox


@pytest.fixture
def export(migrated_database, private_redis, smtp) -> tuple[int, int]:
    create_app(make_config(redis_url=private_redis.url, smtp_url=smtp[0]))
    _reset(db.engine)
    with db.session() as s:
        shop = Shop(domain="acme-store.myshopify.com", status=ShopStatus.INSTALLED, email="owner@acme.test")
        s.add(shop)
        s.flush()
        row = DataExport(shop_id=shop.id, request_id="dr-1", customer_shopify_id=7, payload={"orders": [1, 2]})
        s.add(row)
        s.flush()
        return shop.id, row.id


def stored(export_id: int) -> DataExport:
    with db.session() as s:
        return s.get(DataExport, export_id)


def test_a_sender_killed_after_the_server_took_the_export_does_not_send_it_again(
        export, smtp, private_redis, migrated_database):
    shop_id, export_id = export
    url, inbox = smtp
    inbox.hold, inbox.keep_held = threading.Event(), True  # taken, then the 250 waits until we say
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.job_process", "worker.jobs.privacy.mail_export", str(shop_id),
         str(export_id)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env={**os.environ, "DATABASE_URL": migrated_database, "REDIS_URL": private_redis.url, "SMTP_URL": url,
             "ENCRYPTION_KEY": ENCRYPTION_KEY})
    try:
        assert inbox.entered_data.wait(60), proc.stderr.read().decode() if proc.poll() is not None else "no DATA"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        inbox.hold.set()
        if proc.poll() is None:
            proc.kill()
    inbox.hold = None
    assert len(inbox.to("owner@acme.test")) == 1
    row = stored(export_id)
    assert row.emailed_at is None and row.mail_handed_at is not None  # taken, never recorded as mailed

    # RQ retries the job (now, or once the dead run's lease is long over): nothing more is sent.
    assert mail_export(shop_id, export_id) is False
    assert mail_export(shop_id, export_id, now=datetime.now(UTC) + timedelta(hours=1)) is False
    assert len(inbox.messages) == 1


def test_a_run_killed_before_the_hand_over_leaves_the_export_to_go_once_after_its_lease(export, smtp):
    shop_id, export_id = export
    _, inbox = smtp
    claimed_at = datetime.now(UTC)
    with db.session(shop_id=shop_id) as s:  # what a run killed right after its claim leaves behind
        assert export_mail.claim(s, shop_id, export_id, claimed_at) is not None
    assert mail_export(shop_id, export_id) is False  # its lease still runs: no second sender
    assert inbox.messages == []
    later = claimed_at + export_mail.LEASE + timedelta(seconds=1)
    assert mail_export(shop_id, export_id, now=later) is True
    assert mail_export(shop_id, export_id, now=later + timedelta(hours=1)) is False
    (mail,) = inbox.to("owner@acme.test")
    assert mail["Subject"] == "Customer data request dr-1: the export"
    row = stored(export_id)
    assert row.emailed_at is not None and row.mail_claim is None
