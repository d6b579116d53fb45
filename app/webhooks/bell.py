"""The ingest doorbell: how the web edge tells workers that stored events wait, at one Redis call a batch.

Enqueueing an RQ job per webhook costs more than verifying and storing it (several Redis round trips
and a job hash). The events are already a durable queue in PostgreSQL, so the edge only has to make
sure a drain job is on its way: `ring()` sets a short-lived key with NX and, only when it was not set,
enqueues one drain job. The drain deletes the key *before* it looks for events, so an event committed
before a ring that found the key set is always seen by the drain that key stands for. The key expires,
so a drain job lost with Redis is replaced by the next delivery, or by the relay.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

import redis

from app import queue as queues
from app.extensions import redis_handle

log = logging.getLogger(__name__)

BELL_KEY = "flexchain:ingest:bell"
BELL_TTL_SECONDS = 10
DRAIN_JOB = "worker.jobs.ingest.drain"


def ring() -> bool:
    """Make sure a drain job is queued; True when this call queued it. Raises redis.RedisError."""
    conn = redis_handle.conn
    if not conn.set(BELL_KEY, b"1", nx=True, ex=BELL_TTL_SECONDS):
        return False  # a drain job is queued and has not started yet: it will see our events
    try:
        queues.enqueue(DRAIN_JOB, queue=queues.WEBHOOKS, retry=None, timeout=300)
    except BaseException:
        conn.delete(BELL_KEY)  # let the next delivery try again rather than wait for the key to expire
        raise
    return True


def answer() -> None:
    """Called by a drain before it looks for events: deliveries from now on ring for another drain."""
    redis_handle.conn.delete(BELL_KEY)


class Ringer:
    """Rings for a web process's stored batches, at most about once per `every` seconds per process.

    A ring is a Redis round trip (about 50-200 µs of this process's CPU), as much as storing the row;
    under load, deliveries arrive far faster than a drain can start, so one ring can stand for many. A
    batch that finds no ring in the last `every` seconds rings at once, in its own request (so a lone
    delivery is announced before it is answered); otherwise it leaves a note and a thread of this
    process rings within `every` seconds. Either way each stored event is followed by a ring that
    starts after its commit, which is all the doorbell needs (see the module docstring).
    A failed ring is logged; the rows stay `received` and the relay announces them."""

    def __init__(self, ring: Callable[[], bool] = ring, every: float = 0.05) -> None:
        self._ring = ring
        self.every = every
        self._lock = threading.Lock()
        self._pending = threading.Event()
        self._last = float("-inf")  # monotonic time of the last ring started by this process
        self._pid = 0  # the thread belongs to the process that started it (gunicorn forks workers)

    def announce(self, count: int) -> None:
        now = time.monotonic()
        with self._lock:
            due = now - self._last >= self.every
            if due:
                # This ring starts after every note left so far, so it stands for them too.
                self._last = now
                self._pending.clear()
        if due:
            self._ring_logged(count)
            return
        self._ensure_thread()
        self._pending.set()

    def _ring_logged(self, count: int) -> None:
        try:
            self._ring()
        except redis.RedisError as exc:
            log.warning("%d webhook event(s) stored but not announced (Redis: %s); the relay will queue them",
                        count, exc)

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                threading.Thread(target=self._run, name="ingest-ringer", daemon=True).start()

    def _run(self) -> None:
        while True:
            self._pending.wait()
            with self._lock:
                wait = self._last + self.every - time.monotonic()
                if wait <= 0:
                    self._pending.clear()
                    self._last = time.monotonic()
            if wait > 0:
                time.sleep(wait)  # gather the notes of this window; a request may ring for them meanwhile
                continue
            self._ring_logged(0)
