"""The simulator's storefront: a theme-like product page that renders the real theme app extension blocks,
and the app proxy (`/apps/flexchain/...`) forwarded to the app signed exactly as Shopify signs it.

Paths live under `/store/<shop>/`, which the blocks see as `routes.root_url` (as a shop's locale prefix
would be), so the blocks' own proxy URLs lead back here. Proxy answers in `application/liquid` are
rendered as Liquid inside the layout, as Shopify does; anything else is passed through. Faults for tests:
`state.faults["storefront_proxy"]` holds "error" (answer 502) or a number of seconds to wait first.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

import httpx
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    render_template,
    request,
    send_from_directory,
)

from app.devshop import liquid_theme
from app.shopify.proxy import sign_proxy_params

CUSTOMER_COOKIE = "fc_dev_customer"  # the dev storefront's stand-in for Shopify's customer session

bp = Blueprint("devshop_storefront", __name__, url_prefix="/store/<shop>", template_folder="templates")
LANGUAGES = ("en", "fr", "de", "es", "it", "ja", "zh-CN")


def _state():
    return current_app.extensions["devshop_state"]


def _shop(domain: str):
    found = _state().shops.get(domain)
    if found is None:
        abort(404, "unknown shop")
    return found


def _root(domain: str) -> str:
    return f"{request.script_root}/store/{domain}"


def _language() -> str:
    wanted = request.args.get("locale", "en")
    return wanted if wanted in LANGUAGES else "en"


def _metafields(sim, product_id: int) -> dict:
    """The product's app-owned passport metafield, as Liquid's `product.metafields['$app']` sees it."""
    namespace = f"app--{_state().api_key}"  # what `$app` resolves to (see Nodes.resolve_namespace)
    found = sim.data.get("metafields", {}).get((f"gid://shopify/Product/{product_id}", namespace, "passport"))
    if not found:
        return {}
    return {"$app": {"passport": {"value": json.loads(found["value"]), "type": found.get("type")}}}


@bp.get("/products/<handle>")
def product_page(shop: str, handle: str):
    sim = _shop(shop)
    product = next((p for p in sim.data["products"].values() if p.get("handle") == handle), None)
    if product is None:
        abort(404, "unknown product")
    variants = [sim.data["variants"][v] for v in product.get("variant_ids", [])]
    wanted = request.args.get("variant", "")
    selected = next((v for v in variants if str(v["id"]) == wanted), variants[0] if variants else None)
    language = _language()
    objects = {
        "product": {"id": product["id"], "title": product["title"], "handle": handle,
                    "selected_or_first_available_variant": selected, "variants": variants,
                    "metafields": _metafields(sim, product["id"])},
        "request": {"locale": {"iso_code": language}, "design_mode": False},
        "routes": {"root_url": _root(shop)},
        "customer": _customer(), "cart": {"item_count": 0, "items": []}, "shop": {"name": sim.name},
    }
    blocks, stylesheets, scripts = [], [], []
    if request.args.get("blocks", "1") != "0":
        asset_base = f"{_root(shop)}/assets"
        for number, name in enumerate(("delivery-promise", "traceability"), start=1):
            html, schema = liquid_theme.render_block(name, objects, language=language, asset_base=asset_base,
                                                     block_id=f"fc{number}")
            blocks.append(html)
            for key, bucket in (("stylesheet", stylesheets), ("javascript", scripts)):
                url = f"{asset_base}/{schema[key]}" if schema.get(key) else None
                if url and url not in bucket:
                    bucket.append(url)
    response = make_response(render_template(
        "storefront/product.html", shop=sim, product=product, variants=variants, selected=selected,
        root=_root(shop), language=language, blocks=blocks, stylesheets=stylesheets, scripts=scripts))
    if request.args.get("customer") is not None:
        # `?customer=ID` logs a shopper in for this browser (empty logs out), as Shopify's session would.
        response.set_cookie(CUSTOMER_COOKIE, request.args["customer"], httponly=True, samesite="Lax")
    return response


def _customer() -> dict | None:
    """The logged-in shopper of the dev storefront: `?customer=ID` on this request, else the cookie."""
    raw = request.args.get("customer", request.cookies.get(CUSTOMER_COOKIE, ""))
    return {"id": int(raw)} if raw.isdigit() else None


@bp.get("/assets/<path:name>")
def extension_asset(shop: str, name: str):
    _shop(shop)
    response = send_from_directory(liquid_theme.EXTENSION_DIR / "assets", name, max_age=3600)
    return response


@bp.route("/apps/flexchain/", defaults={"subpath": ""}, methods=["GET"])
@bp.route("/apps/flexchain/<path:subpath>", methods=["GET"])
def app_proxy(shop: str, subpath: str):
    sim = _shop(shop)
    state = _state()
    fault = state.next_fault("storefront_proxy")
    if fault == "error":
        return Response("Bad gateway", status=502, mimetype="text/plain")
    if isinstance(fault, (int, float)):
        time.sleep(fault)
    query = {k: v for k, v in parse_qs(request.query_string.decode(), keep_blank_values=True).items()
             if k not in ("shop", "timestamp", "signature", "path_prefix", "logged_in_customer_id")}
    customer = _customer()
    query.update(shop=shop, logged_in_customer_id=str(customer["id"]) if customer else "",
                 path_prefix="/apps/flexchain", timestamp=str(int(time.time())))
    query = {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in query.items()}
    query["signature"] = sign_proxy_params(query, state.api_secret)
    upstream = httpx.get(f"{state.app_url}/proxy/{subpath}", params=query, timeout=30)
    kind = upstream.headers.get("content-type", "").split(";")[0]
    if kind == "application/liquid":
        body = liquid_theme.render_liquid(upstream.text, {"shop": {"name": sim.name}, "customer": customer})
        return render_template("storefront/page.html", shop=sim, root=_root(shop), language=_language(),
                               body=body, title="Product passport"), upstream.status_code
    passed = {k: v for k, v in upstream.headers.items()
              if k.lower() in ("content-type", "cache-control", "content-disposition")}
    return Response(upstream.content, status=upstream.status_code, headers=passed)
