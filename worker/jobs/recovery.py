"""Recovery jobs: detect abandoned checkouts, hand due messages to senders, send them, send a merchant's test.

The database is the schedule (cases' `due_at`, messages' `scheduled_for` and leases), so these jobs hold no
state of their own: running one twice, or after a worker died, finds the same work and does it once.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import redis

from app import queue as queues
from app.config import active_config
from app.extensions import db
from app.mail.smtp import Mailer, SmtpNotConfigured, parse_url
from app.models import Shop, ShopStatus
from app.recovery import sending, service
from app.recovery.prepare import Context
from app.shopify.admin_api import AdminClient

log = logging.getLogger(__name__)

SENDERS_PER_SHOP = 2  # parallel senders per shop: two workers share one shop's backlog
SEND_BUDGET_S = 240  # a send job yields after this long; the next tick picks up the rest


def _now() -> datetime:
    return datetime.now(UTC)


def context() -> Context:
    config = active_config()
    return Context(app_url=config.app_url, secret=config.shopify_api_secret,
                   old_secret=config.shopify_old_api_secret, admin_client=AdminClient.for_shop)


def detect(limit: int = 500) -> int:
    """Periodic: every pending case whose delay has passed becomes abandoned (or converted, closed)."""
    with db.session() as session:
        shop_ids = service.shops_with_due_cases(session, _now())
    seen = 0
    for shop_id in shop_ids:
        while True:
            with db.session(shop_id=shop_id) as session:
                n = service.detect_due(session, shop_id, _now(), limit)
            seen += n
            if n < limit:
                break
    return seen


def dispatch() -> list[str]:
    """Periodic: give each shop with due messages its senders (stable job ids: a sender still queued is not
    queued again)."""
    detect()
    with db.session() as session:
        shop_ids = [s for s in sending.shops_with_due_messages(session, _now())
                    if session.get(Shop, s).status == ShopStatus.INSTALLED]
    queued = []
    for shop_id in shop_ids:
        for slot in range(SENDERS_PER_SHOP):
            job_id = f"recovery-send-{shop_id}-{slot}"
            try:
                queues.enqueue("worker.jobs.recovery.send_due", shop_id, queue=queues.MAIL, job_id=job_id,
                               retry=None, shop_id=shop_id)
            except redis.RedisError:
                log.warning("recovery: queue unavailable; the next tick retries")
                return queued
            queued.append(job_id)
    return queued


def send_due(shop_id: int, budget_s: float = SEND_BUDGET_S, batch: int = sending.BATCH) -> dict[str, int]:
    """Claim and send this shop's due messages, batch by batch, until none are left or the budget is spent."""
    try:
        cfg = parse_url(active_config().smtp_url)
    except SmtpNotConfigured as exc:
        log.warning("recovery: %s; messages stay scheduled", exc)
        return {}
    ctx = context()
    totals: dict[str, int] = {}
    started = time.monotonic()
    with Mailer(cfg) as mailer:
        while time.monotonic() - started < budget_s:
            with db.session(shop_id=shop_id) as session:
                token, ids = sending.claim(session, shop_id, _now(), batch)
            if not ids:
                break
            outcome = sending.send_claimed(shop_id, token, ids, mailer, _now, ctx)
            for key, n in outcome.counts.items():
                totals[key] = totals.get(key, 0) + n
    return totals


def send_test(shop_id: int, stage: int, to: str, locale: str | None = None) -> str:
    """The merchant's "send a test": the stage rendered with sample data, to the address they gave."""
    from app.recovery.preview import send_preview

    return send_preview(shop_id, stage, to, locale, context(), parse_url(active_config().smtp_url))
