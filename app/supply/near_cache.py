"""A per-process copy of hot promise answers, so a storefront hit costs no Redis round trip.

The Redis cache (`app.supply.cache`) stays the shared truth. This layer keeps, for a short LIFETIME_S,
answers this process has just read or computed, and drops them when a version bump is announced:
`app.supply.versions` publishes every bump on CHANNEL and also drops the entries of its own process at
once, so a process reads its own writes. A listener thread per process receives the announcements of
the others (sub-millisecond on a healthy connection; a stock change committed a moment before reaches
the storefront that moment later, as it would through the versions themselves, which are bumped only
after the commit).

It serves nothing unless the listener is subscribed: when its connection drops (a Redis restart, a
network fault, a missed health ping) every entry is forgotten and lookups fall through to Redis until it
is back. LIFETIME_S bounds what no announcement can reach (a FLUSHDB, a partition the pings have not
noticed yet). An entry is stored only if no announcement arrived while it was being read or computed
(the generation check), so a slow request never puts back what a bump removed.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import redis

from app.extensions import redis_handle

log = logging.getLogger(__name__)

LIFETIME_S = 2.0
MAX_ENTRIES = 20_000
PING_EVERY_S = 5.0
LISTENER_NAME = "flexchain-promise-listener"  # how the subscriber shows in CLIENT LIST


def channel(client: redis.Redis) -> str:
    # Pub/sub ignores the database number; separate databases (tests, staging) must not share announcements.
    return f"flexchain:supply:bumps:{client.connection_pool.connection_kwargs.get('db', 0)}"


def settings_message(shop_id: int) -> str:
    return f"s:{shop_id}"


def stock_message(shop_id: int, variant_ids: list) -> str:
    return f"v:{shop_id}:{','.join(str(v) for v in variant_ids)}"


class NearCache:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, object]] = {}  # key -> (monotonic expiry, answer)
        self._keys: dict[tuple[int, int], set[str]] = {}  # (shop, variant) -> its keys, for invalidation
        self._lock = threading.Lock()
        self.generation = 0  # grows with every announcement, reconnect and clear
        self.live = False
        self._client: redis.Redis | None = None
        self._pid = 0
        self._stop: threading.Event | None = None

    # -- the request path -------------------------------------------------------------------------------
    def get(self, key: str, now: float):
        if not self._ready():
            return None
        entry = self._entries.get(key)
        if entry is None or entry[0] <= now:
            return None
        return entry[1]

    def put(self, shop_id: int, variant_id: int, key: str, answer: object, generation: int, now: float) -> None:
        with self._lock:
            if not self.live or generation != self.generation:
                return
            if len(self._entries) >= MAX_ENTRIES:
                self._clear()
            self._entries[key] = (now + LIFETIME_S, answer)
            self._keys.setdefault((shop_id, variant_id), set()).add(key)

    # -- invalidation --------------------------------------------------------------------------------------
    def forget_shop(self, shop_id: int) -> None:
        with self._lock:
            self.generation += 1
            for pair in [p for p in self._keys if p[0] == shop_id]:
                self._drop(pair)

    def forget_variants(self, shop_id: int, variant_ids) -> None:
        with self._lock:
            self.generation += 1
            for variant_id in variant_ids:
                self._drop((shop_id, int(variant_id)))

    def clear(self) -> None:
        with self._lock:
            self._clear()

    def apply(self, message: str) -> None:
        """One announcement from CHANNEL; anything unreadable forgets everything (never serve a doubt)."""
        try:
            kind, rest = message.split(":", 1)
            if kind == "s":
                return self.forget_shop(int(rest))
            shop, variants = rest.split(":", 1)
            return self.forget_variants(int(shop), [int(v) for v in variants.split(",") if v])
        except ValueError:
            log.warning("unreadable supply announcement %r; forgetting every near-cached promise", message[:80])
            self.clear()

    def _drop(self, pair: tuple[int, int]) -> None:
        for key in self._keys.pop(pair, ()):
            self._entries.pop(key, None)

    def _clear(self) -> None:
        self.generation += 1
        self._entries.clear()
        self._keys.clear()

    # -- the listener ----------------------------------------------------------------------------------------
    def _ready(self) -> bool:
        client = redis_handle.client
        if client is self._client and self._pid == os.getpid():
            return self.live
        with self._lock:
            if client is not self._client or self._pid != os.getpid():
                self._restart(client)
        return False

    def _restart(self, client: redis.Redis | None) -> None:
        if self._stop is not None:
            self._stop.set()
        self.live = False
        self._clear()
        self._client, self._pid, self._stop = client, os.getpid(), None
        if client is None or redis_handle.in_process:
            return  # the in-process development Redis has one process: the Redis cache is enough
        self._stop = threading.Event()
        threading.Thread(target=self._listen, args=(client, self._stop), name=LISTENER_NAME, daemon=True).start()

    def _listen(self, client: redis.Redis, stop: threading.Event) -> None:
        pool = client.connection_pool
        own = redis.Redis(connection_pool=redis.ConnectionPool(
            connection_class=pool.connection_class, **{**pool.connection_kwargs, "client_name": LISTENER_NAME}))
        backoff = 0.2
        while not stop.is_set():
            pubsub = own.pubsub()
            try:
                pubsub.subscribe(channel(client))
                self._follow(pubsub, stop)
            except (redis.RedisError, OSError) as exc:
                log.warning("promise announcements unavailable (%s); near cache off until reconnected", exc)
            finally:
                self._down()
                pubsub.close()
            stop.wait(backoff)
            backoff = min(backoff * 2, 5.0)
        own.connection_pool.disconnect()

    def _follow(self, pubsub, stop: threading.Event) -> None:
        heard = time.monotonic()
        pinged = False
        while not stop.is_set():
            message = pubsub.get_message(timeout=1.0)
            now = time.monotonic()
            if message is None:
                if now - heard > 2 * PING_EVERY_S:
                    raise redis.ConnectionError("no answer to the health ping")
                if now - heard > PING_EVERY_S and not pinged:
                    pubsub.ping()
                    pinged = True
                continue
            heard, pinged = now, False
            if message["type"] == "subscribe":
                with self._lock:
                    self._clear()  # whatever was announced while we were away is unknown: start empty
                    self.live = True
            elif message["type"] == "message":
                data = message["data"]
                self.apply(data.decode() if isinstance(data, bytes) else data)

    def _down(self) -> None:
        with self._lock:
            self.live = False
            self._clear()


near = NearCache()
