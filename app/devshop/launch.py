"""The simulator's stand-in for opening the app from Shopify admin.

Shopify admin loads an embedded app's URL with `shop`, `host`, `embedded=1` and a fresh id token signed
with the app secret; this route does the same for a plain browser, so `flexchain dev` and the browser
tests reach the admin exactly the way Shopify sends merchants there.
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, request

from app.shopify.urls import normalise_shop_domain

bp = Blueprint("devshop_launch", __name__)


@bp.get("/admin/apps/flexchain")
def open_app():
    from app.devshop.idtoken import mint_id_token

    state = current_app.extensions["devshop_state"]
    shop = normalise_shop_domain(request.args.get("shop"))
    if not shop or shop not in state.shops:
        abort(404, "unknown shop")
    path = request.args.get("path", "/")
    if not path.startswith("/") or path.startswith("//"):
        abort(400, "path must be relative")
    host = base64.urlsafe_b64encode(f"admin.shopify.com/store/{shop.removesuffix('.myshopify.com')}".encode())
    query = urlencode({
        "embedded": "1",
        "shop": shop,
        "host": host.decode().rstrip("="),
        "id_token": mint_id_token(state.api_key, state.api_secret, shop),
        # Shopify adds the staff member's language; `?locale=zh-CN` here opens the admin in Chinese.
        **({"locale": request.args["locale"][:16]} if request.args.get("locale") else {}),
    })
    return redirect(f"{state.app_url}{path}?{query}")
