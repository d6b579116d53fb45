"""Fixtures shared by the privacy tests: compliance webhooks posted over real HTTP, and a shop with an owner."""

from __future__ import annotations

import pytest

from app.devshop.sender import build_payload, deliver
from tests.conftest import API_SECRET
from tests.store.factories import SHOP, make_shop
from tests.support.servers import serve


@pytest.fixture
def post(app):
    """post(topic, payload=None, domain=SHOP, **delivery headers): signed, delivered, answered 200."""
    with serve(app) as url:
        def send(topic, payload=None, domain=SHOP, **kw):
            payload = build_payload(topic, shop_domain=domain) if payload is None else payload
            response = deliver(f"{url}/webhooks/compliance", topic, domain, payload, API_SECRET, **kw)
            assert response.status_code == 200, response.text
        yield send


@pytest.fixture
def shop_id(app):
    return make_shop(email="owner@acme.test")
