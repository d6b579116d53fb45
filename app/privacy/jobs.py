"""Find and cancel a shop's (or one customer's) queued jobs.

Jobs about a shop carry `meta={"shop_id": <our shop id>}` (app.queue.enqueue(..., shop_id=...)), so an uninstall or a
shop erasure can cancel what is still waiting, including retries parked in the scheduled registry.
Webhook ingest jobs are not tagged: they must still run to record (and ignore) late deliveries.
A customer erasure cancels the shop's jobs whose arguments name the customer, and deletes failed ones
(kept for a week for inspection) for the same reason: their arguments are stored in Redis.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import redis
from rq.exceptions import InvalidJobOperation
from rq.job import Job

from app import queue as queues
from app.extensions import redis_handle

log = logging.getLogger(__name__)


def _waiting(shop_id: int, with_failed: bool = False) -> Iterator[tuple[Job, bool]]:
    """(job, failed) for every job of the shop still in Redis."""
    for name in queues.QUEUE_NAMES:
        queue = queues.get_queue(name)
        ids = set(queue.get_job_ids())
        ids.update(queue.scheduled_job_registry.get_job_ids())
        ids.update(queue.deferred_job_registry.get_job_ids())
        failed = set(queue.failed_job_registry.get_job_ids()) if with_failed else set()
        for job in Job.fetch_many(sorted(ids | failed), connection=redis_handle.conn):
            if job is not None and job.meta.get("shop_id") == shop_id:
                yield job, job.id in failed


def _cancel(shop_id: int, wanted: Callable[[Job], bool], with_failed: bool, what: str) -> int:
    cancelled = 0
    try:
        for job, failed in list(_waiting(shop_id, with_failed)):
            if not wanted(job):
                continue
            try:
                job.delete() if failed else job.cancel()
            except InvalidJobOperation:
                continue
            cancelled += 1
    except redis.RedisError as exc:
        log.warning("could not cancel the jobs of %s (Redis: %s)", what, exc)
    if cancelled:
        log.info("cancelled %d queued job(s) of %s", cancelled, what)
    return cancelled


def cancel_shop_jobs(shop_id: int) -> int:
    """Cancel every waiting job tagged with this shop; returns how many. A Redis outage is logged, not raised:
    the jobs re-check the shop and stop."""
    return _cancel(shop_id, lambda job: True, False, f"shop {shop_id}")


def cancel_customer_jobs(shop_id: int, subject) -> int:
    """Cancel waiting jobs (and delete failed ones) of the shop whose arguments name the customer."""
    from app.privacy.mentions import text_pattern

    pattern = text_pattern(subject)
    if pattern is None:
        return 0

    def names_customer(job: Job) -> bool:
        try:
            return bool(pattern.search(repr((job.args, job.kwargs))))
        except Exception:  # arguments that no longer unpickle cannot be read, so cannot be checked: keep
            return False

    return _cancel(shop_id, names_customer, True, f"a customer of shop {shop_id}")
