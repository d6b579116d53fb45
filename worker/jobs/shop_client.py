"""What every job that talks to one shop's Admin API does first: re-load the shop (skip it unless installed),
optionally take the shop's Redis lock for this kind of work, open an Admin API client and a shop-bound
session, and turn an uninstalled shop or a rejected token into a logged outcome instead of a retry loop."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import redis
from sqlalchemy.orm import Session

from app.extensions import db, redis_handle
from app.models import Shop, ShopStatus
from app.shopify.admin_api import AdminClient
from app.shopify.tokens import ReauthorizationRequired, ShopNotInstalled

log = logging.getLogger(__name__)
T = TypeVar("T")

LOCK_TTL_SECONDS = 30 * 60
SKIPPED, BUSY, NEEDS_REAUTH = "skipped", "busy", "needs_reauth"


@contextmanager
def shop_lock(kind: str, shop_id: int) -> Iterator[bool]:
    """True when this run may work on the shop. Without Redis, runs go ahead: the work is idempotent."""
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


def installed_shop(shop_id: int) -> Shop | None:
    with db.session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None or shop.status != ShopStatus.INSTALLED:
            log.info("shop %s is not installed; nothing to do", shop_id)
            return None
        return shop


def with_shop_client(kind: str, shop_id: int, work: Callable[[Session, Shop, AdminClient], T], *,
                     lock: bool = False) -> T | str:
    """`work(session, shop, client)`, or SKIPPED / BUSY (another run holds the lock) / NEEDS_REAUTH."""
    shop = installed_shop(shop_id)
    if shop is None:
        return SKIPPED
    with shop_lock(kind, shop_id) if lock else _always() as mine:
        if not mine:
            return BUSY
        client = AdminClient.for_shop(shop)
        try:
            with db.session(shop_id=shop_id) as session:
                return work(session, session.get(Shop, shop_id), client)
        except (ShopNotInstalled, ReauthorizationRequired) as exc:
            log.warning("%s of shop %s stopped: %s", kind, shop_id, exc)
            return NEEDS_REAUTH
        finally:
            client.close()


@contextmanager
def _always() -> Iterator[bool]:
    yield True
