"""Set-based processing of a drained batch: orders/paid and checkouts/* events handled many at a time.

Handled one by one, an orders/paid event costs about 28 statements (order, lines, refunds, customer, checkout
link, recovery case, ledger, spend, tier, membership) and a checkouts/update about 10. Here a batch's events
of those topics are grouped by shop and topic and each group is stored with a few statements per table
(app/store/batch.py, app/store/checkouts_batch.py, app/recovery/batch.py, app/membership/batch.py), with the
same outcome as the events one after another in arrival order:

- Arrival order is kept where it can matter. Events that share something (an order id, a customer, an
  email, a checkout or cart token, within one shop) go to successive rounds, each later event one round
  after the last event it shares something with; within a round no two events touch the same rows, so
  their order does not matter. A redelivery, an older version after a newer one, or a second order of one
  customer therefore meets exactly the state it would have met alone.
- Any other topic is a barrier: the events before it are processed, then it alone (the per-event path),
  then the rest. Events that will be ignored (unknown shop, uninstalled shop) or whose payload cannot be
  parsed are marked as the per-event path marks them.
- Two drains never hold the same rows: before a run, its events' orders, customers, checkouts and carts
  are taken as transaction-level advisory locks with `pg_try_advisory_xact_lock`, which never waits. An
  event with a key another drain holds is left untouched for a later batch ("deferred", not attempted),
  and so is every later event sharing a key with it; the rest go ahead. Waiting instead would make two
  drains of one shop take turns for a whole batch, since almost every batch shares a customer with the other.
- Each run of events between barriers is one savepoint. If anything in it fails (a malformed value, a lock
  held by another drain, a row inserted meanwhile), the savepoint is rolled back and its events go through
  the per-event path one at a time, so one bad event is isolated and recorded and the rest are processed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, bindparam, column, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from app.models import EventStatus, Shop, ShopStatus, WebhookEvent
from app.shopify import payloads
from app.shopify.payloads import PayloadError
from app.store.batch import BatchConflict

log = logging.getLogger(__name__)

ORDERS_PAID = "orders/paid"
CHECKOUTS = frozenset({"checkouts/create", "checkouts/update"})
BATCHED = CHECKOUTS | {ORDERS_PAID}

OneByOne = Callable[[WebhookEvent], str]  # the per-event path for one event of the batch; returns its outcome


@dataclass
class _Item:
    event: WebhookEvent
    shop: Shop
    record: Any  # OrderRecord or CheckoutRecord
    round: int = 0


def process(session: Session, events: Sequence[WebhookEvent], shops: dict[str, Shop],
            one_by_one: OneByOne) -> dict[str, int]:
    """Process `events` (arrival order) in the caller's transaction; returns counts by outcome."""
    counts: dict[str, int] = {}
    run: list[_Item] = []
    waiting: set[tuple] = set()  # keys of events left for a later batch: no later event of this one overtakes them

    def count(outcome: str, n: int = 1) -> None:
        counts[outcome] = counts.get(outcome, 0) + n

    def flush() -> None:
        if run:
            for outcome, n in _run(session, run, one_by_one, waiting).items():
                count(outcome, n)
            run.clear()

    postgres = session.get_bind().dialect.name == "postgresql"
    for event in events:
        shop = shops.get(event.shop_domain)
        if not postgres or event.topic not in BATCHED:
            flush()  # a barrier: everything before it first
            count(one_by_one(event))
        elif shop is None or shop.status == ShopStatus.UNINSTALLED:
            count(one_by_one(event))  # ignored without touching anything but its own row: no barrier
        else:
            item = _parse(event, shop)
            if item is None:
                count(EventStatus.FAILED)
            else:
                run.append(item)
    flush()
    return counts


def _parse(event: WebhookEvent, shop: Shop) -> _Item | None:
    from app.webhooks.processing import _finish

    try:
        data = payloads.load_json(event.body)
        record = payloads.parse_order(data) if event.topic == ORDERS_PAID else payloads.parse_checkout(data)
    except PayloadError as exc:  # as the per-event path: retrying will not fix it
        _finish(event, EventStatus.FAILED, f"payload: {exc}")
        log.warning("webhook event %s (%s) failed: %s", event.id, event.topic, exc)
        return None
    return _Item(event, shop, record)


# Which keys of a later event wait for the same value under which keys of an earlier one. Rows an event
# writes (order, customer, checkout, cart) wait for each other; an order's email only for a checkout's (the
# email link works both ways) and two orders with one email link in arrival order within a round
# (app/store/checkouts_batch.py); a guest order's email (whose spend it is) waits for a customer with it.
_WAITS_FOR = {
    "order": ("order",), "customer": ("customer",), "checkout": ("checkout",), "cart": ("cart",),
    "order-email": ("checkout-email",), "checkout-email": ("order-email",),
    "guest-email": ("guest-email", "customer-email"), "customer-email": ("guest-email",),
}


def _email(value: str | None) -> str | None:
    return value.strip().lower() or None if value else None


def _keys(item: _Item) -> set[tuple]:
    """What an event may share with another event (within its shop): the rows it writes and looks for."""
    r = item.record
    if item.event.topic == ORDERS_PAID:
        customer = r.customer.shopify_id if r.customer is not None else None
        keys = {("order", r.shopify_id), ("customer", r.customer_id), ("customer", customer),
                ("checkout", r.checkout_token), ("cart", r.cart_token), ("order-email", _email(r.email)),
                ("customer-email", _email(r.customer.email) if r.customer is not None else None)}
        if r.customer_id is None:
            keys.add(("guest-email", _email(r.email)))
    else:
        keys = {("checkout", r.token), ("cart", r.cart_token), ("checkout-email", _email(r.email))}
    return {(kind, item.shop.id, value) for kind, value in keys if value is not None}


def _rounds(items: list[_Item]) -> list[list[_Item]]:
    """Each event one round after the last earlier event it shares something with (arrival order kept)."""
    last: dict[tuple, int] = {}
    rounds: list[list[_Item]] = []
    for item in items:
        keys = _keys(item)
        item.round = 1 + max((last.get((other, shop, value), -1) for kind, shop, value in keys
                              for other in _WAITS_FOR[kind]), default=-1)
        for key in keys:
            last[key] = max(last.get(key, -1), item.round)
        if item.round == len(rounds):
            rounds.append([])
        rounds[item.round].append(item)
    return rounds


_LOCKED = frozenset({"order", "customer", "checkout", "cart"})  # the keys whose rows two drains could both write


def _lock_key(key: tuple) -> int:
    digest = hashlib.blake2b(repr(("flexchain-batch",) + key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _take_locks(session: Session, items: list[_Item], waiting: set[tuple]) -> tuple[list[_Item], int]:
    """The items whose keys this transaction now holds, in arrival order, and how many were left out (their
    keys are added to `waiting`)."""
    wanted = {item.event.id: {_lock_key(k) for k in _keys(item) if k[0] in _LOCKED} for item in items}
    keys = sorted(set().union(*wanted.values()))
    held = set(session.scalars(select(column("k", BigInteger)).select_from(
        func.unnest(bindparam("keys", keys, type_=ARRAY(BigInteger))).table_valued("k").render_derived(name="keys"))
        .where(func.pg_try_advisory_xact_lock(column("k", BigInteger))))) if keys else set()
    free = []
    for item in items:
        keys = _keys(item)
        if wanted[item.event.id] <= held and not any(
                (other, shop, value) in waiting for kind, shop, value in keys for other in _WAITS_FOR[kind]):
            free.append(item)
        else:
            waiting |= keys
    return free, len(items) - len(free)


def _run(session: Session, items: list[_Item], one_by_one: OneByOne, waiting: set[tuple]) -> dict[str, int]:
    from app.webhooks.processing import _finish

    items, deferred = _take_locks(session, items, waiting)
    counts = {"deferred": deferred} if deferred else {}
    if not items:
        return counts
    try:
        with session.begin_nested():
            for round_items in _rounds(items):
                _round(session, round_items)
    except (BatchConflict, IntegrityError) as exc:  # IntegrityError: a row inserted meanwhile by another drain
        log.info("batch of %d webhook events processed one by one: %s", len(items), _first_line(exc))
        return _one_by_one(items, one_by_one, counts)
    except Exception as exc:
        # Rolled back to the savepoint: nothing of the run is kept. One at a time, each in its own savepoint,
        # the per-event path isolates whatever failed and records it on its event.
        log.warning("batch of %d webhook events fell back to one by one: %s: %s", len(items),
                    type(exc).__name__, _first_line(exc), exc_info=not isinstance(exc, SQLAlchemyError))
        return _one_by_one(items, one_by_one, counts)
    for item in items:
        _finish(item.event, EventStatus.DONE)
    counts[EventStatus.DONE] = len(items)
    return counts


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).split("\n", 1)[0]


def _one_by_one(items: list[_Item], one_by_one: OneByOne, counts: dict[str, int]) -> dict[str, int]:
    for item in items:
        outcome = one_by_one(item.event)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _round(session: Session, items: list[_Item]) -> None:
    from app.membership.batch import on_orders_paid
    from app.recovery.batch import on_checkouts, on_orders
    from app.store.batch import upsert_orders
    from app.store.checkouts_batch import link_orders, upsert_checkouts

    for shop in {item.shop.id: item.shop for item in items}.values():
        mine = [item for item in items if item.shop.id == shop.id]
        checkouts = [item.record for item in mine if item.event.topic in CHECKOUTS]
        orders = [item.record for item in mine if item.event.topic == ORDERS_PAID]
        session.info["shop_id"] = shop.id  # the ORM statements of the rare paths are scoped to this shop
        try:
            if checkouts:
                on_checkouts(session, shop.id, upsert_checkouts(session, shop.id, checkouts))
            if orders:
                stored = upsert_orders(session, shop.id, orders)
                on_orders(session, shop.id, stored, link_orders(session, shop.id, stored))
                on_orders_paid(session, shop, stored)
        finally:
            session.info.pop("shop_id", None)
