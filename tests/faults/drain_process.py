"""A webhook worker in its own process, so a test can SIGKILL it in the middle of a drain batch.

`python -m tests.faults.drain_process` with REDIS_URL and STALL_MARKER set: the drain's set-based path
(app/webhooks/batch.py) stores the batch's orders/paid events for real, and once their orders, ledger lines
and memberships are written (the batch not committed) the process writes STALL_MARKER and waits to be
killed. This is the only test hook: the batch's claim, savepoints and commit are the real ones.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from rq import SimpleWorker

from app import create_app
from app import queue as queues
from app.extensions import redis_handle
from app.membership import batch
from tests.conftest import make_config


def stall_when_written(marker: Path) -> None:
    real = batch.on_orders_paid

    def on_orders_paid(session, shop, orders, now=None) -> None:
        real(session, shop, orders, now)
        marker.write_text(str(len(orders)))
        time.sleep(600)

    batch.on_orders_paid = on_orders_paid  # the batch path looks it up when it runs


if __name__ == "__main__":
    create_app(make_config(redis_url=os.environ["REDIS_URL"]))
    stall_when_written(Path(os.environ["STALL_MARKER"]))
    SimpleWorker([queues.get_queue(queues.WEBHOOKS)], connection=redis_handle.conn).work(burst=True)
