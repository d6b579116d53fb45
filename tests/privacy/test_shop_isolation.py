"""Every admin and app-proxy endpoint, called as shop A with shop B's ids: nothing of B is shown or changed.

The endpoints come from the app's own URL map, so a new one is tried without editing this test. Shop B holds
a customer in every table (the privacy seed); its ids fill every path parameter.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from app import create_app
from app.devshop.idtoken import mint_id_token
from app.devshop.sender import deliver
from app.devshop.state import SimShop
from app.extensions import db
from app.models import DataExport, Location, Product, ProvenanceRecord, Shop
from app.models.base import Base
from app.shopify.proxy import sign_proxy_params
from tests.conftest import API_KEY, API_SECRET, make_config
from tests.privacy import seed as s
from tests.support.servers import serve

SHOP_A, SHOP_B = "shop-a.myshopify.com", "acme-store.myshopify.com"
MARKERS = [s.EMAIL.lower(), s.PHONE, s.FIRST, s.LAST, s.ADDRESS1, str(s.CUSTOMER), "b-secret-depot"]
SKIP = {"static", "admin.patch_id_token", "health.healthz", "health.readyz"}


@pytest.fixture
def stores(app, simulator, sim_state):
    sim_state.add_shop(SimShop(domain=SHOP_A, shopify_id=1001, name="Shop A"))
    sim_state.add_shop(SimShop(domain=SHOP_B, shopify_id=1002, name="Shop B"))
    flask_app = create_app(make_config(shopify_admin_base_url=simulator))
    flask_app.config["TESTING"] = True
    client = flask_app.test_client()
    for domain in (SHOP_A, SHOP_B):
        assert admin(client, "GET", "/api/session", domain).status_code == 200  # installs the shop
    with db.session() as session:
        shop_b = session.scalar(select(Shop.id).where(Shop.domain == SHOP_B))
    with serve(flask_app) as url:
        def post(topic, payload, domain=SHOP_B, **kw):
            assert deliver(f"{url}/webhooks", topic, domain, payload, API_SECRET, **kw).status_code == 200
        s.seed(post, shop_b)
    with db.session(shop_id=shop_b) as session:
        session.add(Location(shop_id=shop_b, shopify_id=77, name="b-secret-depot", country_code="CA"))
        product = Product(shop_id=shop_b, shopify_id=88, title="B tee")
        session.add(product)
        session.add(DataExport(shop_id=shop_b, request_id="b1", customer_shopify_id=s.CUSTOMER,
                               payload={"email": s.EMAIL}))
        session.add(ProvenanceRecord(shop_id=shop_b, product_shopify_id=88, seq=1, stage="made", place="b-secret-depot",
                                     occurred_on=s.NOW.date(), content_digest="d" * 64, prev_hash="0" * 64,
                                     record_hash="h" * 64))
    with db.session() as session:
        export_b = session.scalar(select(DataExport.id).where(DataExport.shop_id == shop_b))
    client.ids = {"customer_id": s.CUSTOMER, "export_id": export_b, "location_id": 77, "product_id": 88,
                  "row_id": 1, "lane_id": 1, "job_id": "x", "digest": "d" * 64}
    client.shop_b = shop_b
    return client


def admin(client, method, path, shop, body=None):
    token = mint_id_token(API_KEY, API_SECRET, shop, user_id="5")
    return client.open(path, method=method, json=body, headers={"Authorization": f"Bearer {token}"})


def proxy(client, path, shop, **extra):
    params = {"shop": shop, "logged_in_customer_id": str(s.CUSTOMER), "path_prefix": "/apps/flexchain",
              "timestamp": str(int(time.time())), "variant_id": "2", "product_id": "88", **extra}
    params["signature"] = sign_proxy_params(params, API_SECRET)
    return client.get(f"{path}?{urlencode(params)}")


def snapshot(shop_id: int) -> str:
    """Every row of shop B, as text: any write through A's session would change it."""
    out = []
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            if "shop_id" in table.c:
                rows = session.execute(select(table).where(table.c.shop_id == shop_id).order_by(*table.primary_key))
                out.append((table.name, [tuple(map(str, r)) for r in rows]))
    return json.dumps(out)


BODIES = [None, {}, {"retention_days": 30, "tier": "Gold", "enabled": True, "stage": 1, "email": "a@shop-a.test",
                     "records": [], "name": "x"}]


def test_shop_a_cannot_read_or_write_shop_b_through_any_endpoint(stores):
    before = snapshot(stores.shop_b)
    app = stores.application
    tried = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP or rule.endpoint.startswith(("webhooks", "recovery_links")):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(stores.ids[name])).replace(f"<{name}>", str(stores.ids[name]))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for body in (BODIES if method != "GET" else [None]):
                if rule.endpoint.startswith("proxy"):
                    response = proxy(stores, path, SHOP_A)
                else:
                    response = admin(stores, method, path, SHOP_A, body)
                tried += 1
                # 503 is a deliberate "not available here" (mail not configured); anything else 5xx is a crash.
                assert response.status_code < 500 or response.status_code == 503, (method, path)
                text = response.get_data(as_text=True).lower()
                # A proxy request carries B's customer id as its own logged-in shopper: echoing it is no leak.
                markers = MARKERS[:-2] + MARKERS[-1:] if rule.endpoint.startswith("proxy") else MARKERS
                leaked = [m for m in markers if m.lower() in text]
                assert leaked == [], (method, path, leaked)
    assert tried > 40
    assert snapshot(stores.shop_b) == before


def test_the_same_calls_as_shop_b_do_show_its_data(stores):
    """The markers are reachable: the isolation test would see a leak."""
    member = admin(stores, "GET", f"/membership?customer={s.CUSTOMER}", SHOP_B).get_data(as_text=True)
    assert s.EMAIL.lower() in member.lower()
    assert "b-secret-depot" in admin(stores, "GET", "/api/warehouses", SHOP_B).get_data(as_text=True)
