"""Run an RQ worker on Flexchain's queues, with the periodic-job scheduler beside it.

SimpleWorker (no fork per job): forking costs more than our jobs do, and a forked child would inherit
the parent's database connections. A job killed mid-way is found by RQ's abandoned-job cleanup and
retried; our jobs are written to be safe twice.
"""

from __future__ import annotations

from rq import SimpleWorker
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from app import queue as queues
from app.extensions import redis_handle
from worker.schedule import SchedulerThread

# Order is priority: webhook intake first, then domain work, mail, and long syncs last.
WORKER_QUEUES = (queues.WEBHOOKS, queues.DEFAULT, queues.MAIL, queues.SYNC)


class ThreadWorker(SimpleWorker):
    """A worker in a background thread (`flexchain dev`): signals only reach the main thread, so job
    timeouts use a timer instead of SIGALRM."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass


def build_worker(name: str | None = None, *, in_thread: bool = False) -> SimpleWorker:
    cls = ThreadWorker if in_thread else SimpleWorker
    return cls([queues.get_queue(q) for q in WORKER_QUEUES], connection=redis_handle.conn, name=name)


def in_thread_rq_scheduler() -> RQScheduler:
    """RQ's scheduler (retries, enqueue_in) driven from our scheduler thread instead of a forked process:
    an in-process Redis is not shared with a child process."""
    scheduler = RQScheduler(WORKER_QUEUES, connection=redis_handle.conn)
    scheduler._connection = redis_handle.conn  # noqa: SLF001 - keep the in-process server, don't reconnect
    return scheduler


def warm_up() -> None:
    """Load the offline city index before the first job needs it (about 1.7 s), not inside a job's time."""
    from app.supply import geodata

    geodata.city_index()


def run_worker(*, burst: bool = False, with_scheduler: bool = True, name: str | None = None,
               in_thread: bool = False) -> bool:
    warm_up()
    rq_scheduler = in_thread_rq_scheduler() if in_thread else None
    scheduler = SchedulerThread(rq_scheduler=rq_scheduler) if with_scheduler else None
    if scheduler:
        scheduler.start()
    try:
        # Out of process, RQ's own scheduler (a child process) moves retries and enqueue_in jobs to the queues.
        return build_worker(name, in_thread=in_thread).work(burst=burst, with_scheduler=not in_thread)
    finally:
        if scheduler:
            scheduler.stop()
