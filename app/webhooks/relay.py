"""Queue stored webhook events that never reached the queue (Redis was down when they arrived).

An event still `received` after a few seconds whose job is missing from Redis, or ended without
finishing the event (a worker killed mid-job), is queued again under its stable job id. Events are
processed idempotently, so a rare double queueing costs one no-op job, never a double effect.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from rq.job import Job
from sqlalchemy import select

from app import queue as queues
from app.extensions import db, redis_handle
from app.models import EventStatus, WebhookEvent, utcnow
from app.webhooks.intake import PROCESS_JOB, job_id_for

log = logging.getLogger(__name__)

IN_FLIGHT = frozenset({"queued", "started", "scheduled", "deferred"})


def relay_pending(limit: int = 500, min_age_seconds: float = 5.0) -> int:
    """Queue up to `limit` stranded events older than `min_age_seconds`; returns how many were queued."""
    cutoff = utcnow() - timedelta(seconds=min_age_seconds)
    with db.session() as session:
        ids = list(session.scalars(
            select(WebhookEvent.id)
            .where(WebhookEvent.status == EventStatus.RECEIVED, WebhookEvent.received_at <= cutoff)
            .order_by(WebhookEvent.id)
            .limit(limit)
        ))
    queue = queues.get_queue(queues.WEBHOOKS)
    relayed = 0
    jobs = Job.fetch_many([job_id_for(i) for i in ids], connection=redis_handle.conn) if ids else []
    for event_id, job in zip(ids, jobs, strict=True):
        if job is not None and job.get_status(refresh=False) in IN_FLIGHT:
            continue
        queue.enqueue(
            PROCESS_JOB, event_id, job_id=job_id_for(event_id), retry=queues.DEFAULT_RETRY,
            job_timeout=600, result_ttl=3600, failure_ttl=7 * 24 * 3600,
        )
        relayed += 1
    if relayed:
        log.info("relay: queued %d stranded webhook event(s)", relayed)
    return relayed
