"""A worker SIGKILLed in the middle of a tier write-back, while it waits on Shopify's answer to its third batch
(the gate holds that request before Shopify sees it): the batches already answered stay settled, the one
in flight stays due, and the next worker's write-back, started by the periodic sweep, writes the rest.
Every member's tier tag and metafield reach Shopify exactly once and the write-back outbox ends empty."""

from __future__ import annotations

import signal
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import create_app
from app.devshop import catalog, create_simulator
from app.extensions import db
from app.membership import perks, service, writeback
from app.models import Membership, Shop, ShopStatus, SpendEntry, utcnow
from tests.conftest import _reset, make_config
from tests.faults.admin_gate import AdminGate
from tests.faults.test_redis_outage import wait_for
from tests.support.servers import serve
from tests.support.tokens import sim_token_columns
from worker.jobs.membership import write_back_all

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

MEMBERS = 100  # four batches of 25


def due(shop_id: int) -> int:
    with db.session(shop_id=shop_id) as s:
        return writeback.remaining(s, shop_id)


def seed_members(config, sim_state, sim) -> int:
    customers = sorted(sim.data["customers"])
    with db.session() as s:
        shop = Shop(domain=sim.domain, status=ShopStatus.INSTALLED, currency="EUR",
                    **sim_token_columns(config, sim_state, sim.domain))
        s.add(shop)
        s.flush()
        for n, customer_id in enumerate(customers):  # Gold, Silver and Bronze members
            amount = Decimal(2500 if n % 10 == 0 else 600 if n % 10 == 1 else 100)
            s.add(SpendEntry(shop_id=shop.id, kind="paid", source_id=1000 + n, order_shopify_id=1000 + n,
                             customer_shopify_id=customer_id, amount=amount, currency="EUR", occurred_at=utcnow()))
        s.flush()
        service.recompute_shop(s, shop)
        return shop.id


def test_a_worker_killed_mid_write_back_leaves_every_member_written_once(
        migrated_database, private_redis, sim_state, workers):
    sim = catalog.seed_shop(sim_state, orders=0, customers=MEMBERS, checkouts=0)
    gate = AdminGate(create_simulator(sim_state))
    gate.hold_request("MembershipWriteBack", 3)
    with serve(gate) as sim_url:
        config = make_config(redis_url=private_redis.url, shopify_admin_base_url=sim_url)
        create_app(config)
        _reset(db.engine)
        shop_id = seed_members(config, sim_state, sim)
        assert due(shop_id) == MEMBERS

        # The worker's scheduler sweeps for due members at once and starts the shop's write-back.
        first = workers.start(migrated_database, private_redis.url, SHOPIFY_ADMIN_BASE_URL=sim_url)
        try:
            assert gate.arrived.wait(120), workers.log(first)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            gate.release.set()
        assert due(shop_id) == MEMBERS - 2 * writeback.BATCH  # two batches answered and settled, no more

        second = workers.start(migrated_database, private_redis.url, SHOPIFY_ADMIN_BASE_URL=sim_url)
        workers.wait_ready(second, private_redis.url)
        write_back_all()  # the periodic sweep (every 30 s) finds the shop still due and queues its write-back
        assert wait_for(lambda: due(shop_id) == 0, 90), workers.log(second)

    tags, metafields = gate.writes_per_customer("MembershipWriteBack")
    everyone = {f"gid://shopify/Customer/{c}" for c in sim.data["customers"]}
    assert set(tags) == set(metafields) == everyone
    assert set(tags.values()) == set(metafields.values()) == {1}  # each member written once, none twice
    with db.session(shop_id=shop_id) as s:
        members = s.scalars(select(Membership).where(Membership.shop_id == shop_id)).all()
    assert {m.written_tier for m in members} == {"Gold", "Silver", "Bronze"}
    for m in members:
        assert m.writeback_error is None and m.written_tier == m.tier
        assert perks.tag_for(m.tier) in sim.data["customers"][m.customer_shopify_id]["tags"]
