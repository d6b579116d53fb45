"""Run an RQ worker on Flexchain's queues, with the periodic-job scheduler beside it.

SimpleWorker (no fork per job): forking costs more than our jobs do, and a forked child would inherit
the parent's database connections. A job killed mid-way is found by RQ's abandoned-job cleanup and
retried; our jobs are written to be safe twice.
"""

from __future__ import annotations

from rq import SimpleWorker

from app import queue as queues
from app.extensions import redis_handle
from worker.schedule import SchedulerThread

# Order is priority: webhook intake first, then domain work, mail, and long syncs last.
WORKER_QUEUES = (queues.WEBHOOKS, queues.DEFAULT, queues.MAIL, queues.SYNC)


def build_worker(name: str | None = None) -> SimpleWorker:
    return SimpleWorker([queues.get_queue(q) for q in WORKER_QUEUES], connection=redis_handle.conn, name=name)


def run_worker(*, burst: bool = False, with_scheduler: bool = True, name: str | None = None) -> bool:
    scheduler = SchedulerThread() if with_scheduler else None
    if scheduler:
        scheduler.start()
    try:
        # RQ's own scheduler moves retries and enqueue_in jobs from the scheduled registry to the queues.
        return build_worker(name).work(burst=burst, with_scheduler=True)
    finally:
        if scheduler:
            scheduler.stop()
