"""Cached storefront promises in Redis.

An entry is the locale-free `Answer` for one (shop, variant, quantity, tier, destination bucket), stamped
with the versions it was computed from (`app.supply.versions`: the shop's settings and that variant's
stock). A lookup reads both counters and the entry in one MGET (one round trip on the hot path) and uses
the entry only when its stamp equals the counters, so a bump makes every older entry a miss at once; a
slow writer that stores an older stamp over a newer one only causes one more miss, never a stale answer.
It lives until the next order cutoff it quotes (after
which the dispatch day, and so the window, moves) and never longer than MAX_TTL_S, which also bounds
what no bump announces (a stock reservation expiring, a new day's holidays).

The countdown is never stored: the entry keeps the cutoff instant and the answer is recomputed from
it. The destination bucket is the resolved place the engine quoted for (level, country, region and
coordinates), so two shoppers share an entry only when the engine would have seen the same place.
Quantities are not grouped: a bucket of 6-10 units would promise 10 from a warehouse holding 7.

Redis failures are logged and read as a miss; the caller computes the answer without the cache.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import astuple, dataclass
from datetime import date
from functools import lru_cache

import redis
from redis.connection import Connection

from app.extensions import redis_handle
from app.supply import versions
from app.supply.geo import ResolvedPlace

log = logging.getLogger(__name__)

KEY_PREFIX = "flexchain:promise:"
MAX_TTL_S = 180
SHOP_BUCKET = "shop"  # no place given: the shop's own country stands in
HOT_CLIENT_NAME = "flexchain-promise-cache"  # how the kept connection shows in CLIENT LIST


@dataclass(frozen=True, slots=True)
class Answer:
    """What the storefront needs to say about one variant, before localisation."""

    status: str  # PromiseStatus value
    country: str | None
    region: str | None
    level: str  # GeoLevel value, or "shop_country" when the shop's country stood in
    earliest: date | None = None
    latest: date | None = None
    cutoff_at: int | None = None  # unix seconds of the next cutoff that this window depends on
    warehouse_name: str | None = None
    warehouse_city: str | None = None
    service_level: str | None = None
    kg_co2e: float | None = None
    parcels: int = 0
    default_latest: date | None = None
    days_saved: int | None = None
    tier: str | None = None
    tier_hours: int | None = None  # the tier's handling time at the shipping warehouse, when it has one


_DATE_FIELDS = (4, 5, 12)  # earliest, latest, default_latest: stored as day ordinals


def dumps(answer: Answer, stamp: tuple[int, ...] = ()) -> bytes:
    row = list(astuple(answer))
    for i in _DATE_FIELDS:
        if row[i] is not None:
            row[i] = row[i].toordinal()
    return json.dumps([list(stamp), *row], separators=(",", ":")).encode()


def loads(raw: bytes | str) -> tuple[tuple[int, ...], Answer]:
    stamp, *row = json.loads(raw)
    for i in _DATE_FIELDS:
        if row[i] is not None:
            row[i] = date.fromordinal(row[i])
    return tuple(stamp), Answer(*row)


# Entries are immutable values and a hot one is read thousands of times a second: decode each once.
_loads_memo = lru_cache(maxsize=4096)(loads)


def bucket(place: ResolvedPlace | None) -> str:
    if place is None:
        return SHOP_BUCKET
    if place.lat is None or place.lng is None:
        return f"{place.level.value}|{place.country or ''}"
    return f"{place.level.value}|{place.country}|{place.region or ''}|{place.lat:.3f},{place.lng:.3f}"


def key(shop_id: int, variant_id: int, quantity: int, tier: str | None, bucket_name: str) -> str:
    return f"{KEY_PREFIX}{shop_id}:{variant_id}:{quantity}:{tier or ''}:{bucket_name}"


def ttl(answer: Answer, now_ts: float) -> int:
    """Seconds the entry may live; 0 when it must not be stored (its cutoff is about to pass)."""
    if answer.cutoff_at is None:
        return MAX_TTL_S
    left = int(answer.cutoff_at - now_ts)
    return min(left, MAX_TTL_S) if left >= 1 else 0


def lookup(shop_id: int, variant_id: int, cache_key: str,
           now_ts: float) -> tuple[tuple[int, int] | None, Answer | None]:
    """(current versions, the cached answer if it is current); (None, None) when Redis is unavailable."""
    try:
        settings, stock, raw = _mget(versions.settings_key(shop_id), versions.stock_key(shop_id, variant_id),
                                     cache_key)
    except redis.RedisError as exc:
        log.warning("promise cache unavailable (%s)", exc)
        return None, None
    current = (int(settings or 0), int(stock or 0))
    if raw is None:
        return current, None
    stamp, answer = _loads_memo(raw)
    if stamp != current:
        return current, None
    # Redis expiry and our clock can disagree by a moment: a passed cutoff is a miss, never a stale window.
    if answer.cutoff_at is not None and answer.cutoff_at <= now_ts:
        return current, None
    return current, answer


class _HeldConnection(threading.local):
    client: redis.Redis | None = None
    pid = 0
    connection: Connection | None = None


_held = _HeldConnection()


def _mget(*keys: str) -> list:
    """MGET on a connection each thread keeps for this one read. Taking a connection from redis-py's pool
    and returning it (a lock and a readiness poll) cost about as much CPU as the round trip itself.

    Any error or interruption drops the connection, so a reply can never be read by a later request; a
    connection the server closed while idle is re-opened once, and other failures reach the caller."""
    client = redis_handle.conn
    if redis_handle.in_process:
        return client.mget(*keys)
    held = _held
    if held.client is not client or held.pid != os.getpid() or held.connection is None:
        if held.connection is not None:
            held.connection.disconnect()
        pool = client.connection_pool
        held.connection = pool.connection_class(**{**pool.connection_kwargs, "client_name": HOT_CLIENT_NAME})
        held.client, held.pid = client, os.getpid()
    connection = held.connection
    for attempt in (1, 2):
        try:
            connection.send_command("MGET", *keys, check_health=False)
            return connection.read_response()
        except redis.ConnectionError:
            connection.disconnect()
            if attempt == 2:
                raise
        except BaseException:
            connection.disconnect()
            raise
    raise AssertionError("unreachable")


def put(cache_key: str, stamp: tuple[int, int], answer: Answer, now_ts: float) -> bool:
    seconds = ttl(answer, now_ts)
    if seconds <= 0:
        return False
    try:
        redis_handle.conn.set(cache_key, dumps(answer, stamp), ex=seconds)
    except redis.RedisError as exc:
        log.warning("promise cache unavailable (%s)", exc)
        return False
    return True
