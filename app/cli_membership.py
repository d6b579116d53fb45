"""`flexchain membership ...`: the backfill (ledger, tiers, write-back) of one shop, with its progress."""

from __future__ import annotations

import click


@click.group()
def membership() -> None:
    """Membership tiers: backfill and recompute."""


@membership.command()
@click.argument("shop")
def backfill(shop: str) -> None:
    """Build SHOP's ledger from its stored order history, recompute every tier and segment, and write them
    to Shopify in rate-limited batches. Interrupt it at any point and run it again: it resumes."""
    from sqlalchemy import select

    from app import create_app
    from app.cli import _config, _logging
    from app.extensions import db
    from app.membership import backfill as run_backfill
    from app.models import Shop, ShopStatus
    from app.shopify.admin_api import AdminClient
    from app.shopify.urls import normalise_shop_domain

    domain = normalise_shop_domain(shop if "." in shop else f"{shop}.myshopify.com")
    if not domain:
        raise click.ClickException(f"not a shop domain: {shop!r} (expected name.myshopify.com)")
    _logging()
    create_app(_config())
    with db.session() as session:
        row = session.scalars(select(Shop).where(Shop.domain == domain)).one_or_none()
        if row is None or row.status != ShopStatus.INSTALLED:
            raise click.ClickException(f"{domain} has not installed Flexchain")
        shop_id = row.id
    client = AdminClient.for_shop(row)
    try:
        with db.session(shop_id=shop_id) as session:
            final = run_backfill.run(session, session.get(Shop, shop_id), client, on_progress=_print)
    except Exception as exc:
        raise click.ClickException(f"backfill stopped ({exc}); run the same command again to resume") from exc
    finally:
        client.close()
    click.echo(f"done: {final.get('members', 0):,} members, {final.get('written', 0):,} written to Shopify, "
               f"{final.get('refused', 0):,} refused by Shopify")


def _print(state: dict) -> None:
    if state.get("state") != "writing":
        click.echo(f"{state['state']}...")
        return
    written, remaining = state.get("written", 0), state.get("remaining", 0)
    total = written + remaining
    filled = 20 if not total else int(20 * written / total)
    click.echo(f"writing [{'#' * filled}{'.' * (20 - filled)}] {written:,}/{total:,}")
