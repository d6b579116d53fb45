"""Membership jobs: take a shop id, safe to run twice (a review only moves members whose grace has run out;
a write-back writes the same values again at worst)."""

from __future__ import annotations

import logging

import redis
from sqlalchemy import exists, select

from app import queue as queues
from app.extensions import db
from app.membership.service import review_shop
from app.models import Membership, MembershipSettings, Shop, ShopStatus
from worker.jobs.shop_client import with_shop_client

log = logging.getLogger(__name__)


def review_memberships(shop_id: int) -> int:
    """Apply due downgrades for one shop, then send the notices due (a week before, and after); returns how
    many members changed tier."""
    from app.membership import notices

    with db.session(shop_id=shop_id) as session:
        shop = session.get(Shop, shop_id)
        if shop is None or shop.status != ShopStatus.INSTALLED:
            return 0
        moved = len(review_shop(session, shop))
        session.commit()
        notices.plan(session, shop)
        session.commit()
    send_tier_notices(shop_id)
    return moved


def send_tier_notices(shop_id: int) -> dict[str, int]:
    """Send the pending tier notices of one shop over SMTP_URL; without SMTP they wait in the outbox."""
    from urllib.parse import urlsplit

    from app.config import active_config
    from app.mail.smtp import Mailer, SmtpNotConfigured, parse_url
    from app.membership import notices

    config = active_config()
    try:
        smtp = parse_url(config.smtp_url)
    except SmtpNotConfigured:
        log.info("SMTP_URL is not set: tier notices of shop %s wait", shop_id)
        return {}
    with db.session(shop_id=shop_id) as session, Mailer(smtp) as mailer:
        shop = session.get(Shop, shop_id)
        sender = shop.email or f"no-reply@{urlsplit(config.app_url).hostname or 'localhost'}"
        return notices.send(session, shop, mailer, sender)


def review_all() -> int:
    """Periodic: queue a review per installed shop."""
    with db.session() as session:
        shop_ids = list(session.scalars(select(Shop.id).where(Shop.status == ShopStatus.INSTALLED)))
    for shop_id in shop_ids:
        queues.enqueue("worker.jobs.membership.review_memberships", shop_id, job_id=f"membership-review-{shop_id}",
                       shop_id=shop_id)
    return len(shop_ids)


def write_back_members(shop_id: int) -> tuple[int, int] | str:
    """Make the tier segments and discounts match the settings, then write every due member's tier tag and
    metafield to Shopify; (written, refused). One writer per shop (the lock): the shop's API rate limit sets
    the pace, and a second writer would only spend points writing the same members twice."""
    from app.membership import shopify_objects
    from app.membership.writeback import write_back

    def work(session, shop, client):
        shopify_objects.sync(session, shop, client)
        session.commit()
        return write_back(session, shop, client)

    return with_shop_client("membership-writeback", shop_id, work, lock=True)


def write_back_all() -> int:
    """Periodic: queue a write-back for every installed shop with due members (the flag is the outbox, so
    a change whose enqueue was lost to a Redis outage is still written on the next sweep)."""
    with db.session() as session:
        shop_ids = list(session.scalars(select(Shop.id).where(
            Shop.status == ShopStatus.INSTALLED,
            exists().where(Membership.shop_id == Shop.id, Membership.writeback_due.is_(True))
            | exists().where(MembershipSettings.shop_id == Shop.id, MembershipSettings.shopify_digest.is_(None)))))
    queued = 0
    for shop_id in shop_ids:
        try:
            queues.enqueue("worker.jobs.membership.write_back_members", shop_id,
                           job_id=f"membership-writeback-{shop_id}", shop_id=shop_id, timeout=3600)
            queued += 1
        except redis.RedisError:
            log.warning("could not queue the membership write-back of shop %s; the next sweep will", shop_id)
    return queued


def prioritise_order(shop_id: int, order_shopify_id: int) -> str:
    """Tag and note a member's order for the warehouse; safe to run twice."""
    from app.membership.priority import prioritise

    return with_shop_client("priority mark", shop_id,
                            lambda session, _shop, client: prioritise(session, shop_id, client, order_shopify_id))


def backfill(shop_id: int) -> str:
    """After the first sync (or from `flexchain membership backfill`): ledger, tiers, write-back; resumable."""
    from app.membership import backfill as run_backfill

    outcome = with_shop_client("membership-writeback", shop_id,
                               lambda session, shop, client: run_backfill.run(session, shop, client), lock=True)
    return outcome["state"] if isinstance(outcome, dict) else outcome


def backfill_job_id(shop_id: int) -> str:
    return f"membership-backfill-{shop_id}"


def queue_backfill(shop_id: int) -> None:
    queues.enqueue("worker.jobs.membership.backfill", shop_id, queue=queues.SYNC, job_id=backfill_job_id(shop_id),
                   shop_id=shop_id, timeout=6 * 3600)
