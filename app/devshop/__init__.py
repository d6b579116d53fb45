"""Local Shopify simulator: the parts of Shopify the app talks to, over real HTTP.

`create_simulator()` returns a WSGI app that serves, below `/{shop}.myshopify.com/admin/`, the OAuth
token endpoint (token exchange and refresh) and the Admin GraphQL API. The app reaches it only through
SHOPIFY_ADMIN_BASE_URL, exactly as it reaches a real shop.
"""

from __future__ import annotations

from flask import Flask

from app.devshop.state import DevShopState


def create_simulator(state: DevShopState) -> Flask:
    sim = Flask(__name__)
    sim.config["DEVSHOP_STATE"] = state
    sim.extensions["devshop_state"] = state
    from app.devshop import blueprints

    blueprints.register(sim)
    return sim
