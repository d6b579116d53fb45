"""Shared handles: the database and Redis. Created unbound, bound by create_app() or the worker boot.

A session opened for one shop (`db.session(shop_id=...)`) adds `shop_id = ...` to every ORM query of a
shop-scoped model and refuses to flush a row of another shop, so tenant isolation does not depend on
every query remembering its filter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import redis
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker, with_loader_criteria

from app.models.base import ShopScoped


class TenantViolation(RuntimeError):
    """A shop-bound session was asked to write a row that belongs to another shop."""


class Database:
    def __init__(self) -> None:
        self.engine: Engine | None = None
        self._factory: sessionmaker[Session] | None = None

    def init(self, url: str, **engine_options: object) -> None:
        if self.engine is not None and str(self.engine.url) == url:
            return
        if url.startswith("sqlite"):
            engine_options.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        else:
            engine_options.setdefault("pool_pre_ping", True)
            engine_options.setdefault("pool_size", 10)
            engine_options.setdefault("max_overflow", 10)
            engine_options.setdefault("pool_timeout", 5)
            # A stopped database must fail fast (503, retry later), not hang a request for minutes.
            engine_options.setdefault("connect_args", {"connect_timeout": 3})
        self.engine = create_engine(url, **engine_options)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    def dispose(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
        self.engine = None
        self._factory = None

    def new_session(self, shop_id: int | None = None) -> Session:
        if self._factory is None:
            raise RuntimeError("database is not initialised: call create_app() first")
        session = self._factory()
        if shop_id is not None:
            session.info["shop_id"] = shop_id
        return session

    @contextmanager
    def session(self, shop_id: int | None = None) -> Iterator[Session]:
        """A unit of work: commits when the block ends normally, rolls back on error."""
        session = self.new_session(shop_id)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Session, "do_orm_execute")
def _scope_to_shop(state: ORMExecuteState) -> None:
    shop_id = state.session.info.get("shop_id")
    if shop_id is None or not (state.is_select or state.is_update or state.is_delete):
        return
    state.statement = state.statement.options(
        with_loader_criteria(ShopScoped, lambda cls: cls.shop_id == shop_id, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _guard_tenant(session: Session, _context, _instances) -> None:
    shop_id = session.info.get("shop_id")
    if shop_id is None:
        return
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, ShopScoped):
            if obj.shop_id is None and obj in session.new:
                obj.shop_id = shop_id
            elif obj.shop_id != shop_id:
                raise TenantViolation(f"{type(obj).__name__} of shop {obj.shop_id} in a session for shop {shop_id}")


_AFTER_COMMIT = "flexchain_after_commit"


def after_commit(session: Session, fn: Callable[[], None]) -> None:
    """Run `fn` once the session's transaction commits: effects (cache bumps, enqueues) must never precede
    the data they announce, and must not happen at all when the transaction rolls back."""
    pending = session.info.get(_AFTER_COMMIT)
    if pending is None:
        pending = session.info[_AFTER_COMMIT] = []

        def run(_session: Session) -> None:
            for callback in session.info.pop(_AFTER_COMMIT, []):
                callback()

        event.listen(session, "after_commit", run, once=True)
    pending.append(fn)


class RedisHandle:
    """One Redis client per process. In dev without REDIS_URL, an in-process fakeredis server."""

    def __init__(self) -> None:
        self.client: redis.Redis | None = None
        self.in_process = False

    def init(self, url: str | None) -> None:
        if url:
            # Short timeouts: when Redis is down the webhook edge must fall back to the relay quickly.
            self.client = redis.Redis.from_url(
                url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=30
            )
            self.in_process = False
        else:
            import fakeredis

            self.client = fakeredis.FakeRedis(server=_fake_server())
            self.in_process = True

    @property
    def conn(self) -> redis.Redis:
        if self.client is None:
            raise RuntimeError("Redis is not initialised: call create_app() first")
        return self.client


_FAKE_SERVER = None


def _fake_server():
    global _FAKE_SERVER
    if _FAKE_SERVER is None:
        import fakeredis

        _FAKE_SERVER = fakeredis.FakeServer()
    return _FAKE_SERVER


db = Database()
redis_handle = RedisHandle()
