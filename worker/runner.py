"""Run an RQ worker on Flexchain's queues, with the periodic-job scheduler beside it.

SimpleWorker (no fork per job): forking costs more than our jobs do, and a forked child would inherit
the parent's database connections. A job killed mid-way is found by RQ's abandoned-job cleanup and
retried; our jobs are written to be safe twice.

A Redis outage is waited out, however long: RQ's work loop ends on a Redis error met anywhere but in
its wait for the next job (recording a finished job's result, say), so `run_worker` starts a new loop
once Redis answers again. RQ's scheduler (retries, `enqueue_in`) runs in our scheduler thread rather than
in the child process RQ would start, because that child exits on the first Redis error and RQ only looks
at it again in its ten-minute maintenance.
"""

from __future__ import annotations

import logging
import time

import redis
from rq import SimpleWorker
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from app import queue as queues
from app.extensions import redis_handle
from worker.schedule import SchedulerThread

log = logging.getLogger(__name__)

# Order is priority: webhook intake first, then domain work, mail, and long syncs last.
WORKER_QUEUES = (queues.WEBHOOKS, queues.DEFAULT, queues.MAIL, queues.SYNC)


class Worker(SimpleWorker):
    # RQ's wait between reconnect attempts doubles up to a minute, so a worker could sit idle that long
    # after Redis is back; an attempt costs one refused connection, so try every few seconds instead.
    max_connection_wait_time = 5.0


class ThreadWorker(Worker):
    """A worker in a background thread (`flexchain dev`): signals only reach the main thread, so job
    timeouts use a timer instead of SIGALRM."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass


def build_worker(name: str | None = None, *, in_thread: bool = False) -> SimpleWorker:
    cls = ThreadWorker if in_thread else Worker
    return cls([queues.get_queue(q) for q in WORKER_QUEUES], connection=redis_handle.conn, name=name)


def in_thread_rq_scheduler() -> RQScheduler:
    """RQ's scheduler (retries, enqueue_in) driven from our scheduler thread instead of a forked process:
    it waits out a Redis outage with the thread, and an in-process Redis is not shared with a child."""
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
    scheduler = SchedulerThread(rq_scheduler=in_thread_rq_scheduler()) if with_scheduler else None
    if scheduler:
        scheduler.start()
    try:
        while True:
            try:
                # In burst mode RQ moves due scheduled jobs once, in this process, before it starts.
                return build_worker(name, in_thread=in_thread).work(
                    burst=burst, with_scheduler=burst and with_scheduler and not in_thread)
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                # The loop ended on a Redis error (its teardown met it too): the job it ran is recorded or
                # left to RQ's abandoned-job cleanup, so a new loop is safe. It takes a new name: the old
                # one may still be registered if Redis kept its data.
                log.warning("worker: Redis unavailable (%s); starting again once it answers", exc)
                name = None
                wait_for_redis()
    finally:
        if scheduler:
            scheduler.stop()


def wait_for_redis(interval: float = 2.0) -> None:
    while True:
        try:
            redis_handle.conn.ping()
            return
        except redis.RedisError:
            time.sleep(interval)
