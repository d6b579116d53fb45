"""Sync jobs: first sync (resumable), its continuation, and the periodic reconciliation.

Each takes a shop id, re-loads the shop, and is safe to run twice: a lock (shop_client.shop_lock) keeps two
runs for one shop from working at the same time, and the steps themselves skip what is already done.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import redis
from sqlalchemy import select

from app import queue
from app.extensions import db
from app.models import Shop, ShopStatus
from app.sync.reconcile import reconcile_shop
from app.sync.service import SyncOptions, run_sync
from worker.jobs.shop_client import with_shop_client

log = logging.getLogger(__name__)

# When a bulk operation outlives one run, look again after this even if its webhook never comes.
RECHECK_AFTER = timedelta(seconds=60)


def first_sync(shop_id: int, options: SyncOptions | None = None) -> str:
    return _sync(shop_id, options)


def continue_sync(shop_id: int, options: SyncOptions | None = None) -> str:
    return _sync(shop_id, options)


def _sync(shop_id: int, options: SyncOptions | None) -> str:
    outcome = with_shop_client("sync", shop_id, lambda session, shop, client: run_sync(session, shop, client, options),
                               lock=True)
    if outcome == "waiting":
        try:
            queue.get_queue(queue.SYNC).enqueue_in(RECHECK_AFTER, "worker.jobs.sync.continue_sync", shop_id,
                                                   job_id=f"sync-recheck-{shop_id}", meta=queue.shop_meta(shop_id))
        except redis.RedisError:
            log.warning("could not schedule a re-check of shop %s; the bulk webhook will continue it", shop_id)
    elif outcome == "done":
        # The history is in: build every member's ledger and tier from it and write them to Shopify.
        from worker.jobs.membership import queue_backfill

        try:
            queue_backfill(shop_id)
        except redis.RedisError:
            log.warning("could not queue the membership backfill of shop %s; run `flexchain membership backfill`",
                        shop_id)
    return outcome


def reconcile(shop_id: int) -> dict[str, int] | str:
    return with_shop_client("reconcile", shop_id, reconcile_shop, lock=True)


def reconcile_all() -> int:
    """Fan out one reconcile job per installed shop (stable ids: a shop already queued is not queued twice)."""
    with db.session() as session:
        shop_ids = list(session.scalars(select(Shop.id).where(Shop.status == ShopStatus.INSTALLED)))
    for shop_id in shop_ids:
        queue.enqueue("worker.jobs.sync.reconcile", shop_id, queue=queue.SYNC, job_id=f"reconcile-{shop_id}",
                      shop_id=shop_id)
    return len(shop_ids)
