"""One job function in a process of its own, so a test can SIGKILL it mid-way:
`python -m tests.faults.job_process worker.jobs.privacy.mail_export 1 2` with DATABASE_URL, REDIS_URL,
ENCRYPTION_KEY and SMTP_URL set (integer arguments, as jobs take ids)."""

from __future__ import annotations

import importlib
import os
import sys

from app import create_app
from tests.conftest import make_config

if __name__ == "__main__":
    create_app(make_config(database_url=os.environ["DATABASE_URL"], redis_url=os.environ["REDIS_URL"],
                           smtp_url=os.environ.get("SMTP_URL") or None,
                           encryption_keys=(os.environ["ENCRYPTION_KEY"],)))
    module, _, name = sys.argv[1].rpartition(".")
    getattr(importlib.import_module(module), name)(*(int(a) for a in sys.argv[2:]))
