"""Shopify's per-shop leaky bucket, as last reported, shared by every process through Redis.

Each Admin GraphQL response reports `extensions.cost.throttleStatus`. Workers talking to the same shop
drain the same bucket, so the last report is kept in Redis; when Redis is unreachable each process falls
back to its own memory (it then only knows its own calls, which is safe: Shopify's THROTTLED answer is
still retried).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass

import redis

log = logging.getLogger(__name__)

KEY_PREFIX = "flexchain:admin-throttle:"
# A report older than this says nothing useful: the bucket has refilled long ago.
TTL_SECONDS = 120
REDIS_RETRY_AFTER = 30.0


@dataclass(frozen=True)
class ThrottleStatus:
    maximum: float
    available: float
    restore_rate: float
    at: float  # clock() seconds when Shopify reported it

    def available_at(self, now: float) -> float:
        return min(self.maximum, self.available + max(0.0, now - self.at) * self.restore_rate)

    def wait_for(self, cost: float, now: float, reserve: float = 0.0) -> float:
        """Seconds to wait so that `cost` points (plus a reserve) are in the bucket."""
        needed = min(cost + reserve, self.maximum)
        missing = needed - self.available_at(now)
        if missing <= 0 or self.restore_rate <= 0:
            return 0.0
        return missing / self.restore_rate

    def spend(self, cost: float, now: float) -> ThrottleStatus:
        return ThrottleStatus(self.maximum, max(0.0, self.available_at(now) - cost), self.restore_rate, now)


def parse_throttle_status(extensions: dict | None, now: float) -> ThrottleStatus | None:
    try:
        status = extensions["cost"]["throttleStatus"]
        return ThrottleStatus(
            maximum=float(status["maximumAvailable"]),
            available=float(status["currentlyAvailable"]),
            restore_rate=float(status["restoreRate"]),
            at=now,
        )
    except (KeyError, TypeError, ValueError):
        return None


class ThrottleStore:
    """Last known status per shop: Redis when it answers, this process's memory otherwise."""

    def __init__(self, conn: redis.Redis | None) -> None:
        self.conn = conn
        self._local: dict[str, ThrottleStatus] = {}
        self._redis_down_until = 0.0

    def _redis(self) -> redis.Redis | None:
        # After a failure, leave Redis alone for a while: every API call must not pay a connect timeout.
        return self.conn if time.monotonic() >= self._redis_down_until else None

    def _failed(self, exc: Exception) -> None:
        log.warning("Redis unavailable for throttle status (%s); using this process's memory for %ss",
                    exc, REDIS_RETRY_AFTER)
        self._redis_down_until = time.monotonic() + REDIS_RETRY_AFTER

    def get(self, shop_domain: str) -> ThrottleStatus | None:
        conn = self._redis()
        if conn is not None:
            try:
                raw = conn.get(KEY_PREFIX + shop_domain)
            except redis.RedisError as exc:
                self._failed(exc)
            else:
                if raw:
                    try:
                        return ThrottleStatus(**json.loads(raw))
                    except (ValueError, TypeError):
                        return self._local.get(shop_domain)
                return self._local.get(shop_domain)
        return self._local.get(shop_domain)

    def put(self, shop_domain: str, status: ThrottleStatus) -> None:
        self._local[shop_domain] = status
        conn = self._redis()
        if conn is None:
            return
        try:
            conn.set(KEY_PREFIX + shop_domain, json.dumps(asdict(status)), ex=TTL_SECONDS)
        except redis.RedisError as exc:
            self._failed(exc)


def default_store() -> ThrottleStore:
    from app.extensions import redis_handle

    return ThrottleStore(redis_handle.client)
