"""A worker SIGKILLed in the middle of the first sync's bulk import: the customers' result file is held
part-way (the gate sends its first lines, then nothing), the worker is killed once it has committed its
first slice of them, and the job RQ retries once the dead run's time is up resumes the same bulk operation
after the customers already saved. Every customer ends stored exactly once; no bulk operation runs twice."""

from __future__ import annotations

import signal
import time

import pytest
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select

from app import create_app
from app import queue as queues
from app.devshop import catalog, create_simulator
from app.extensions import db
from app.models import Customer, Shop, ShopStatus, SyncStatus, SyncStep
from app.sync import service
from tests.conftest import _reset, make_config
from tests.faults.admin_gate import AdminGate
from tests.faults.test_redis_outage import wait_for
from tests.support.servers import serve
from tests.support.tokens import sim_token_columns

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

CUSTOMERS = 500
HELD_AFTER = 300  # result lines sent before the file stops coming: one commit (every 200) made, not two


def customers_step(shop_id: int) -> SyncStep:
    with db.session(shop_id=shop_id) as s:
        return s.scalars(select(SyncStep).where(SyncStep.shop_id == shop_id, SyncStep.step == "customers")).one()


def stored_customers(shop_id: int) -> tuple[int, int]:
    with db.session(shop_id=shop_id) as s:
        return s.execute(select(func.count(Customer.id), func.count(func.distinct(Customer.shopify_id)))
                         .where(Customer.shop_id == shop_id)).one()


def sync_done(shop_id: int) -> bool:
    with db.session(shop_id=shop_id) as s:
        return service.sync_summary(s, shop_id)["complete"]


def test_a_worker_killed_mid_bulk_import_resumes_and_stores_every_row_once(
        migrated_database, private_redis, sim_state, workers):
    sim = catalog.seed_shop(sim_state, orders=0, customers=CUSTOMERS, checkouts=0)
    gate = AdminGate(create_simulator(sim_state))
    gate.hold_request("bulk-file", 3, after_lines=HELD_AFTER)  # products, inventory, then customers
    with serve(gate) as sim_url:
        config = make_config(redis_url=private_redis.url, shopify_admin_base_url=sim_url)
        create_app(config)
        _reset(db.engine)
        with db.session() as s:
            shop = Shop(domain=sim.domain, status=ShopStatus.INSTALLED, **sim_token_columns(config, sim_state,
                                                                                             sim.domain))
            s.add(shop)
            s.commit()
            shop_id = shop.id
        first = workers.start(migrated_database, private_redis.url, SHOPIFY_ADMIN_BASE_URL=sim_url)
        # As the install queues it.
        queues.enqueue("worker.jobs.sync.first_sync", shop_id, queue=queues.SYNC, job_id=queues.sync_job_id(shop_id),
                       shop_id=shop_id)
        try:
            assert gate.arrived.wait(120), workers.log(first)
            assert wait_for(lambda: customers_step(shop_id).cursor == "200", 60), workers.log(first)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            gate.release.set()
        step = customers_step(shop_id)
        assert (step.status, step.cursor, step.done) == (SyncStatus.RUNNING, "200", 200)
        assert stored_customers(shop_id) == (200, 200)  # the slice after the last commit left no trace
        operation = step.bulk_operation_id

        second = workers.start(migrated_database, private_redis.url, SHOPIFY_ADMIN_BASE_URL=sim_url)
        workers.wait_ready(second, private_redis.url)
        # What RQ's maintenance finds once the dead run's time (job timeout + 60 s) is up: an abandoned job,
        # retried under its retry policy.
        registry = StartedJobRegistry(queue=queues.get_queue(queues.SYNC))
        # (Once the new worker's own start-up jobs are through, so that none of them is taken for abandoned.)
        assert wait_for(lambda: registry.get_job_ids() == [queues.sync_job_id(shop_id)], 60)
        registry.cleanup(timestamp=time.time() + 600 + 61)
        assert wait_for(lambda: sync_done(shop_id), 120), workers.log(second)

    step = customers_step(shop_id)
    assert (step.bulk_operation_id, step.done, step.total) == (operation, CUSTOMERS, CUSTOMERS)
    assert stored_customers(shop_id) == (CUSTOMERS, CUSTOMERS)
    with db.session(shop_id=shop_id) as s:
        assert set(s.scalars(select(Customer.shopify_id).where(Customer.shop_id == shop_id))) == set(
            sim.data["customers"])
    # The customers' operation was re-attached, not started again; only its file was read a second time.
    assert len(sim.data["bulk_operations"]) == len(service.BULK_QUERIES)
    assert gate.seen["bulk-file"] == len(service.BULK_QUERIES) + 1
