"""Group commit: concurrent requests of one web process share one INSERT and one COMMIT.

A commit waits for the write-ahead log to reach the disk (about 2 ms here); one per webhook caps a
process at a few hundred deliveries a second, whatever the CPU. Instead, the first request thread to
arrive while no commit is running becomes the leader: it takes every row waiting at that moment
(its own included), stores them in one `INSERT ... ON CONFLICT DO NOTHING` and one commit, and wakes
the others. Rows that arrive meanwhile wait for the next leader. There is no timer: a lone request is
committed at once, and batches grow only with concurrency (gunicorn's threaded workers).

Each request is still answered only after its own row is durable. A batch that fails as a whole (the
database is unreachable) fails every request in it (each answers 503); any other error is retried one
row at a time, so one bad row cannot refuse its neighbours. Two deliveries of one webhook in one batch
insert once: the first is "new", the others "duplicate", as if they had arrived one after the other.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.models import WebhookEvent

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (shop domain, webhook id): the unique key of a delivery


@dataclass(eq=False)
class _Slot:
    values: dict[str, Any]
    announce: bool  # a new event the workers must be told about (not one stored as failed or ignored)
    done: bool = False
    event_id: int | None = None  # None: the delivery was already stored
    error: BaseException | None = None
    wake: threading.Event = field(default_factory=threading.Event)

    @property
    def key(self) -> Key:
        return self.values["shop_domain"], self.values["webhook_id"]


class GroupCommitter:
    """One per process and engine. `store(values)` returns the new event id, or None for a duplicate."""

    def __init__(self, engine: Engine, on_committed: Callable[[list[int]], None] | None = None) -> None:
        self.engine = engine
        self.on_committed = on_committed  # called by the leader with the batch's new ids, after its commit
        self._lock = threading.Lock()
        self._waiting: list[_Slot] = []
        self._leader_busy = False
        self._writer = _PsycopgWriter(engine) if engine.dialect.name == "postgresql" else _SqlAlchemyWriter(engine)

    def store(self, values: dict[str, Any], *, announce: bool = True) -> int | None:
        slot = _Slot(values, announce)
        with self._lock:
            self._waiting.append(slot)
        while True:
            with self._lock:
                if slot.done:
                    break
                if self._leader_busy:
                    batch = None
                else:
                    # No commit running, so our row is still waiting: lead, taking every waiting row.
                    self._leader_busy = True
                    batch, self._waiting = self._waiting, []
            if batch is None:
                # A leader is committing; our row is in its batch or waits for the next one.
                slot.wake.wait()
                slot.wake.clear()
                continue
            try:
                self._commit(batch)
            except BaseException as exc:  # never leave a request waiting on a batch that died
                _fail([s for s in batch if not s.done], exc)
                raise
            finally:
                with self._lock:
                    self._leader_busy = False
                    if self._waiting:  # hand the lead on, so the next batch starts at once
                        self._waiting[0].wake.set()
                for other in batch:
                    other.wake.set()
        if slot.error is not None:
            raise slot.error
        return slot.event_id

    def _commit(self, batch: Sequence[_Slot]) -> None:
        first: dict[Key, _Slot] = {}
        for slot in batch:
            first.setdefault(slot.key, slot)
        try:
            ids = self._writer.insert([s.values for s in first.values()])
        except StoreError as exc:
            if exc.connection_lost or len(first) == 1:
                _fail(batch, exc)
                return
            ids = self._one_by_one(first)
        new = []
        for slot in batch:
            owner = first[slot.key]
            if isinstance(ids.get(slot.key), BaseException):
                slot.error = ids[slot.key]
            elif slot is owner:
                slot.event_id = ids.get(slot.key)
                if slot.event_id is not None:
                    new.append(slot)
            slot.done = True
        announced = [s.event_id for s in new if s.announce]
        if announced and self.on_committed is not None:
            try:
                self.on_committed(announced)
            except Exception:  # the rows are stored: the relay announces them later
                log.exception("webhook events %s stored but not announced", announced[:10])

    def _one_by_one(self, first: dict[Key, _Slot]) -> dict[Key, Any]:
        out: dict[Key, Any] = {}
        for key, slot in first.items():
            try:
                out.update(self._writer.insert([slot.values]))
            except StoreError as exc:
                out[key] = exc
        return out


def _fail(batch: Sequence[_Slot], exc: BaseException) -> None:
    for slot in batch:
        slot.error, slot.done = exc, True


class StoreError(Exception):
    """The rows were not stored. `connection_lost`: the database is unreachable (answer 503)."""

    def __init__(self, cause: BaseException, connection_lost: bool) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.connection_lost = connection_lost


COLUMNS = ("shop_domain", "topic", "webhook_id", "event_id", "api_version", "triggered_at", "received_at",
           "body", "status", "attempts", "error")


class _PsycopgWriter:
    """PostgreSQL: one connection of its own in autocommit mode, and one prepared multi-row statement per
    batch size, so a batch is a single round trip (no pool check-out, ping, BEGIN or COMMIT round trips:
    the statement is its own transaction, durable when it returns)."""

    def __init__(self, engine: Engine) -> None:
        self._dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn = None

    @staticmethod
    @lru_cache(maxsize=64)
    def _statement(n: int) -> bytes:
        # Rendered to bytes once per batch size: rendering a composed statement walks every placeholder
        # (about 100 µs a batch, as much as the HMAC and the JSON check together).
        from psycopg import sql

        row = sql.SQL("({})").format(sql.SQL(", ").join(sql.Placeholder() * len(COLUMNS)))
        return sql.SQL(
            "INSERT INTO webhook_events ({columns}) VALUES {rows} "
            "ON CONFLICT (shop_domain, webhook_id) DO NOTHING RETURNING id, shop_domain, webhook_id"
        ).format(columns=sql.SQL(", ").join(map(sql.Identifier, COLUMNS)),
                 rows=sql.SQL(", ").join([row] * n)).as_bytes(None)

    def insert(self, rows: list[dict[str, Any]]) -> dict[Key, int]:
        import psycopg

        params = [row[c] for row in rows for c in COLUMNS]
        try:
            if self._conn is None or self._conn.closed:
                self._conn = psycopg.connect(self._dsn, autocommit=True, connect_timeout=3)
            with self._conn.cursor() as cur:
                cur.execute(self._statement(len(rows)), params, prepare=True, binary=True)
                return {(shop, webhook): event_id for event_id, shop, webhook in cur.fetchall()}
        except psycopg.Error as exc:
            lost = isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError)
            if lost and self._conn is not None:
                self._conn.close()  # reconnect on the next batch
            raise StoreError(exc, connection_lost=lost) from exc


class _SqlAlchemyWriter:
    """Any other database (SQLite in development): the engine's pool, one transaction a batch."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._stmt = (
            sqlite.insert(WebhookEvent)
            .on_conflict_do_nothing(index_elements=["shop_domain", "webhook_id"])
            .returning(WebhookEvent.id, WebhookEvent.shop_domain, WebhookEvent.webhook_id)
        )

    def insert(self, rows: list[dict[str, Any]]) -> dict[Key, int]:
        try:
            with self.engine.begin() as conn:
                result = conn.execute(self._stmt, [{c: row[c] for c in COLUMNS} for row in rows])
                return {(shop, webhook): event_id for event_id, shop, webhook in result}
        except DBAPIError as exc:
            raise StoreError(exc, connection_lost=exc.connection_invalidated or _is_connection_error(exc)) from exc
        except SQLAlchemyError as exc:
            raise StoreError(exc, connection_lost=True) from exc


def _is_connection_error(exc: DBAPIError) -> bool:
    return type(exc.orig).__name__ in ("OperationalError", "InterfaceError")
