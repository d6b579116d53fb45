"""Drain stored webhook events in batches: one transaction and one commit for many events.

One RQ job per event costs more than most handlers (job bookkeeping, a session, a commit each), so the
web edge only rings the doorbell (bell.py) and a drain job takes the waiting events itself, oldest
first, a batch at a time, `FOR UPDATE SKIP LOCKED`: two workers draining at once split the backlog and
never take the same event. The batch's orders/paid and checkouts events are processed together, set-based
(batch.py), the others through the same `dispatch` as a single event, in its own savepoint; whatever fails
in the set-based part falls back to that per-event path, so one failing event rolls back only its own
writes. The batch then commits the handlers' writes and the `done` marks together, so a worker killed
mid-batch leaves neither and the events are drained again (by the next drain, or the relay's).

A drain takes only events never attempted (attempts = 0). An event whose handler raised is recorded
(attempts, error) and handed to a per-event RQ job with the usual backoff, exactly as if its own job
had failed once; from then on it is that job's, or the relay's, not the drain's: a poisoned event is
never re-taken by every drain.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from datetime import timedelta

import redis
from rq import Retry
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app import queue as queues
from app.extensions import db
from app.models import EventStatus, Shop, WebhookEvent
from app.webhooks import batch, bell
from app.webhooks.intake import PROCESS_JOB, job_id_for
from app.webhooks.processing import HandlerError, dispatch, process_event

log = logging.getLogger(__name__)

BATCH_SIZE = 200
MAX_SECONDS = 20.0  # then hand over to a fresh drain job, so no single job outlives its timeout
# Two drains can reach the same customer's rows in different orders, each holding the other's first row
# until its batch commits. Rather than wait (PostgreSQL finds the deadlock only after a second), an event
# that waits more than this on another transaction's lock is rolled back to its savepoint and left for a
# later batch: it was not attempted, so it is neither counted nor retried with backoff.
LOCK_WAIT_MS = 50
LOCK_CONFLICTS = frozenset({"55P03", "40P01", "40001"})  # lock timeout, deadlock, serialization failure
# The first try was the drain's; the per-event job continues the usual schedule from its second step.
FIRST_RETRY_DELAY = timedelta(seconds=queues.DEFAULT_RETRY.intervals[0])
LATER_RETRIES = Retry(max=queues.DEFAULT_RETRY.max - 1, interval=queues.DEFAULT_RETRY.intervals[1:])


def drain(max_seconds: float = MAX_SECONDS, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Process waiting events until none are left or time is up; returns counts by outcome."""
    bell.answer()  # first: an event stored from now on rings for another drain
    deadline = time.monotonic() + max_seconds
    totals: dict[str, int] = {}
    while True:
        counts = drain_batch(batch_size)
        for outcome, n in counts.items():
            totals[outcome] = totals.get(outcome, 0) + n
        if not counts:
            return totals
        if time.monotonic() >= deadline:
            try:
                bell.ring()  # more may wait: queue the next drain rather than run past the job timeout
            except redis.RedisError:
                log.warning("drain stopped with events left and Redis unreachable; the relay will resume it")
            return totals


def claim(session: Session, limit: int) -> list[WebhookEvent]:
    events = session.scalars(
        select(WebhookEvent)
        .where(WebhookEvent.status == EventStatus.RECEIVED, WebhookEvent.attempts == 0)
        .order_by(WebhookEvent.received_at, WebhookEvent.id)  # the (status, received_at) index's order
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    return sorted(events, key=lambda e: e.id)  # arrival order within the batch


def drain_batch(limit: int = BATCH_SIZE) -> dict[str, int]:
    """Claim up to `limit` waiting events, process them in one transaction; {} when none were waiting."""
    session = db.new_session()
    effects: list[Callable[[], None]] = []
    retry: list[int] = []
    ids: list[int] = []
    try:
        events = claim(session, limit)
        if not events:
            session.rollback()
            return {}
        if len(events) == limit:
            _call_for_help()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'"))
        ids = [e.id for e in events]
        domains = sorted({e.shop_domain for e in events})
        shops = {s.domain: s for s in session.scalars(select(Shop).where(Shop.domain.in_(domains)))}

        def one_by_one(event: WebhookEvent) -> str:
            try:
                return dispatch(session, event, shops.get(event.shop_domain), effects)
            except HandlerError as exc:
                if _is_lock_conflict(exc.cause):
                    return "deferred"  # untouched: taken again by a later batch, after our locks are gone
                _record_first_failure(event, exc.cause)
                retry.append(event.id)
                return "retrying"

        counts = batch.process(session, events, shops, one_by_one)
        session.commit()
    except DBAPIError as exc:
        session.rollback()
        if not ids:
            raise
        # The batch as a whole failed (a deadlock with another worker, the database going away): none
        # of it was committed. Take its events one at a time, each in its own transaction.
        log.warning("drain batch of %d events failed (%s); processing them one by one", len(ids), exc)
        return _one_by_one(ids)
    finally:
        session.close()
    for effect in effects:
        effect()
    _schedule_retries(retry)
    return counts


def _is_lock_conflict(exc: Exception) -> bool:
    return getattr(getattr(exc, "orig", None), "sqlstate", None) in LOCK_CONFLICTS


def _call_for_help() -> None:
    # A full batch means a backlog: ring, so an idle worker starts a drain beside this one (without
    # Redis, this drain carries on alone).
    with contextlib.suppress(redis.RedisError):
        bell.ring()


def _record_first_failure(event: WebhookEvent, exc: Exception) -> None:
    event.attempts = 1
    event.error = f"{type(exc).__name__}: {exc}"[:2000]
    log.warning("webhook event %s (%s) attempt failed: %s", event.id, event.topic, event.error)


def _schedule_retries(event_ids: list[int]) -> None:
    if not event_ids:
        return
    try:
        queue = queues.get_queue(queues.WEBHOOKS)
        for event_id in event_ids:
            queue.enqueue_in(FIRST_RETRY_DELAY, PROCESS_JOB, event_id, job_id=job_id_for(event_id),
                             retry=LATER_RETRIES, job_timeout=600, result_ttl=3600, failure_ttl=7 * 24 * 3600)
    except redis.RedisError as exc:  # the events stay `received` with attempts = 1: the relay queues them
        log.warning("retries of %d webhook event(s) not scheduled (Redis: %s)", len(event_ids), exc)


def _one_by_one(event_ids: list[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for event_id in event_ids:
        try:
            outcome = process_event(event_id)
        except DBAPIError:
            raise  # the database itself is failing: let the job fail; the relay drains again later
        except Exception:  # recorded on the event's row; its retry is scheduled below
            outcome = "retrying"
            _schedule_retries([event_id])
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
