"""First sync: shop settings → locations → products → inventory → customers → orders → checkouts.

One SyncStep row per step records status, counts, cursor and bulk operation id, and is committed as
the work goes, so a re-run resumes: done steps are skipped, a paginated step continues from its
cursor, a bulk operation already started is re-attached (never started twice), and a bulk result
half ingested continues after the objects already saved. The large sets go through bulk operations.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import islice

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Shop, SyncStatus, SyncStep
from app.shopify import bulk
from app.shopify.admin_api import AdminApiError, AdminClient
from app.shopify.gql_records import primary_locale, shop_record
from app.store import upsert_shop_settings
from app.sync import ingest

log = logging.getLogger(__name__)

STEPS = ("shop", "locations", "products", "inventory", "customers", "orders", "checkouts")
BULK_QUERIES = {"products": "BulkProducts", "inventory": "BulkInventoryLevels", "customers": "BulkCustomers",
                "orders": "BulkOrders"}
ORDER_HISTORY = timedelta(days=365)
CHECKOUT_HISTORY = timedelta(days=30)
COMMIT_EVERY = 200
# Page sizes that keep each query under Shopify's 1000-point single query cost (nested lines are costly).
PAGE_SIZES = {"AbandonedCheckouts": 5, "OrdersUpdatedSince": 5, "Products": 20, "OrderLineItems": 100}
DEFAULT_PAGE_SIZE = 100


def page_size(operation: str) -> int:
    return PAGE_SIZES.get(operation, DEFAULT_PAGE_SIZE)


@dataclass
class SyncOptions:
    bulk_wait: float = 240.0  # how long one run polls a bulk operation before leaving it to the webhook
    poll_interval: float = 0.5
    sleep: Callable[[float], None] = time.sleep
    now: datetime | None = None


def ensure_steps(session: Session, shop_id: int) -> dict[str, SyncStep]:
    existing = {s.step: s for s in session.scalars(select(SyncStep).where(SyncStep.shop_id == shop_id))}
    for name in STEPS:
        if name not in existing:
            existing[name] = SyncStep(shop_id=shop_id, step=name, status=SyncStatus.PENDING, done=0)
            session.add(existing[name])
    session.flush()
    return existing


def run_sync(session: Session, shop: Shop, client: AdminClient, options: SyncOptions | None = None) -> str:
    """Run (or resume) the first sync; "done", or "waiting" while a bulk operation is still running.

    Commits as it goes: a sync takes minutes and its progress must survive a crash.
    """
    options = options or SyncOptions()
    steps = ensure_steps(session, shop.id)
    session.commit()
    for name in STEPS:
        step = steps[name]
        if step.status == SyncStatus.DONE:
            continue
        step.status, step.error = SyncStatus.RUNNING, None
        step.started_at = step.started_at or datetime.now(UTC)
        session.commit()
        try:
            finished = _run_step(session, shop, client, step, options)
        except Exception as exc:
            session.rollback()
            step.status, step.error = SyncStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
            session.commit()
            log.warning("sync step %s of shop %s failed: %s", name, shop.id, exc)
            raise
        if not finished:
            session.commit()
            return "waiting"
        step.status, step.finished_at = SyncStatus.DONE, datetime.now(UTC)
        session.commit()
    return "done"


def _run_step(session: Session, shop: Shop, client: AdminClient, step: SyncStep, options: SyncOptions) -> bool:
    now = options.now or datetime.now(UTC)
    if step.step == "shop":
        record = shop_record(client.execute("ShopSettings")["shop"], shop.domain)
        upsert_shop_settings(session, shop, replace(record, primary_locale=_primary_locale(shop, client)))
        step.done = step.total = 1
        return True
    if step.step == "locations":
        _paged(session, shop, client, step, "Locations", "locations", {}, ingest.save_location)
        return True
    if step.step == "checkouts":
        since = (now - CHECKOUT_HISTORY).strftime("%Y-%m-%dT%H:%M:%SZ")
        _paged(session, shop, client, step, "AbandonedCheckouts", "abandonedCheckouts",
               {"query": f"updated_at:>='{since}'"}, ingest.save_checkout)
        return True
    return _bulk_step(session, shop, client, step, options, now)


def _primary_locale(shop: Shop, client: AdminClient) -> str | None:
    """The shop's primary locale (recovery mail falls back to it before English). A separate query because
    `shopLocales` needs `read_locales`: a shop that has not granted it yet still syncs, keeping what we hold."""
    if "read_locales" not in (shop.scopes or "").split(","):
        return None
    try:
        return primary_locale(client.execute("ShopLocales").get("shopLocales"))
    except AdminApiError as exc:
        log.warning("shop %s: no primary locale (%s)", shop.id, exc)
        return None


def _paged(session, shop, client, step, operation, path, variables, save) -> None:
    """Page through a connection, committing each page with its cursor so a re-run continues there."""
    variables = {**variables, "first": page_size(operation), "after": step.cursor}
    keys = path.split(".")
    while True:
        data = client.execute(operation, variables)
        connection = data
        for key in keys:
            connection = connection[key]
        for node in connection["nodes"]:
            save(session, shop.id, node)
        step.done += len(connection["nodes"])
        info = connection["pageInfo"]
        step.cursor = info["endCursor"] or step.cursor
        session.commit()
        if not info["hasNextPage"]:
            step.total = step.done
            return
        variables["after"] = info["endCursor"]


def _bulk_step(session, shop, client, step, options, now) -> bool:
    if step.bulk_operation_id:
        current = bulk.status(client, step.bulk_operation_id)
        if current.status in ("CANCELED", "EXPIRED"):  # nothing to read any more: start over
            step.bulk_operation_id, step.cursor, step.done = None, None, 0
    if not step.bulk_operation_id:
        substitutions = {}
        if step.step == "orders":
            since = (now - ORDER_HISTORY).strftime("%Y-%m-%dT%H:%M:%SZ")
            substitutions["QUERY_FILTER"] = f"created_at:>='{since}'"
        step.bulk_operation_id = bulk.start(client, BULK_QUERIES[step.step], **substitutions)
        step.cursor, step.done, step.total = None, 0, None
        session.commit()  # from here on a re-run re-attaches to this operation
    current = bulk.wait(client, step.bulk_operation_id, timeout=options.bulk_wait, interval=options.poll_interval,
                        sleep=options.sleep)
    if not current.finished:
        return False
    if current.status != "COMPLETED":
        failed_id = step.bulk_operation_id
        step.bulk_operation_id, step.cursor, step.done = None, None, 0
        session.commit()
        log.warning("bulk operation %s for %s ended %s", failed_id, step.step, current.status)
        raise bulk.BulkOperationFailed(current)
    step.total = current.root_object_count
    if current.url:
        _ingest(session, shop, step, current.url)
    return True


def _ingest(session: Session, shop: Shop, step: SyncStep, url: str) -> None:
    """Stream the result; `cursor` counts root objects already saved, so a re-run skips them."""
    save = ingest.BULK_SAVERS[step.step]
    already = int(step.cursor or 0)
    saved = already
    for root in islice(bulk.grouped(bulk.stream_lines(url)), already, None):
        save(session, shop.id, root, shop.currency)
        saved += 1
        if saved % COMMIT_EVERY == 0:
            step.cursor, step.done = str(saved), saved
            session.commit()
    step.cursor, step.done = str(saved), saved


def sync_progress(session: Session, shop_id: int) -> list[dict]:
    """Each step of the first sync in order: step, status, done, total, error, bulk_operation_id."""
    rows = {s.step: s for s in session.scalars(select(SyncStep).where(SyncStep.shop_id == shop_id))}
    steps = []
    for name in STEPS:
        row = rows.get(name)
        steps.append({
            "step": name, "status": row.status if row else SyncStatus.PENDING, "done": row.done if row else 0,
            "total": row.total if row else None, "error": row.error if row else None,
            "bulk_operation_id": row.bulk_operation_id if row else None,
        })
    return steps


def sync_summary(session: Session, shop_id: int) -> dict:
    """The steps plus an overall view for the admin page: complete, failed, fraction done (0..1)."""
    steps = sync_progress(session, shop_id)
    fraction = 0.0
    for s in steps:
        if s["status"] == SyncStatus.DONE:
            fraction += 1
        elif s["total"]:
            fraction += min(1.0, s["done"] / s["total"])
    return {
        "steps": steps,
        "complete": all(s["status"] == SyncStatus.DONE for s in steps),
        "failed": any(s["status"] == SyncStatus.FAILED for s in steps),
        "fraction": round(fraction / len(STEPS), 3),
    }


def on_bulk_operation_finish(session: Session, shop: Shop, bulk_gid: str, status: str) -> bool:
    """bulk_operations/finish: wake the sync that waits for this operation. False when it is not ours."""
    from app import queue

    step = session.scalars(
        select(SyncStep).where(SyncStep.shop_id == shop.id, SyncStep.bulk_operation_id == bulk_gid)
    ).one_or_none()
    if step is None or step.status == SyncStatus.DONE:
        log.info("bulk operation %s of %s (%s) is not awaited by a sync step", bulk_gid, shop.domain, status)
        return False
    if status.upper() != "COMPLETED":
        step.error = f"bulk operation ended {status.lower()}"
    queue.enqueue("worker.jobs.sync.continue_sync", shop.id, queue=queue.SYNC, job_id=queue.sync_job_id(shop.id),
                  shop_id=shop.id)
    return True
