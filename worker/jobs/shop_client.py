"""What every job that talks to one shop's Admin API does first: re-load the shop (skip it unless installed),
optionally take the shop's lock for this kind of work, open an Admin API client and a shop-bound
session, and turn an uninstalled shop or a rejected token into a logged outcome instead of a retry loop."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Shop, ShopStatus
from app.shopify.admin_api import AdminClient
from app.shopify.tokens import ReauthorizationRequired, ShopNotInstalled

log = logging.getLogger(__name__)
T = TypeVar("T")

SKIPPED, BUSY, NEEDS_REAUTH = "skipped", "busy", "needs_reauth"


def lock_key(kind: str, shop_id: int) -> int:
    """One signed 64-bit advisory lock key per (kind of work, shop)."""
    return (zlib.crc32(kind.encode()) & 0x7FFFFFFF) << 32 | (shop_id & 0xFFFFFFFF)


@contextmanager
def shop_lock(kind: str, shop_id: int) -> Iterator[bool]:
    """True when this run may work on the shop.

    A PostgreSQL session-level advisory lock on a connection kept for the run: it goes with the
    connection, so a worker killed mid-job frees it the moment its socket closes and the retried job can
    resume at once. (A Redis key with an expiry kept the shop's sync or write-back out for the rest of
    its 30 minutes, and a run refused as busy is not retried.) Without PostgreSQL (SQLite: development,
    one worker) runs go ahead; the work is idempotent either way."""
    engine = db.engine
    if engine is None or engine.dialect.name != "postgresql":
        yield True
        return
    key = lock_key(kind, shop_id)
    with engine.connect() as conn:
        got = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
        conn.commit()  # the lock belongs to the connection, not to this transaction
        try:
            yield got
        finally:
            if got:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
                except DBAPIError:  # the connection is gone, and its lock with it
                    log.warning("%s lock of shop %s: connection lost; released with it", kind, shop_id)


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
