"""Real jobs against the simulator's Admin API while it fails the way Shopify does: THROTTLED, 429, 5xx, answers
slower than our timeout, an outage of known length, a token expiring mid-job and a refresh token refused.

Each job must finish correctly once the fault clears: every member written and written once (the simulator
counts the write-backs it carried out), every record reconciled, nothing doubled. Timeouts and backoffs are
shortened through the config; the code paths are the production ones.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app import create_app
from app.devshop import catalog
from app.devshop.graphql_api import LeakyBucket
from app.extensions import db
from app.membership import service, shopify_objects, writeback
from app.models import Checkout, Customer, MembershipSettings, Order, Shop, ShopStatus, SpendEntry, SyncStep, utcnow
from app.shopify.admin_api import AdminApiUnavailable, AdminClient
from tests.conftest import _forget_redis, _reset, make_config
from tests.support.tokens import sim_token_columns
from worker.jobs.membership import write_back_members
from worker.jobs.sync import reconcile

TIMEOUT = 3.0
SLOW = {"delay": TIMEOUT + 1.0}  # answered after our client gave up; the simulator still applies it
MEMBERS = 60  # three write-back batches: 25, 25, 10
BATCHES = 3
TIER_TAGS = ("flexchain-tier-bronze", "flexchain-tier-silver", "flexchain-tier-gold")


@pytest.fixture
def config(migrated_database, redis_url, simulator):
    # A 3 s timeout (a loaded test machine can take a second over a batch) and backoffs of 0.05 s doubling
    # to 0.4 s: six attempts span about 1.2 s of waiting.
    return make_config(shopify_admin_base_url=simulator, admin_api_timeout=TIMEOUT, admin_api_max_attempts=6,
                       admin_api_backoff_base=0.05, admin_api_backoff_cap=0.4)


@pytest.fixture
def app(config):
    """The suite's Redis and database, the simulator and the short Admin API budget (replaces the fault
    suite's private-Redis `app`: these tests break Shopify, not Redis)."""
    flask_app = create_app(config)
    flask_app.config["TESTING"] = True
    _reset(db.engine)
    _forget_redis()
    with flask_app.app_context():
        yield flask_app
    _forget_redis()


def install(config, sim_state, sim) -> int:
    # A Plus-sized bucket refill (1,000 points a second) keeps a THROTTLED wait under a second.
    sim.data["bucket"] = LeakyBucket(maximum=2000, restore_rate=1000)
    with db.session() as s:
        shop = Shop(domain=sim.domain, status=ShopStatus.INSTALLED, currency="EUR",
                    **sim_token_columns(config, sim_state, sim.domain))
        s.add(shop)
        s.flush()
        return shop.id


@pytest.fixture
def members(app, config, sim_state):
    """60 members due for write-back (one Gold, one Silver, the rest Bronze), tier segments and discounts
    already in Shopify, so the job's first request is the first batch."""
    sim = catalog.seed_shop(sim_state, orders=0, customers=MEMBERS, checkouts=0)
    customers = sorted(sim.data["customers"])
    shop_id = install(config, sim_state, sim)
    with db.session() as s:
        for n, customer_id in enumerate(customers):
            amount = Decimal(2500 if n == 0 else 600 if n == 1 else 100)
            s.add(SpendEntry(shop_id=shop_id, kind="paid", source_id=1000 + n, order_shopify_id=1000 + n,
                             customer_shopify_id=customer_id, amount=amount, currency="EUR", occurred_at=utcnow()))
        s.flush()
        shop = s.get(Shop, shop_id)
        service.recompute_shop(s, shop)
        client = AdminClient.for_shop(shop)
        try:
            shopify_objects.sync(s, shop, client)
        finally:
            client.close()
    sim_state.calls.clear()
    return {"shop_id": shop_id, "sim": sim, "customers": customers}


def due(shop_id: int) -> int:
    with db.session(shop_id=shop_id) as s:
        return writeback.remaining(s, shop_id)


def writes(sim_state) -> int:
    """Write-back requests the simulator carried out (faulted and throttled ones never reach execution)."""
    return sim_state.calls.get("graphql:MembershipWriteBack", 0)


def assert_every_member_written_once_each(members, sim_state) -> None:
    sim, customers = members["sim"], members["customers"]
    namespace = f"app--{sim_state.api_key}"
    expected = {customers[0]: "gold", customers[1]: "silver"}
    for customer_id in customers:
        tier = expected.get(customer_id, "bronze")
        tags = sim.data["customers"][customer_id]["tags"]
        assert [t for t in tags if t in TIER_TAGS] == [f"flexchain-tier-{tier}"], (customer_id, tags)
        assert len(tags) == len(set(tags))
        value = json.loads(sim.data["metafields"][(f"gid://shopify/Customer/{customer_id}", namespace,
                                                   "membership")]["value"])
        assert value["tier_slug"] == tier
    assert due(members["shop_id"]) == 0


def wait_for_writes(sim_state, count: int) -> None:
    """A late answer (the simulator applies it after our client gave up) lands a moment after the job."""
    deadline = time.monotonic() + SLOW["delay"] + 5
    while writes(sim_state) < count and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize("fault", [
    "THROTTLED", 429, {"status": 429, "retry_after": 0.3}, 500, 502, 503, 504,
], ids=lambda f: str(f.get("retry_after")) if isinstance(f, dict) else str(f))
def test_write_back_rides_out_a_fault_in_its_second_batch(members, sim_state, fault):
    sim_state.faults["graphql"] = [None, fault, fault]
    started = time.monotonic()
    assert write_back_members(members["shop_id"]) == (MEMBERS, 0)
    elapsed = time.monotonic() - started
    key = "graphql:THROTTLED" if fault == "THROTTLED" else f"graphql:fault:{fault.get('status', fault) if isinstance(fault, dict) else fault}"  # noqa: E501
    assert sim_state.calls[key] == 2
    # Each batch carried out exactly once: a refused request was never applied, so resending wrote nothing twice.
    assert writes(sim_state) == BATCHES
    assert_every_member_written_once_each(members, sim_state)
    if isinstance(fault, dict):
        assert elapsed >= 0.6  # Retry-After 0.3 s, twice
    if fault == "THROTTLED":
        # The injected THROTTLED found the bucket spent: the client waited for the refill Shopify reported.
        assert elapsed >= 2 * 250 / 1000


def test_write_back_resends_a_batch_shopify_applied_after_our_timeout_without_doubling(members, sim_state):
    # The second batch is answered after our timeout; the simulator still applies it.
    sim_state.faults["graphql"] = [None, SLOW]
    assert write_back_members(members["shop_id"]) == (MEMBERS, 0)
    wait_for_writes(sim_state, BATCHES + 1)
    # The timed-out batch was resent (tags and metafields are idempotent) and so applied twice: same state.
    assert writes(sim_state) == BATCHES + 1
    assert_every_member_written_once_each(members, sim_state)


def test_write_back_waits_out_an_outage_of_known_length(members, sim_state):
    sim_state.arm_for("graphql", 503, seconds=0.6)
    assert write_back_members(members["shop_id"]) == (MEMBERS, 0)
    assert sim_state.calls["graphql:fault:503"] >= 3
    assert writes(sim_state) == BATCHES
    assert_every_member_written_once_each(members, sim_state)


def test_an_outage_longer_than_the_retries_fails_the_job_and_the_next_run_finishes(members, sim_state):
    sim_state.faults["graphql"] = [None] + [503] * 6
    with pytest.raises(AdminApiUnavailable, match="after 6 attempts"):
        write_back_members(members["shop_id"])
    assert sim_state.calls["graphql:fault:503"] == 6  # bounded: no more than the attempts allowed
    assert due(members["shop_id"]) == MEMBERS - 25  # the first batch is kept
    # RQ retries the job later; by then Shopify is back. Only the members still due are written.
    assert write_back_members(members["shop_id"]) == (MEMBERS - 25, 0)
    assert writes(sim_state) == BATCHES
    assert_every_member_written_once_each(members, sim_state)


def test_a_token_expiring_mid_job_is_refreshed_once_and_the_job_continues(members, sim_state):
    sim_state.faults["graphql"] = [None, "expire_token"]
    assert write_back_members(members["shop_id"]) == (MEMBERS, 0)
    assert sim_state.calls["refresh"] == 1
    assert writes(sim_state) == BATCHES
    assert_every_member_written_once_each(members, sim_state)
    with db.session() as s:
        shop = s.get(Shop, members["shop_id"])
        assert shop.status == ShopStatus.INSTALLED
        assert shop.access_token_expires_at > datetime.now(UTC) + timedelta(minutes=59)


# -- reconciliation ------------------------------------------------------------------------------------


@pytest.fixture
def reconcilable(app, config, sim_state):
    sim = catalog.seed_shop(sim_state, orders=40, customers=130, checkouts=6)
    shop_id = install(config, sim_state, sim)
    with db.session() as s:
        # A previous run long ago: this one re-reads everything the shop has.
        s.add(SyncStep(shop_id=shop_id, step="reconcile", status="done", done=0,
                       cursor=(datetime.now(UTC) - timedelta(days=3 * 365)).isoformat()))
    sim_state.calls.clear()
    return {"shop_id": shop_id, "sim": sim}


def stored_ids(shop_id: int, model) -> list[int]:
    with db.session(shop_id=shop_id) as s:
        return sorted(s.scalars(select(model.shopify_id).where(model.shop_id == shop_id)))


@pytest.mark.parametrize("fault", ["THROTTLED", 429, 500, 503, SLOW, "expire_token"],
                         ids=lambda f: "slow" if isinstance(f, dict) else str(f))
def test_reconciliation_reads_every_record_once_through_a_fault_mid_pagination(reconcilable, sim_state, fault):
    sim, shop_id = reconcilable["sim"], reconcilable["shop_id"]
    # Orders (one page), checkouts (one page), then customers in pages: the fault lands between pages.
    sim_state.faults["graphql"] = [None, None, None, fault]
    counts = reconcile(shop_id)
    assert sim_state.faults["graphql"] == []  # the fault was met
    assert counts["orders"] == len(sim.data["orders"])
    assert counts["customers"] == len(sim.data["customers"])
    assert stored_ids(shop_id, Order) == sorted(sim.data["orders"])
    assert stored_ids(shop_id, Customer) == sorted(sim.data["customers"])
    assert stored_ids(shop_id, Checkout) == sorted(
        c["id"] for c in sim.data["checkouts"].values() if c.get("email") or c.get("phone"))
    with db.session(shop_id=shop_id) as s:
        marker = s.scalars(select(SyncStep).where(SyncStep.shop_id == shop_id, SyncStep.step == "reconcile")).one()
        assert marker.status == "done"
        assert s.scalar(select(func.count()).select_from(Customer).where(Customer.shop_id == shop_id)) == len(
            sim.data["customers"])
    assert sim_state.calls.get("refresh", 0) == (1 if fault == "expire_token" else 0)


# -- a refresh token Shopify refuses -------------------------------------------------------------------


def open_app(app, path: str = "/", locale: str | None = None):
    """The merchant opening a page of the app from the Shopify admin (a fresh id token in the query)."""
    from urllib.parse import urlencode

    from app.devshop.idtoken import mint_id_token
    from tests.conftest import API_KEY, API_SECRET

    shop = catalog.DEMO_DOMAIN
    query = {"shop": shop, "id_token": mint_id_token(API_KEY, API_SECRET, shop)}
    if locale:
        query["locale"] = locale
    with app.app_context():  # a context of its own: `g` (the page's language) is per request, as in production
        return app.test_client().get(f"{path}?{urlencode(query)}")


def test_a_refused_refresh_token_pauses_the_shop_tells_the_merchant_and_reopening_resumes(app, members,
                                                                                          sim_state):
    shop_id = members["shop_id"]
    sim_state.revoke_refresh_tokens(members["sim"].domain)
    sim_state.faults["graphql"] = [None, "expire_token"]  # the token's hour ends after the first batch

    assert write_back_members(shop_id) == "needs_reauth"
    assert sim_state.calls["refresh"] == 1
    assert writes(sim_state) == 1 and due(shop_id) == MEMBERS - 25  # the first batch stays written
    with db.session() as s:
        shop = s.get(Shop, shop_id)
        assert shop.status == ShopStatus.NEEDS_REAUTH
        assert shop.status_reason == "Shopify refused the refresh token (invalid_grant)"
        paused_at = shop.status_changed_at
        assert datetime.now(UTC) - timedelta(minutes=1) < paused_at <= datetime.now(UTC)

    # No retry storm: a retried or swept job neither calls Shopify nor tries another refresh.
    from worker.jobs.membership import write_back_all
    from worker.jobs.sync import reconcile_all

    graphql_before = sim_state.calls["graphql"]
    assert write_back_members(shop_id) == "skipped"
    assert reconcile(shop_id) == "skipped"
    assert write_back_all() == 0 and reconcile_all() == 0
    assert sim_state.calls["graphql"] == graphql_before and sim_state.calls["refresh"] == 1

    # The merchant opens the app while Shopify's token endpoint is down: the pages say why nothing moves.
    sim_state.arm("oauth", 503)
    home = open_app(app, "/")
    assert home.status_code == 200
    page = home.get_data(as_text=True)
    assert 'data-testid="reauth-banner"' in page
    assert "Flexchain needs to be reconnected to your store" in page
    assert "open Flexchain again from Apps in your Shopify admin" in page
    assert "Shopify refused the refresh token (invalid_grant)" in page
    sim_state.arm("oauth", 503)
    status = open_app(app, "/status", locale="zh-CN")
    assert status.status_code == 200
    page = status.get_data(as_text=True)
    assert "Flexchain 需要重新连接到您的店铺" in page
    assert "请在 Shopify 后台的“应用”中再次打开 Flexchain" in page
    assert sim_state.faults["oauth"] == []  # each page load did try to reconnect

    # Shopify is back: opening the app exchanges a fresh id token, which reconnects the shop.
    home = open_app(app, "/")
    assert home.status_code == 200
    assert 'data-testid="reauth-banner"' not in home.get_data(as_text=True)
    assert 'data-testid="reauth-banner"' not in open_app(app, "/status").get_data(as_text=True)
    with db.session() as s:
        shop = s.get(Shop, shop_id)
        assert (shop.status, shop.status_reason) == (ShopStatus.INSTALLED, None)
        assert shop.status_changed_at > paused_at

    # The paused write-back resumes where it stopped: the other 35 members, each once.
    assert write_back_members(shop_id) == (MEMBERS - 25, 0)
    assert writes(sim_state) == BATCHES
    assert_every_member_written_once_each(members, sim_state)


def test_a_segment_create_answered_too_late_is_adopted_on_the_next_run_not_made_twice(app, config, sim_state):
    """Shopify made the tier segment but its answer came after our timeout: the run cannot know, so it
    gives up; the next run finds the name taken and adopts that segment instead of making 'Gold (2)'."""
    sim = catalog.seed_shop(sim_state, orders=0, customers=3, checkouts=0)
    shop_id = install(config, sim_state, sim)
    sim_state.faults["graphql"] = [SLOW]  # the first call of the run: the first tier's SegmentCreate

    def run() -> None:
        with db.session(shop_id=shop_id) as s:
            shop = s.get(Shop, shop_id)
            client = AdminClient.for_shop(shop)
            try:
                shopify_objects.sync(s, shop, client)
            finally:
                client.close()

    with pytest.raises(AdminApiUnavailable):
        run()
    deadline = time.monotonic() + SLOW["delay"] + 5
    while not sim.data["segments"] and time.monotonic() < deadline:
        time.sleep(0.05)  # the late answer is applied a moment after our client gave up
    run()
    names = sorted(seg["name"] for seg in sim.data["segments"].values())
    assert names == ["Flexchain Bronze", "Flexchain Gold", "Flexchain Silver"]
    with db.session(shop_id=shop_id) as s:
        held = s.scalar(select(MembershipSettings.shopify_ids).where(MembershipSettings.shop_id == shop_id))
    assert sorted(held["segments"].values()) == sorted(seg["id"] for seg in sim.data["segments"].values())
