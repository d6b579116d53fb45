"""Queue stored webhook events that no worker is on its way to (Redis was down, or a worker died).

Never-attempted events are the drains' (drain.py): if some are still waiting after a few seconds, the
relay rings the doorbell, which queues a drain unless one is already queued. Events that failed once
belong to their per-event job: one missing from Redis, or ended without finishing its event (a worker
killed mid-job), is queued again under its stable job id. Events are processed idempotently, so a rare
double queueing costs one no-op job, never a double effect.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from rq.job import Job
from sqlalchemy import select

from app import queue as queues
from app.extensions import db, redis_handle
from app.models import EventStatus, WebhookEvent, utcnow
from app.webhooks import bell
from app.webhooks.intake import PROCESS_JOB, job_id_for

log = logging.getLogger(__name__)

IN_FLIGHT = frozenset({"queued", "started", "scheduled", "deferred"})


def relay_pending(limit: int = 500, min_age_seconds: float = 5.0) -> int:
    """Queue work for up to `limit` stranded events older than `min_age_seconds`; returns how many events
    were given a new job (a drain counts for every never-attempted event waiting)."""
    cutoff = utcnow() - timedelta(seconds=min_age_seconds)
    with db.session() as session:
        rows = session.execute(
            select(WebhookEvent.id, WebhookEvent.attempts)
            .where(WebhookEvent.status == EventStatus.RECEIVED, WebhookEvent.received_at <= cutoff)
            .order_by(WebhookEvent.received_at, WebhookEvent.id)
            .limit(limit)
        ).all()
    fresh = [event_id for event_id, attempts in rows if attempts == 0]
    retried = [event_id for event_id, attempts in rows if attempts > 0]
    relayed = len(fresh) if fresh and bell.ring() else 0
    relayed += _requeue(retried)
    if relayed:
        log.info("relay: queued work for %d stranded webhook event(s)", relayed)
    return relayed


def _requeue(event_ids: list[int]) -> int:
    if not event_ids:
        return 0
    queue = queues.get_queue(queues.WEBHOOKS)
    requeued = 0
    jobs = Job.fetch_many([job_id_for(i) for i in event_ids], connection=redis_handle.conn)
    for event_id, job in zip(event_ids, jobs, strict=True):
        if job is not None and job.get_status(refresh=False) in IN_FLIGHT:
            continue
        queue.enqueue(
            PROCESS_JOB, event_id, job_id=job_id_for(event_id), retry=queues.DEFAULT_RETRY,
            job_timeout=600, result_ttl=3600, failure_ttl=7 * 24 * 3600,
        )
        requeued += 1
    return requeued
