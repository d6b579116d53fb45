"""Enqueue helpers: jobs by dotted path, stable job ids, one retry policy, queues named by purpose."""

from __future__ import annotations

from rq import Queue, Retry
from rq.job import Job

from app.extensions import redis_handle

WEBHOOKS = "webhooks"  # ingest of stored webhook events: latency-sensitive, many small jobs
DEFAULT = "default"  # domain work fanned out from events
SYNC = "sync"  # first sync, bulk imports, reconciliation: long-running
MAIL = "mail"
QUEUE_NAMES = (WEBHOOKS, DEFAULT, SYNC, MAIL)

# Backoff 10 s, 1 min, 5 min, 30 min, 2 h: enough to ride out a Shopify or SMTP outage.
DEFAULT_RETRY = Retry(max=5, interval=[10, 60, 300, 1800, 7200])


def get_queue(name: str = DEFAULT) -> Queue:
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=redis_handle.conn)


def enqueue(
    func_path: str,
    *args: object,
    queue: str = DEFAULT,
    job_id: str | None = None,
    retry: Retry | None = DEFAULT_RETRY,
    timeout: int = 600,
    **kwargs: object,
) -> Job:
    """Enqueue `func_path(*args, **kwargs)`. A job id that is still queued is not enqueued twice."""
    q = get_queue(queue)
    if job_id is not None:
        existing = q.fetch_job(job_id)
        if existing is not None and existing.get_status(refresh=False) in ("queued", "scheduled", "deferred"):
            return existing
    return q.enqueue(
        func_path, *args, job_id=job_id, retry=retry, job_timeout=timeout,
        result_ttl=3600, failure_ttl=7 * 24 * 3600, **kwargs,
    )
