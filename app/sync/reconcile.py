"""Reconciliation: re-read what changed at Shopify lately and repair what a lost webhook missed.

Shopify does not promise delivery of every webhook. Every run re-reads orders, abandoned checkouts,
customers and inventory levels updated since the previous run's start (minus a margin for clock skew
and slow writes) and passes them through the same last-write-wins upserts as the webhooks, so a
record we already hold is left as it is and a missed or stale one is repaired. The high-water mark is
kept in a SyncStep row named "reconcile" and only moves forward when a run completes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Location, Shop, SyncStatus, SyncStep
from app.shopify.admin_api import AdminClient
from app.sync import ingest
from app.sync.service import page_size

log = logging.getLogger(__name__)

MARGIN = timedelta(minutes=15)
# With no previous run and no first sync to start from, look back this far.
DEFAULT_LOOKBACK = timedelta(days=2)
COMMIT_EVERY = 100
MARKER = "reconcile"


def _marker(session: Session, shop_id: int) -> SyncStep:
    step = session.scalars(select(SyncStep).where(SyncStep.shop_id == shop_id, SyncStep.step == MARKER)).one_or_none()
    if step is None:
        step = SyncStep(shop_id=shop_id, step=MARKER, status=SyncStatus.PENDING, done=0)
        session.add(step)
        session.flush()
    return step


def since_for(session: Session, shop_id: int, now: datetime) -> datetime:
    marker = _marker(session, shop_id)
    if marker.cursor:
        return datetime.fromisoformat(marker.cursor) - MARGIN
    # First run: the first sync's order snapshot was taken when its step started.
    orders_step = session.scalars(
        select(SyncStep).where(SyncStep.shop_id == shop_id, SyncStep.step == "orders")
    ).one_or_none()
    if orders_step is not None and orders_step.started_at is not None:
        return orders_step.started_at - MARGIN
    return now - DEFAULT_LOOKBACK


def reconcile_shop(session: Session, shop: Shop, client: AdminClient, *, now: datetime | None = None) -> dict[str, int]:
    """Returns how many objects of each kind were re-read and passed through the upserts."""
    now = now or datetime.now(UTC)
    since = since_for(session, shop.id, now)
    marker = _marker(session, shop.id)
    marker.status, marker.started_at, marker.error = SyncStatus.RUNNING, now, None
    session.commit()
    search = {"query": f"updated_at:>='{since.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}'"}
    counts: dict[str, int] = {}
    try:
        counts["orders"] = _each(session, client, "OrdersUpdatedSince", "orders", search,
                                 lambda n: ingest.save_order(session, shop.id, n, all_lines(client, n)))
        counts["checkouts"] = _each(session, client, "AbandonedCheckouts", "abandonedCheckouts", search,
                                    lambda n: ingest.save_checkout(session, shop.id, n))
        counts["customers"] = _each(session, client, "Customers", "customers", search,
                                    lambda n: ingest.save_customer(session, shop.id, n))
        counts["inventory_levels"] = 0
        location_ids = session.scalars(select(Location.shopify_id).where(Location.shop_id == shop.id,
                                                                         Location.active.is_(True)))
        for location_id in list(location_ids):
            counts["inventory_levels"] += _each(
                session, client, "LocationInventoryLevels", "location.inventoryLevels",
                {**search, "locationId": f"gid://shopify/Location/{location_id}"},
                lambda n: ingest.save_level(session, shop.id, n))
    except Exception as exc:
        session.rollback()
        marker = _marker(session, shop.id)
        marker.status, marker.error = SyncStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        session.commit()
        raise
    marker = _marker(session, shop.id)
    # Next run starts from when this one started: anything changed during it is read again.
    marker.cursor = now.astimezone(UTC).isoformat()
    marker.status, marker.finished_at, marker.done = SyncStatus.DONE, datetime.now(UTC), sum(counts.values())
    session.commit()
    log.info("reconciled shop %s since %s: %s", shop.id, since.isoformat(), counts)
    return counts


def all_lines(client: AdminClient, order: dict) -> list[dict]:
    """Every line of the order: storing only the first page would delete the others from our copy."""
    page = order.get("lineItems") or {}
    lines = list(page.get("nodes") or [])
    info = page.get("pageInfo") or {}
    if info.get("hasNextPage"):
        lines += client.paginate("OrderLineItems", "order.lineItems",
                                 {"id": order["id"], "after": info["endCursor"]}, page_size=page_size("OrderLineItems"))
    return lines


def _each(session: Session, client: AdminClient, operation: str, path: str, variables: dict,
          save: Callable[[dict], None]) -> int:
    count = 0
    for node in client.paginate(operation, path, variables, page_size=page_size(operation)):
        save(node)
        count += 1
        if count % COMMIT_EVERY == 0:
            session.commit()
    session.commit()
    return count
