import threading

from rq import Queue

from app import queue as queues
from app.extensions import redis_handle
from worker.schedule import SCHEDULE, PeriodicJob, tick


def test_periodic_job_ids_are_unique_and_stable():
    ids = [job.id for job in SCHEDULE]
    assert len(ids) == len(set(ids))
    assert all(job.every_seconds >= 10 for job in SCHEDULE)


def test_every_periodic_job_points_at_a_real_function():
    import importlib

    for job in SCHEDULE:
        module, _, name = job.func.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), job.func


def test_two_schedulers_ticking_at_once_enqueue_each_job_once(app):
    schedule = (PeriodicJob("probe", "app.extensions.Database", 60, queues.DEFAULT),)
    results: list[list[str]] = []
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        results.append(tick(schedule))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r) for r in results) == [0, 0, 0, 1]
    assert Queue(queues.DEFAULT, connection=redis_handle.conn).count == 1
    # A redeploy (a fresh tick within the period) schedules nothing more.
    assert tick(schedule) == []
    assert Queue(queues.DEFAULT, connection=redis_handle.conn).count == 1
