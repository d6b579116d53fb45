"""The `flexchain` command: dev, worker, relay, sync, db."""

from __future__ import annotations

import logging
import sys
import time

import click

from app.config import ConfigError, load_config


def _config():
    try:
        return load_config()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every URL at INFO, id tokens in query strings included.
    logging.getLogger("httpx").setLevel(logging.WARNING)


@click.group()
def main() -> None:
    """Flexchain: supply-chain-aware recovery and membership for Shopify stores."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def dev(host: str, port: int) -> None:
    """Everything in one process: app, simulator, worker and scheduler, with the demo shop installed."""
    from app.devshop.dev_server import run_dev

    _logging()
    run_dev(_config(), host=host, port=port, echo=click.echo)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the app against a real Shopify store (used by `shopify app dev`); no simulator."""
    from werkzeug.serving import run_simple

    from app import create_app
    from app.extensions import redis_handle
    from app.migrate import upgrade

    _logging()
    config = _config()
    upgrade(config.database_url)
    flask_app = create_app(config)
    if redis_handle.in_process:
        from app.devshop.dev_server import start_in_process_worker

        click.echo("REDIS_URL is not set: using an in-process queue, worker and scheduler")
        start_in_process_worker()
    run_simple(host, port, flask_app, threaded=True, use_reloader=False)


@main.command()
@click.option("--burst", is_flag=True, help="Work until the queues are empty, then exit.")
def worker(burst: bool) -> None:
    """Run an RQ worker on every queue, with the periodic-job scheduler."""
    from app import create_app
    from worker.runner import run_worker

    _logging()
    config = _config()
    if not config.redis_url:
        raise click.ClickException("REDIS_URL must be set for a separate worker (flexchain dev runs one in-process)")
    create_app(config)
    run_worker(burst=burst)


@main.command()
@click.option("--limit", default=10_000, show_default=True)
def relay(limit: int) -> None:
    """Enqueue every stored webhook event that never reached the queue (e.g. Redis was down)."""
    from app import create_app
    from app.webhooks.relay import relay_pending

    create_app(_config())
    count = relay_pending(limit=limit, min_age_seconds=0)
    click.echo(f"relayed {count} event(s)")


@main.command()
@click.argument("shop")
@click.option("--wait/--no-wait", default=True, help="Show progress until the sync has finished.")
def sync(shop: str, wait: bool) -> None:
    """Start (or resume) the full sync of SHOP (name.myshopify.com) and show its progress."""
    from sqlalchemy import select

    from app import create_app
    from app.extensions import db, redis_handle
    from app.models import Shop
    from app.queue import SYNC, enqueue, sync_job_id
    from app.shopify.urls import normalise_shop_domain

    domain = normalise_shop_domain(shop if "." in shop else f"{shop}.myshopify.com")
    if not domain:
        raise click.ClickException(f"not a shop domain: {shop!r} (expected name.myshopify.com)")
    create_app(_config())
    with db.session() as session:
        row = session.scalars(select(Shop).where(Shop.domain == domain)).one_or_none()
        if row is None:
            raise click.ClickException(f"{domain} has not installed Flexchain")
        shop_id = row.id
    enqueue("worker.jobs.sync.first_sync", shop_id, queue=SYNC, job_id=sync_job_id(shop_id), shop_id=shop_id)
    click.echo(f"sync of {domain} queued")
    if not wait:
        return
    worker_thread = None
    if redis_handle.in_process:
        # No shared Redis: nobody else will pick the job up, so work it here.
        import threading

        from worker.runner import build_worker

        worker_thread = threading.Thread(target=lambda: build_worker(in_thread=True).work(burst=True), daemon=True)
        worker_thread.start()
    _show_progress(shop_id)


def _show_progress(shop_id: int) -> None:
    from app.extensions import db
    from app.sync.service import sync_progress

    last = ""
    while True:
        with db.session(shop_id=shop_id) as session:
            steps = sync_progress(session, shop_id)
        line = "  ".join(_bar(s) for s in steps)
        if line != last:
            click.echo(line)
            last = line
        if steps and all(s["status"] in ("done", "failed") for s in steps):
            failed = [s for s in steps if s["status"] == "failed"]
            if failed:
                raise click.ClickException("; ".join(f"{s['step']}: {s.get('error')}" for s in failed))
            click.echo("sync complete")
            return
        time.sleep(1)


def _bar(step: dict) -> str:
    total, done = step.get("total"), step.get("done") or 0
    if step["status"] == "done":
        return f"{step['step']} [##########] {done}"
    if total:
        filled = min(10, int(10 * done / total))
        return f"{step['step']} [{'#' * filled}{'.' * (10 - filled)}] {done}/{total}"
    return f"{step['step']} [{step['status']}] {done}"


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    from app.migrate import upgrade

    config = _config()
    upgrade(config.database_url, revision)
    click.echo(f"database at {revision}")


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    from app.migrate import downgrade

    downgrade(_config().database_url, revision)
    click.echo(f"database at {revision}")


@main.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every stored token, signing key and customer field under the first ENCRYPTION_KEY (after
    adding a new key in front), and recompute the blind indexes of emails and phones."""
    from app import create_app
    from app.extensions import db as database
    from app.field_crypto import keys_for
    from app.privacy.field_rotation import rotate_fields
    from app.shopify.tokens import rotate_token_encryption
    from app.traceability.service import rotate_key_encryption

    config = _config()
    create_app(config)
    with database.session() as session:
        count = rotate_token_encryption(session)
        keys = rotate_key_encryption(session, config)
    with database.session() as session:
        fields = rotate_fields(session, keys_for(config))
    click.echo(f"re-encrypted tokens of {count} shop(s), {keys} passport signing key(s) and "
               f"{sum(fields.values())} row(s) of customer fields")


def _register() -> None:
    from app.cli_demo import demo
    from app.cli_membership import membership

    main.add_command(membership)
    main.add_command(demo)


_register()

if __name__ == "__main__":
    sys.exit(main())
