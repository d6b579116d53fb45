"""`flexchain demo`: the cross-border demo store, built through the simulator and signed webhooks."""

from __future__ import annotations

import logging
import time

import click


@click.command()
@click.option("--serve/--no-serve", default=True, help="Keep serving the admin after the build (default), or exit.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--customers", default=2000, show_default=True, type=click.IntRange(50, 20_000))
@click.option("--orders", default=5000, show_default=True, type=click.IntRange(100, 200_000),
              help="Orders over the twelve months.")
def demo(serve: bool, host: str, port: int, customers: int, orders: int) -> None:
    """Build the demo store (warehouses in Shenzhen, Los Angeles and Rotterdam, a year of orders, refunds,
    deliveries and abandoned checkouts), run the workers over it and print the admin URL. Running it again
    gives the same store."""
    from app.cli import _config, _logging
    from app.devshop.demo import build
    from app.devshop.demo_store import Size
    from app.extensions import redis_handle

    _logging()
    # Thousands of webhook posts and worker runs: their per-request lines would bury the progress.
    for noisy in ("rq.worker", "werkzeug", "mail.log", "app.webhooks", "app.shopify.admin_api", "app.sync.service",
                  "app.supply.route_service"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        built = build(_config(), size=Size(customers=customers, orders=orders), host=host,
                      port=port if serve else 0, echo=click.echo)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    sent = ", ".join(f"{topic} {n:,}" for topic, n in sorted(built.delivered.items()))
    # A second build sends the same deliveries again; the app keeps the first of each and ignores the rest.
    click.echo(f"webhooks sent: {sent or 'none'}")
    click.echo(f"recovery messages caught by the demo mail sink: {built.mails:,}")
    if not serve:
        built.close()
        click.echo("demo store built")
        return
    if redis_handle.in_process:
        from app.devshop.dev_server import start_in_process_worker

        start_in_process_worker()
    click.echo(f"Open the demo store's admin: {built.admin_url}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        built.close()
