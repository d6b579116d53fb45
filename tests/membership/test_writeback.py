"""Tier write-back to Shopify (the simulator, over HTTP): the tier tag replaces older tier tags, the app-owned
metafield says where the member stands, flags clear only for what was written, and a customer Shopify no
longer has does not hold back the others."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from app.devshop import catalog
from app.extensions import db
from app.membership import service, writeback
from app.models import Customer, Membership, Shop, ShopStatus, SpendEntry, utcnow
from app.shopify.admin_api import AdminClient
from tests.conftest import make_config
from tests.shopify.test_graphql_schema import admin_schema as admin_schema  # noqa: F401 (fixture)
from tests.support.tokens import sim_token_columns
from worker.jobs.membership import write_back_all, write_back_members


@pytest.fixture
def config(migrated_database, redis_url, simulator):
    return make_config(shopify_admin_base_url=simulator)


@pytest.fixture
def world(app, config, sim_state):
    sim = catalog.seed_shop(sim_state, orders=0, customers=30, checkouts=0)
    customers = sorted(sim.data["customers"])
    catalog.modify(sim, "customers", customers[0], tags=["vip", "flexchain-tier-bronze"])
    with db.session() as s:
        shop = Shop(domain=sim.domain, status=ShopStatus.INSTALLED, currency="EUR",
                    **sim_token_columns(config, sim_state, sim.domain))
        s.add(shop)
        s.flush()
        s.add(Customer(shop_id=shop.id, shopify_id=customers[0], tags="vip, flexchain-tier-bronze"))
        # Spend: 2,500 (Gold), 600 (Silver), then 100 each (Bronze), as paid orders in the ledger.
        for n, customer_id in enumerate(customers):
            amount = Decimal(2500 if n == 0 else 600 if n == 1 else 100)
            s.add(SpendEntry(shop_id=shop.id, kind="paid", source_id=1000 + n, order_shopify_id=1000 + n,
                             customer_shopify_id=customer_id, amount=amount, currency="EUR", occurred_at=utcnow()))
        s.flush()
        service.recompute_shop(s, shop)
    return {"shop_id": shop.id, "sim": sim, "customers": customers}


def metafield(sim, sim_state, customer_id) -> dict | None:
    namespace = f"app--{sim_state.api_key}"
    found = sim.data["metafields"].get((f"gid://shopify/Customer/{customer_id}", namespace, "membership"))
    return None if found is None else json.loads(found["value"])


def due(shop_id) -> int:
    with db.session(shop_id=shop_id) as s:
        return writeback.remaining(s, shop_id)


def test_every_member_is_written_in_batches_and_flags_clear(app, world, sim_state):
    sim, gold, silver = world["sim"], world["customers"][0], world["customers"][1]
    assert due(world["shop_id"]) == 30
    with app.app_context():
        assert write_back_members(world["shop_id"]) == (30, 0)
    assert due(world["shop_id"]) == 0
    # The old tier tag went, the merchant's own tag stayed.
    assert sorted(sim.data["customers"][gold]["tags"]) == ["flexchain-tier-gold", "vip"]
    assert [t for t in sim.data["customers"][silver]["tags"] if t.startswith("flexchain-")] == [
        "flexchain-tier-silver"]
    assert metafield(sim, sim_state, gold) == {
        "tier": "Gold", "tier_slug": "gold", "since": metafield(sim, sim_state, gold)["since"],
        "trailing_spend": "2500.00", "currency": "EUR", "next_tier": None, "to_next_tier": None}
    # Silver at 600 needs "over 2,000": 1,400.01 more.
    assert metafield(sim, sim_state, silver)["to_next_tier"] == "1400.01"
    assert metafield(sim, sim_state, world["customers"][5])["next_tier"] == "Silver"
    # Run again: nothing is due, nothing is written.
    with app.app_context():
        assert write_back_members(world["shop_id"]) == (0, 0)


def test_a_change_during_the_write_keeps_the_member_due(app, world, config):
    shop_id, gold = world["shop_id"], world["customers"][0]
    with db.session(shop_id=shop_id) as s:
        shop = s.get(Shop, shop_id)
        batch = writeback.due_batch(s, shop)
        # A paid order lands between reading the batch and settling it.
        s.execute(update(Membership).where(Membership.customer_shopify_id == gold).values(
            trailing_spend=Decimal(3000), writeback_due=True))
        with app.app_context():
            client = AdminClient.for_shop(shop)
            try:
                assert writeback.write_batch(s, shop, client, batch) == (25, 0)
            finally:
                client.close()
        assert s.scalar(select(Membership.writeback_due).where(Membership.customer_shopify_id == gold)) is True
        assert writeback.remaining(s, shop_id) == 6  # the 5 not in the batch, and the one that changed


def test_a_customer_shopify_no_longer_has_is_marked_and_the_rest_written(app, world, sim_state):
    sim, customers = world["sim"], world["customers"]
    del sim.data["customers"][customers[3]]
    with app.app_context():
        assert write_back_members(world["shop_id"]) == (29, 1)
    with db.session(shop_id=world["shop_id"]) as s:
        row = s.scalars(select(Membership).where(Membership.customer_shopify_id == customers[3])).one()
        assert (row.writeback_due, row.written_tier) == (False, None)
        assert "could not be found" in row.writeback_error
    assert metafield(sim, sim_state, customers[4])["tier"] == "Bronze"


def test_the_sweep_queues_only_shops_with_due_members(app, world):
    with app.app_context():
        assert write_back_all() == 1
        write_back_members(world["shop_id"])
        assert write_back_all() == 0


def test_the_generated_document_is_valid_against_the_admin_schema(admin_schema):
    from graphql import parse, validate

    items = [writeback.Pending(n, 100 + n, "Gold", utcnow(), Decimal(1), "flexchain-tier-gold",
                               ("flexchain-tier-silver",) if n % 2 else (), "{}") for n in range(25)]
    document, variables = writeback.build_document(items)
    assert validate(admin_schema, parse(document)) == []
    assert len(variables["metafields"]) == 25
