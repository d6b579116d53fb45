"""The ingest doorbell: how the web edge tells workers that stored events wait, at one Redis call a batch.

Enqueueing an RQ job per webhook costs more than verifying and storing it (several Redis round trips
and a job hash). The events are already a durable queue in PostgreSQL, so the edge only has to make
sure a drain job is on its way: `ring()` sets a short-lived key with NX and, only when it was not set,
enqueues one drain job. The drain deletes the key *before* it looks for events, so an event committed
before a ring that found the key set is always seen by the drain that key stands for. The key expires,
so a drain job lost with Redis is replaced by the next delivery, or by the relay.
"""

from __future__ import annotations

from app import queue as queues
from app.extensions import redis_handle

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
