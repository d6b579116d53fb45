"""`python -m worker`: boot the app (config, database, Redis) and run a worker with the scheduler."""

from __future__ import annotations

import logging

from app import create_app
from worker.runner import run_worker


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    create_app()
    run_worker()


if __name__ == "__main__":
    main()
