"""Find and cancel a shop's queued jobs.

Jobs about a shop carry `meta={"shop_id": <our shop id>}` (app.queue.enqueue(..., shop_id=...)), so an uninstall or a
shop erasure can cancel what is still waiting, including retries parked in the scheduled registry.
Webhook ingest jobs are not tagged: they must still run to record (and ignore) late deliveries.
"""

from __future__ import annotations

import logging

import redis
from rq.exceptions import InvalidJobOperation
from rq.job import Job

from app import queue as queues
from app.extensions import redis_handle

log = logging.getLogger(__name__)


def cancel_shop_jobs(shop_id: int) -> int:
    """Cancel every waiting job tagged with this shop; returns how many. A Redis outage is logged, not raised."""
    cancelled = 0
    try:
        for name in queues.QUEUE_NAMES:
            queue = queues.get_queue(name)
            ids = set(queue.get_job_ids())
            ids.update(queue.scheduled_job_registry.get_job_ids())
            ids.update(queue.deferred_job_registry.get_job_ids())
            for job in Job.fetch_many(sorted(ids), connection=redis_handle.conn):
                if job is None or job.meta.get("shop_id") != shop_id:
                    continue
                try:
                    job.cancel()
                except InvalidJobOperation:
                    continue
                cancelled += 1
    except redis.RedisError as exc:
        log.warning("could not cancel the jobs of shop %s (Redis: %s); they re-check the shop and stop", shop_id, exc)
    if cancelled:
        log.info("cancelled %d queued job(s) of shop %s", cancelled, shop_id)
    return cancelled
