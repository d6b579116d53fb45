"""The real worker (`worker.runner.run_worker`: every queue, the periodic scheduler beside it) in a process of
its own, on the test's database and Redis: `python -m tests.faults.worker_process` with DATABASE_URL and
REDIS_URL set (SMTP_URL and SHOPIFY_ADMIN_BASE_URL when the jobs need them, ENCRYPTION_KEY to read the
tokens the test stored). A test can stop its Redis or
its database under it, or SIGKILL it in the middle of a job, and start another.
"""

from __future__ import annotations

import logging
import os

from app import create_app
from tests.conftest import make_config
from worker.runner import run_worker

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    create_app(make_config(database_url=os.environ["DATABASE_URL"], redis_url=os.environ["REDIS_URL"],
                           smtp_url=os.environ.get("SMTP_URL") or None,
                           shopify_admin_base_url=os.environ.get("SHOPIFY_ADMIN_BASE_URL") or None,
                           encryption_keys=(os.environ["ENCRYPTION_KEY"],)))
    run_worker()
