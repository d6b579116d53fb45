"""Sync tests: the app points at a running simulator with a seeded shop, installed with real tokens."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Shop, ShopStatus
from app.sync.service import SyncOptions
from tests.conftest import make_config
from tests.support.tokens import sim_token_columns
from tests.sync.simshop import seeded


@pytest.fixture
def config(migrated_database, redis_url, simulator):
    return make_config(shopify_admin_base_url=simulator)


@pytest.fixture
def sim_shop(sim_state):
    return seeded(sim_state)


@pytest.fixture
def shop_id(app, config, sim_state, sim_shop) -> int:
    with db.session() as session:
        shop = Shop(domain=sim_shop.domain, status=ShopStatus.INSTALLED,
                    **sim_token_columns(config, sim_state, sim_shop.domain))
        session.add(shop)
        session.flush()
        return shop.id


@pytest.fixture
def fast() -> SyncOptions:
    return SyncOptions(bulk_wait=30, poll_interval=0.05)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
