"""Privacy jobs: the retention purge and mailing a customer data export to the merchant (both safe twice)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from sqlalchemy import select

from app import queue as queues
from app.extensions import db
from app.models import DataExport, Shop
from app.models.privacy import DEFAULT_RETENTION_DAYS
from app.privacy import retention

log = logging.getLogger(__name__)


def purge_all() -> int:
    """Periodic: a purge job per shop, and one per domain we no longer know that still has stored deliveries
    (stable job ids, so a slow purge is not doubled)."""
    with db.session() as session:
        shop_ids = sorted(session.scalars(select(Shop.id)))
        orphans = [domain for domain, shop_id in retention.domains_with_events(session) if shop_id is None]
    for shop_id in shop_ids:
        queues.enqueue("worker.jobs.privacy.purge", shop_id, job_id=f"privacy-purge-{shop_id}", shop_id=shop_id)
    for domain in orphans:
        job_id = "privacy-purge-" + re.sub(r"[^A-Za-z0-9_-]", "-", domain)  # RQ ids allow no dots
        queues.enqueue("worker.jobs.privacy.purge", None, domain, job_id=job_id)
    return len(shop_ids) + len(orphans)


def clear_bodies(now: datetime | None = None) -> int:
    """Periodic: empty the stored bodies of processed webhook deliveries (app/privacy/bodies.py)."""
    from app.privacy.bodies import clear_processed_bodies

    with db.session() as session:
        cleared = clear_processed_bodies(session, now or datetime.now(UTC))
    if cleared:
        log.info("emptied the bodies of %d processed webhook delivery(ies)", cleared)
    return cleared


def purge(shop_id: int | None, shop_domain: str | None = None, now: datetime | None = None) -> tuple[int, int]:
    """(checkouts anonymised, webhook deliveries deleted) for one shop, or for a domain we no longer know
    (its deliveries then keep the default period)."""
    now = now or datetime.now(UTC)
    checkouts = events = 0
    with db.session(shop_id=shop_id) as session:
        days = DEFAULT_RETENTION_DAYS
        if shop_id is not None and (shop := session.get(Shop, shop_id)) is not None:
            days = retention.retention_days(session, shop_id)
            checkouts = retention.purge_checkouts(session, shop_id, now)
            shop_domain = shop_domain or shop.domain
        if shop_domain:
            events = retention.purge_webhook_events(session, shop_domain, days, now)
    if checkouts or events:
        log.info("retention purge of %s: %d checkout(s) anonymised, %d delivery(ies) deleted",
                 shop_domain or shop_id, checkouts, events)
    return checkouts, events


def mail_export(shop_id: int, export_id: int, now: datetime | None = None) -> bool:
    """Mail the export to the shop's email as a JSON attachment, at most once (see privacy/export_mail.py)."""
    from app.config import active_config
    from app.mail.smtp import Mailer, SmtpNotConfigured, parse_url
    from app.privacy import export_mail

    config = active_config()
    try:
        smtp = parse_url(config.smtp_url)
    except SmtpNotConfigured:
        return False
    now = now or datetime.now(UTC)
    with db.session(shop_id=shop_id) as session:
        token = export_mail.claim(session, shop_id, export_id, now)
        session.commit()
        if token is None:
            return False
        export, shop = session.get(DataExport, export_id), session.get(Shop, shop_id)
        if shop is None or not shop.email:
            log.warning("data export %s of shop %s: the shop has no email; it waits in the admin", export_id, shop_id)
            export_mail.record(session, shop_id, export_id, token, mail_claim=None, mail_lease_until=None)
            session.commit()
            return False
        message = export_mail.build_message(shop, export, config.app_url)
        export_mail.record(session, shop_id, export_id, token, mail_handed_at=datetime.now(UTC))
        session.commit()
    try:
        with Mailer(smtp) as mailer:
            mailer.send(message)
    except Exception:
        # The server did not take it (refused, deferred or unreachable): nothing was handed over; RQ retries.
        with db.session(shop_id=shop_id) as session:
            export_mail.record(session, shop_id, export_id, token, mail_claim=None, mail_lease_until=None,
                               mail_handed_at=None)
            session.commit()
        raise
    with db.session(shop_id=shop_id) as session:
        export_mail.record(session, shop_id, export_id, token, emailed_at=datetime.now(UTC), mail_claim=None,
                           mail_lease_until=None)
        session.commit()
    return True
