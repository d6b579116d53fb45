"""Storefront requests through the Shopify app proxy (`/apps/<subpath>/...` on the shop's domain)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify

from app.shopify import auth
from app.shopify.proxy import require_proxy_signature

bp = Blueprint("proxy", __name__, url_prefix="/proxy")
bp.record_once(lambda state: auth.init_app(state.app))


@bp.get("/ping")
@require_proxy_signature
def ping():
    response = jsonify(
        ok=True,
        shop=g.proxy.shop_domain,
        logged_in_customer_id=g.proxy.logged_in_customer_id,
        installed=g.proxy.shop_id is not None,
    )
    # Customer-specific: no shared cache may keep it.
    response.headers["Cache-Control"] = "private, no-store"
    return response
