"""Test fixtures: real PostgreSQL and Redis, a migrated schema, a fresh app and simulator per test.

TEST_DATABASE_URL and TEST_REDIS_URL override the defaults (127.0.0.1:5432 database `test`,
127.0.0.1:6379 database 0). A service that cannot be reached fails the run; it is never skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import redis
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from app import create_app
from app.config import Config
from app.devshop import create_simulator
from app.devshop.state import DevShopState
from app.extensions import db, redis_handle
from app.migrate import upgrade
from app.models import Base
from app.supply.near_cache import near
from tests.support.servers import serve

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
API_KEY = "test-api-key-0001"
API_SECRET = "test-api-secret-0001-with-32-bytes-or-more"
# One key per test run, handed down to the processes tests start (a killed sender, a drain worker), which
# must read the customer fields this process encrypted.
ENCRYPTION_KEY = os.environ.setdefault("FLEXCHAIN_TEST_ENCRYPTION_KEY", Fernet.generate_key().decode())


def make_config(**overrides: object) -> Config:
    base = Config(
        env="test",
        shopify_api_key=API_KEY,
        shopify_api_secret=API_SECRET,
        app_url="http://127.0.0.1:8000",
        database_url=TEST_DATABASE_URL,
        redis_url=TEST_REDIS_URL,
        encryption_keys=(ENCRYPTION_KEY,),
        # Every delivery rings before it is answered; tests/webhooks/test_bell.py covers the window.
        ingest_ring_window=0.0,
    )
    return base.with_overrides(**overrides) if overrides else base


@pytest.fixture(scope="session")
def migrated_database() -> str:
    engine = create_engine(TEST_DATABASE_URL)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:  # a missing service is a failure, never a skip
        pytest.fail(f"PostgreSQL at {TEST_DATABASE_URL} is not reachable: {exc}")
    finally:
        engine.dispose()
    upgrade(TEST_DATABASE_URL)
    return TEST_DATABASE_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        redis.Redis.from_url(TEST_REDIS_URL).ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {TEST_REDIS_URL} is not reachable: {exc}")
    return TEST_REDIS_URL


def _reset(engine) -> None:
    tables = ", ".join(t.name for t in reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def config(migrated_database: str, redis_url: str) -> Config:
    return make_config()


@pytest.fixture
def app(config: Config):
    flask_app = create_app(config)
    flask_app.config["TESTING"] = True
    _reset(db.engine)
    _forget_redis()
    yield flask_app
    _forget_redis()


def _forget_redis() -> None:
    # A FLUSHDB announces nothing: the near cache would keep the previous test's answers for a moment.
    redis_handle.conn.flushdb()
    near.clear()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sim_state() -> DevShopState:
    return DevShopState(API_KEY, API_SECRET, scope="read_products,read_orders")


@pytest.fixture
def simulator(sim_state: DevShopState) -> Iterator[str]:
    """A running simulator; yields its base URL (what SHOPIFY_ADMIN_BASE_URL would be)."""
    with serve(create_simulator(sim_state)) as url:
        yield url
