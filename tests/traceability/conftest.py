"""Traceability fixtures: an installed shop (through the simulator, with real tokens) that stocks one product."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from app import create_app
from app.devshop import catalog
from app.devshop.idtoken import mint_id_token
from app.devshop.state import SimShop
from app.extensions import db
from app.models import Product, Shop, Variant
from app.shopify.proxy import sign_proxy_params
from tests.conftest import API_KEY, API_SECRET, make_config

SHOP = "passport-shop.myshopify.com"
OTHER = "other-shop.myshopify.com"
PRODUCT = 4242
GOOD = {"stage": "raw_material", "place": "Biella", "country": "IT", "date": "2026-03-02",
        "latitude": "45.5663", "longitude": "8.0531", "actor": "Lanificio", "footprint_kg": "1.5",
        "certificates": [{"name": "GOTS", "url": "https://example.org/gots"}]}


def admin(client, method, path, body=None, shop=SHOP, **kwargs):
    headers = {"Authorization": f"Bearer {mint_id_token(API_KEY, API_SECRET, shop)}"}
    if body is not None:
        kwargs["json"] = body
    return client.open(path, method=method, headers=headers, **kwargs)


def proxied(path: str, shop: str = SHOP, **params) -> str:
    query = {"shop": shop, "logged_in_customer_id": "", "path_prefix": "/apps/flexchain",
             "timestamp": str(int(time.time())), **params}
    query["signature"] = sign_proxy_params(query, API_SECRET)
    return f"/proxy{path}?{urlencode(query)}"


def _product_in(sim: SimShop, product_id: int, title: str) -> None:
    catalog.put(sim, "products", {"id": product_id, "title": title, "handle": f"p-{product_id}", "tags": []})


@pytest.fixture
def web(app, simulator, sim_state):
    """A test client of an app whose Shopify is the simulator, with SHOP and OTHER installed."""
    flask_app = create_app(make_config(shopify_admin_base_url=simulator))
    flask_app.config["TESTING"] = True
    client = flask_app.test_client()
    ids = {}
    for domain, title in ((SHOP, "Tee <b>{{ shop.name }}</b>"), (OTHER, "Other tee")):
        sim = sim_state.add_shop(SimShop(domain=domain, shopify_id=len(ids) + 1, name=domain.split(".")[0]))
        sim.data = {k: {} for k in (*catalog.KINDS, "levels", "metafields", "metafield_definitions")}
        _product_in(sim, PRODUCT, title)
        assert admin(client, "GET", "/api/session", shop=domain).status_code == 200  # installs the shop
        with db.session() as s:
            shop_id = s.scalar(select(Shop.id).where(Shop.domain == domain))
            product = Product(shop_id=shop_id, shopify_id=PRODUCT, title=title)
            s.add(product)
            s.flush()
            s.add(Variant(shop_id=shop_id, shopify_id=PRODUCT * 10, product_id=product.id))
        ids[domain] = shop_id
    client.shop_ids = ids
    client.sim_state = sim_state
    return client
