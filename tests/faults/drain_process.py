"""A webhook worker in its own process, so a test can SIGKILL it in the middle of a drain batch.

`python -m tests.faults.drain_process` with REDIS_URL, STALL_MARKER and STALL_AFTER set: the real
orders/paid handler runs for every event, and after the STALL_AFTER-th one (its writes made, the batch
not committed) the process writes STALL_MARKER and waits to be killed. This is the only test hook: the
batch's claim, savepoints and commit are the real ones.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from rq import SimpleWorker

from app import create_app
from app import queue as queues
from app.extensions import redis_handle
from app.webhooks.handlers import HANDLERS
from tests.conftest import make_config


def stall_after(n: int, marker: Path) -> None:
    real = HANDLERS["orders/paid"]
    calls = 0

    def handler(ctx) -> None:
        nonlocal calls
        real(ctx)
        calls += 1
        if calls == n:
            marker.write_text(str(ctx.event.id))
            time.sleep(600)

    HANDLERS["orders/paid"] = handler


if __name__ == "__main__":
    create_app(make_config(redis_url=os.environ["REDIS_URL"]))
    stall_after(int(os.environ["STALL_AFTER"]), Path(os.environ["STALL_MARKER"]))
    SimpleWorker([queues.get_queue(queues.WEBHOOKS)], connection=redis_handle.conn).work(burst=True)
