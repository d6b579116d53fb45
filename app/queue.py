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


def shop_meta(shop_id: int | None) -> dict[str, int]:
    return {} if shop_id is None else {"shop_id": shop_id}


def sync_job_id(shop_id: int) -> str:
    """One id for every way a shop's sync is started, so starting it twice queues it once."""
    return f"sync-{shop_id}"


def enqueue(
    func_path: str,
    *args: object,
    queue: str = DEFAULT,
    job_id: str | None = None,
    retry: Retry | None = DEFAULT_RETRY,
    timeout: int = 600,
    shop_id: int | None = None,
    **kwargs: object,
) -> Job:
    """Enqueue `func_path(*args, **kwargs)`. A job id that is still queued is not enqueued twice.

    Jobs about one shop pass `shop_id`: it is kept in the job's meta so an uninstall can cancel them.
    """
    q = get_queue(queue)
    if job_id is not None:
        existing = q.fetch_job(job_id)
        if existing is not None and existing.get_status(refresh=False) in ("queued", "scheduled", "deferred"):
            return existing
    return q.enqueue(
        func_path, *args, job_id=job_id, retry=retry, job_timeout=timeout,
        result_ttl=3600, failure_ttl=7 * 24 * 3600, meta=shop_meta(shop_id), **kwargs,
    )
