"""A worker SIGKILLed in the middle of a drain batch: its uncommitted batch leaves no trace, and the events
are processed exactly once afterwards (by the next drain the relay calls for)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.webhooks.relay import relay_pending
from tests.faults.effects import processed_once, tally
from tests.store.factories import make_shop, run_worker
from tests.support import webhook_payloads as payloads

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_killed_mid_batch_leaves_every_event_to_be_processed_once(
        app, post, private_redis, migrated_database, tmp_path):
    make_shop()
    for n in range(1, 21):
        assert post("orders/paid", payloads.order(n), f"o-{n}").status_code == 200
    marker = tmp_path / "stalled"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.drain_process"], cwd=ROOT, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "REDIS_URL": private_redis.url, "STALL_MARKER": str(marker)})
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the worker never wrote the batch"
            time.sleep(0.05)
        # The batch's orders, ledger lines and memberships are written inside its transaction; none visible yet.
        engine = create_engine(migrated_database)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM orders")) == 0
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    # PostgreSQL rolls the dead worker's transaction back once it sees the connection close.
    deadline = time.monotonic() + 15
    with engine.connect() as conn:
        while conn.scalar(text("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                               "WHERE a.datname = current_database() AND l.locktype = 'transactionid' "
                               "AND a.pid <> pg_backend_pid()")):
            assert time.monotonic() < deadline
            time.sleep(0.05)
    engine.dispose()
    assert tally() == {**processed_once(0), "events": {("received", 0): 20}}

    assert relay_pending(min_age_seconds=0) == 20
    run_worker()
    assert tally() == processed_once(20)
