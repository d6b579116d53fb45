"""Group commit: concurrent deliveries share a commit, each answered only with its own outcome."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from shopify_app import verify_webhook_req

from app.devshop.sender import build_payload, encode, webhook_headers
from app.extensions import db
from app.models import utcnow
from app.shopify.webhooks import verify_signature
from app.webhooks.group_commit import GroupCommitter, StoreError
from tests.conftest import make_config
from tests.store.factories import SHOP, events


def row(webhook_id: str, **values) -> dict:
    return {"shop_domain": SHOP, "topic": "orders/paid", "webhook_id": webhook_id, "event_id": None,
            "api_version": "2026-07", "triggered_at": None, "received_at": utcnow(), "body": b"{}",
            "status": "received", "attempts": 0, "error": None, **values}


class SlowFirstCommit(GroupCommitter):
    """Holds the first batch until every other request is waiting, so the rest form one batch."""

    def __init__(self, engine, waiting: int, on_committed=None) -> None:
        super().__init__(engine, on_committed)
        self.batches: list[int] = []
        self._arrived = threading.Semaphore(0)
        self._waiting_for = waiting

    def _commit(self, batch):
        if not self.batches:
            for _ in range(self._waiting_for):
                self._arrived.acquire(timeout=5)
        self.batches.append(len(batch))
        super()._commit(batch)

    def store(self, values, **kw):
        self._arrived.release()
        return super().store(values, **kw)


def test_concurrent_rows_share_one_commit_and_each_gets_its_own_id(app):
    announced: list[list[int]] = []
    committer = SlowFirstCommit(db.engine, waiting=8, on_committed=announced.append)
    with ThreadPoolExecutor(9) as pool:
        ids = list(pool.map(lambda n: committer.store(row(f"wh-{n}")), range(9)))
    assert sorted(committer.batches) == [1, 8]  # the lone first row, then everyone who queued meanwhile
    stored = {e.webhook_id: e.id for e in events()}
    assert ids == [stored[f"wh-{n}"] for n in range(9)]
    assert sorted(i for batch in announced for i in batch) == sorted(ids)


def test_duplicates_in_one_batch_insert_once_and_the_others_hear_duplicate(app):
    committer = SlowFirstCommit(db.engine, waiting=3)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda n: committer.store(row("first" if n == 0 else "same")), range(4)))
    assert len(events()) == 2
    same = results[1:]
    assert results[0] is not None and sum(r is not None for r in same) == 1 and same.count(None) == 2


def test_a_row_the_database_refuses_does_not_refuse_its_neighbours(app):
    committer = SlowFirstCommit(db.engine, waiting=3)
    values = [row("ok-1"), row("bad", topic="x" * 500), row("ok-2"), row("ok-3")]  # topic is varchar(100)

    def store(v):
        try:
            return committer.store(v)
        except StoreError as exc:
            return exc

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(store, values))
    assert isinstance(results[1], StoreError) and not results[1].connection_lost
    assert sorted(e.webhook_id for e in events()) == ["ok-1", "ok-2", "ok-3"]


def test_an_unreachable_database_fails_the_batch_as_connection_lost(app):
    from sqlalchemy import create_engine

    engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    with pytest.raises(StoreError) as caught:
        GroupCommitter(engine).store(row("x"))
    assert caught.value.connection_lost


@pytest.mark.parametrize("case", ["signed", "tampered", "old-secret", "unknown-secret", "unsigned", "empty-sig"])
def test_signature_check_agrees_with_shopifyapp(case):
    config = make_config(shopify_api_secret="current-secret", shopify_old_api_secret="old-secret")
    body = encode(build_payload("orders/paid"))
    secret = {"old-secret": "old-secret", "unknown-secret": "nope", "unsigned": None}.get(case, "current-secret")
    headers = {k.lower(): v for k, v in webhook_headers("orders/paid", SHOP, body, secret).items()}
    if case == "tampered":
        body += b" "
    if case == "empty-sig":
        headers["x-shopify-hmac-sha256"] = ""
    library = verify_webhook_req(
        {"method": "POST", "headers": headers, "url": "", "body": body.decode()},
        {"client_id": "k", "client_secret": "current-secret", "old_client_secret": "old-secret"})
    assert verify_signature(config, headers, body) is bool(library.ok)
    assert verify_signature(config, headers, body) is (case in ("signed", "old-secret"))
