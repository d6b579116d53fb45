"""An installed shop reached through the real id-token path, and helpers to call its admin."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from app import create_app
from app.devshop.idtoken import mint_id_token
from app.devshop.state import SimShop
from app.extensions import db
from app.models import Shop
from tests.conftest import API_KEY, API_SECRET, make_config

SHOP = "dash-a.myshopify.com"
OTHER = "dash-b.myshopify.com"


@pytest.fixture
def admin(app, simulator, sim_state):
    sim_state.add_shop(SimShop(domain=SHOP, shopify_id=3001, name="Dash A"))
    sim_state.add_shop(SimShop(domain=OTHER, shopify_id=3002, name="Dash B"))
    flask_app = create_app(make_config(shopify_admin_base_url=simulator))
    flask_app.config["TESTING"] = True
    client = flask_app.test_client()
    ids = {}
    for domain in (SHOP, OTHER):
        assert call(client, "GET", "/api/session", shop=domain).status_code == 200  # installs the shop
        with db.session() as s:
            ids[domain] = s.scalar(select(Shop.id).where(Shop.domain == domain))
    client.shop_ids = ids
    return client


def call(client, method, path, body=None, shop=SHOP, locale=None):
    headers = {"Authorization": f"Bearer {mint_id_token(API_KEY, API_SECRET, shop)}"}
    if locale:
        headers["X-Flexchain-Locale"] = locale
    return client.open(path, method=method, json=body, headers=headers)


def document(client, path, shop=SHOP, **params):
    query = urlencode({"embedded": "1", "shop": shop, "id_token": mint_id_token(API_KEY, API_SECRET, shop), **params})
    sep = "&" if "?" in path else "?"
    return client.get(f"{path}{sep}{query}")
