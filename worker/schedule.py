"""The one list of periodic jobs, with stable ids, and the tick that enqueues them.

Every worker process runs the tick; a Redis `SET NX PX` per job id makes exactly one of them enqueue
each period, so scaling workers out or redeploying never schedules a job twice.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import redis

from app import queue as queues
from app.extensions import redis_handle

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    id: str
    func: str
    every_seconds: int
    queue: str = queues.DEFAULT


SCHEDULE: tuple[PeriodicJob, ...] = (
    # Webhooks stored while Redis was down are handed to the queue once it is back.
    PeriodicJob("relay-webhooks", "worker.jobs.ingest.relay", 30, queues.WEBHOOKS),
    # Shopify says not to rely on webhooks alone: re-read what changed recently and repair.
    PeriodicJob("reconcile-shops", "worker.jobs.sync.reconcile_all", 15 * 60, queues.SYNC),
    # Offer holds stop counting when they expire; this only keeps the table small.
    PeriodicJob("expire-reservations", "worker.jobs.supply.expire_reservations", 10 * 60, queues.DEFAULT),
    # New orders whose routing job was never queued (Redis down at that moment) are routed late, not never.
    PeriodicJob("route-missed-orders", "worker.jobs.supply.route_missed", 5 * 60, queues.DEFAULT),
    # Abandonment detection, then a sender per shop with due recovery mail (the database is the schedule).
    PeriodicJob("recovery-dispatch", "worker.jobs.recovery.dispatch", 30, queues.MAIL),
    # Tier tags and metafields of members whose tier or spend changed go to Shopify in batches.
    PeriodicJob("membership-writeback", "worker.jobs.membership.write_back_all", 30, queues.DEFAULT),
    # Downgrades wait for a review after the grace period; four a day keeps "30 days" within hours.
    PeriodicJob("membership-review", "worker.jobs.membership.review_all", 6 * 3600, queues.DEFAULT),
    # The dashboard reads daily tables; rebuilding the recent weeks keeps them within 15 minutes of the data.
    PeriodicJob("dashboard-refresh", "worker.jobs.dashboard.refresh_all", 15 * 60, queues.DEFAULT),
    # Abandoned-checkout contact data and stored webhook bodies do not outlive each shop's retention period.
    PeriodicJob("privacy-purge", "worker.jobs.privacy.purge_all", 24 * 3600, queues.DEFAULT),
    # Processed webhook bodies are emptied within minutes: what they said is stored (encrypted) in our tables.
    PeriodicJob("privacy-clear-bodies", "worker.jobs.privacy.clear_bodies", 5 * 60, queues.DEFAULT),
)


def _lock_key(job: PeriodicJob) -> str:
    return f"flexchain:periodic:{job.id}"


def tick(schedule: tuple[PeriodicJob, ...] = SCHEDULE) -> list[str]:
    """Enqueue every periodic job whose period has passed; returns the ids this process enqueued."""
    conn = redis_handle.conn
    enqueued = []
    for job in schedule:
        # The key lives for one period: whoever sets it owns this period's run.
        if conn.set(_lock_key(job), "1", nx=True, px=job.every_seconds * 1000):
            queues.enqueue(job.func, queue=job.queue, job_id=f"periodic-{job.id}", retry=None)
            enqueued.append(job.id)
    return enqueued


class SchedulerThread(threading.Thread):
    """Ticks every few seconds until stopped; a Redis outage is logged and waited out."""

    def __init__(self, interval: float = 5.0, rq_scheduler=None) -> None:
        super().__init__(name="flexchain-scheduler", daemon=True)
        self.interval = interval
        self.rq_scheduler = rq_scheduler
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                tick()
                if self.rq_scheduler is not None:
                    self.rq_scheduler.acquire_locks()
                    self.rq_scheduler.enqueue_scheduled_jobs()
            except redis.RedisError as exc:
                log.warning("scheduler: Redis unavailable (%s); retrying", exc)
            # In-process mode also moves due retries, so it ticks every second.
            self.stopped.wait(1.0 if self.rq_scheduler is not None else self.interval)

    def stop(self) -> None:
        self.stopped.set()
