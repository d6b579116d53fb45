"""A sender in its own process (`python -m tests.recovery.sender_process SHOP_ID`), so a test can kill it."""

from __future__ import annotations

import os
import sys

from app import create_app
from tests.conftest import make_config
from worker.jobs.recovery import send_due

if __name__ == "__main__":
    create_app(make_config(smtp_url=os.environ["SMTP_URL"]))
    send_due(int(sys.argv[1]))
