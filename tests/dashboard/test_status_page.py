"""Status: this shop's failed jobs are listed and can be retried (twice is harmless); another shop's cannot."""

from __future__ import annotations

from rq import SimpleWorker

from app import queue as queues
from app.extensions import redis_handle
from tests.dashboard.conftest import OTHER, SHOP, call, document


def test_a_failed_job_is_listed_and_retried_once(admin):
    job = queues.enqueue("builtins.int", "not a number", shop_id=admin.shop_ids[SHOP], retry=None)
    SimpleWorker([queues.get_queue(queues.DEFAULT)], connection=redis_handle.conn).work(burst=True)
    html = document(admin, "/status").text
    assert job.id in html and "ValueError" in html
    assert job.id not in document(admin, "/status", shop=OTHER).text
    assert call(admin, "POST", f"/api/status/jobs/{job.id}/retry", shop=OTHER).status_code == 404
    first = call(admin, "POST", f"/api/status/jobs/{job.id}/retry")
    assert first.status_code == 200 and first.get_json()["requeued"] is True
    assert queues.get_queue(queues.DEFAULT).count == 1
    again = call(admin, "POST", f"/api/status/jobs/{job.id}/retry")
    assert again.get_json()["requeued"] is False
    assert queues.get_queue(queues.DEFAULT).count == 1
    assert call(admin, "POST", "/api/status/jobs/no-such-job/retry").status_code == 404


def test_the_status_page_in_chinese(admin):
    html = document(admin, "/status", locale="zh").text
    assert "任务队列" in html and "首次同步" in html
