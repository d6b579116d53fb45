"""Version counters in Redis that invalidate cached promises: one per shop's supply settings, one per
variant's stock. Anything that changes what a promise would say bumps the matching counter; caches key
their entries by the versions they were computed from, so a bump makes every stale entry unreachable;
each bump is also announced to the per-process near caches (`app.supply.near_cache`).

Redis being down must never fail the write that changed the data: the bump is logged and skipped, and
cached entries still expire by their own TTL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import redis
from sqlalchemy.orm import Session

from app.extensions import after_commit, redis_handle
from app.supply import near_cache
from app.supply.near_cache import near

log = logging.getLogger(__name__)


def settings_key(shop_id: int) -> str:
    return f"flexchain:supply:v:{shop_id}"


def stock_key(shop_id: int, variant_id: int | str) -> str:
    return f"flexchain:supply:v:{shop_id}:var:{variant_id}"


def bump_settings(shop_id: int) -> None:
    """Warehouses, profiles, lanes, transit samples or incoming stock changed for this shop."""
    _incr([settings_key(shop_id)], near_cache.settings_message(shop_id))
    near.forget_shop(shop_id)  # after the bump: a request of ours between the two cannot keep the old answer


def bump_stock(shop_id: int, variant_ids: Iterable[int | str]) -> None:
    """Stock (or reservations) of these variants changed."""
    ids = list(variant_ids)
    if ids:
        _incr([stock_key(shop_id, v) for v in ids], near_cache.stock_message(shop_id, ids))
        near.forget_variants(shop_id, ids)


def bump_settings_after_commit(session: Session, shop_id: int) -> None:
    after_commit(session, lambda: bump_settings(shop_id))


def bump_stock_after_commit(session: Session, shop_id: int, variant_ids: Iterable[int | str]) -> None:
    ids = sorted(set(variant_ids))
    if ids:
        after_commit(session, lambda: bump_stock(shop_id, ids))


def current(shop_id: int, variant_ids: Iterable[int | str] = ()) -> tuple[int, ...] | None:
    """The settings version followed by each variant's stock version; None when Redis is unavailable."""
    keys = [settings_key(shop_id), *(stock_key(shop_id, v) for v in variant_ids)]
    try:
        return tuple(int(v or 0) for v in redis_handle.conn.mget(keys))
    except redis.RedisError as exc:
        log.warning("supply versions unavailable (%s)", exc)
        return None


def _incr(keys: list[str], announcement: str) -> None:
    """Bump, then tell every process's near cache (after the bump, so a process that re-reads on the
    announcement sees the new version)."""
    try:
        with redis_handle.conn.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.incr(key)
            pipe.publish(near_cache.channel(redis_handle.conn), announcement)
            pipe.execute()
    except redis.RedisError as exc:
        log.warning("could not bump supply versions %s (%s); cached promises expire by TTL", keys[:3], exc)
