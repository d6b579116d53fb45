"""Sync jobs: first sync (resumable), its continuation, and the periodic reconciliation.

Each takes a shop id, re-loads the shop, and is safe to run twice: a Redis lock keeps two runs for
one shop from working at the same time, and the steps themselves skip what is already done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TypeVar

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import queue
from app.extensions import db, redis_handle
from app.models import Shop, ShopStatus
from app.shopify.admin_api import AdminClient
from app.shopify.tokens import ReauthorizationRequired, ShopNotInstalled
from app.sync.reconcile import reconcile_shop
from app.sync.service import SyncOptions, run_sync

log = logging.getLogger(__name__)
T = TypeVar("T")

LOCK_TTL_SECONDS = 30 * 60
# When a bulk operation outlives one run, look again after this even if its webhook never comes.
RECHECK_AFTER = timedelta(seconds=60)


@contextmanager
def shop_lock(kind: str, shop_id: int) -> Iterator[bool]:
    """True when this run may work on the shop. Without Redis, runs go ahead: the steps are idempotent."""
    key = f"flexchain:{kind}-lock:{shop_id}"
    try:
        got = bool(redis_handle.conn.set(key, "1", nx=True, ex=LOCK_TTL_SECONDS))
    except redis.RedisError as exc:
        log.warning("no Redis lock for %s of shop %s (%s); going ahead", kind, shop_id, exc)
        yield True
        return
    try:
        yield got
    finally:
        if got:
            try:
                redis_handle.conn.delete(key)
            except redis.RedisError:
                log.warning("could not release %s; it expires by itself", key)


def _active_shop(shop_id: int) -> Shop | None:
    with db.session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None or shop.status != ShopStatus.INSTALLED:
            log.info("shop %s is not installed; nothing to sync", shop_id)
            return None
        return shop


def first_sync(shop_id: int, options: SyncOptions | None = None) -> str:
    return _sync(shop_id, options)


def continue_sync(shop_id: int, options: SyncOptions | None = None) -> str:
    return _sync(shop_id, options)


def _with_shop_client(kind: str, shop_id: int, work: Callable[[Session, Shop, AdminClient], T]) -> T | str:
    """Re-load the shop, take its lock for `kind`, and run `work` in a shop-bound session that commits."""
    shop = _active_shop(shop_id)
    if shop is None:
        return "skipped"
    with shop_lock(kind, shop_id) as mine:
        if not mine:
            return "busy"
        client = AdminClient.for_shop(shop)
        try:
            with db.session(shop_id=shop_id) as session:
                return work(session, session.get(Shop, shop_id), client)
        except (ShopNotInstalled, ReauthorizationRequired) as exc:
            log.warning("%s of shop %s stopped: %s", kind, shop_id, exc)
            return "needs_reauth"
        finally:
            client.close()


def _sync(shop_id: int, options: SyncOptions | None) -> str:
    outcome = _with_shop_client("sync", shop_id, lambda session, shop, client: run_sync(session, shop, client, options))
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
    return _with_shop_client("reconcile", shop_id, reconcile_shop)


def reconcile_all() -> int:
    """Fan out one reconcile job per installed shop (stable ids: a shop already queued is not queued twice)."""
    with db.session() as session:
        shop_ids = list(session.scalars(select(Shop.id).where(Shop.status == ShopStatus.INSTALLED)))
    for shop_id in shop_ids:
        queue.enqueue("worker.jobs.sync.reconcile", shop_id, queue=queue.SYNC, job_id=f"reconcile-{shop_id}",
                      shop_id=shop_id)
    return len(shop_ids)
