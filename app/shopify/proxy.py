"""App proxy requests: Shopify's signature over the forwarded query, checked before anything is trusted.

Shopify appends `shop`, `logged_in_customer_id` (empty for anonymous visitors), `path_prefix`,
`timestamp` and `signature`. shopifyapp checks the HMAC (old secret too), the 90 s window and a repeated
`shop`; we also refuse a repeated `timestamp`, `signature`, `path_prefix` or `logged_in_customer_id`,
because a second value is never Shopify's and would only confuse what the view reads.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import wraps
from urllib.parse import parse_qs, quote

from flask import current_app, g, jsonify, request
from sqlalchemy import select

from app.extensions import db
from app.models import Shop, ShopStatus
from app.shopify.tokens import shopify_app
from app.shopify.urls import normalise_shop_domain

log = logging.getLogger(__name__)

SHOP_ID_TTL_S = 30.0
SINGLE_VALUED = ("shop", "timestamp", "signature", "hmac", "path_prefix", "logged_in_customer_id")


@dataclass(frozen=True)
class ProxyRequest:
    shop_domain: str
    # None for anonymous visitors; only trustworthy because the signature covered it.
    logged_in_customer_id: int | None
    path_prefix: str | None
    # Our shop row, when the shop has Flexchain installed.
    shop_id: int | None


def sign_proxy_params(params: Mapping[str, str | Sequence[str]], secret: str) -> str:
    """Shopify's proxy signature: sorted `key=value` pairs (repeated keys joined with `,`), no separator,
    hex HMAC-SHA256. Used to sign requests in tests and development."""
    parts = []
    for key in sorted(k for k in params if k != "signature"):
        value = params[key]
        parts.append(f"{key}={value if isinstance(value, str) else ','.join(value)}")
    return hmac.new(secret.encode(), "".join(parts).encode(), hashlib.sha256).hexdigest()


def verify_proxy_request(url: str, raw_query: str) -> ProxyRequest | None:
    """The verified proxy request, or None (the reason is logged)."""
    values = parse_qs(raw_query, keep_blank_values=True)
    repeated = [k for k in SINGLE_VALUED if len(values.get(k, ())) > 1]
    if repeated:
        log.info("app proxy request refused: repeated %s", ", ".join(repeated))
        return None
    config = current_app.config["FLEXCHAIN"]
    result = shopify_app(config).verify_app_proxy_req({"method": request.method, "headers": {}, "url": url,
                                                        "body": ""})
    if not result.ok:
        log.info("app proxy request refused: %s", result.log.code)
        return None
    shop_domain = normalise_shop_domain(values.get("shop", [""])[0])
    if shop_domain is None:
        log.warning("signed app proxy request without a valid shop")
        return None
    customer = result.logged_in_customer_id or ""
    if customer and not customer.isdigit():
        log.warning("signed app proxy request with a non-numeric customer id")
        return None
    shop_id = installed_shop_id(shop_domain)
    return ProxyRequest(
        shop_domain=shop_domain,
        logged_in_customer_id=int(customer) if customer else None,
        path_prefix=values.get("path_prefix", [None])[0],
        shop_id=shop_id,
    )


def installed_shop_id(shop_domain: str) -> int | None:
    """Our id of an installed shop. Storefront traffic repeats one domain many times a second and this lookup
    was the largest cost of a cached promise, so a found id is kept per app for SHOP_ID_TTL_S: an uninstall
    reaches the proxy within that time (Shopify stops proxying for an uninstalled app, and its data is gone).
    Unknown shops are not remembered, so an install is seen at once."""
    known = current_app.extensions.setdefault("flexchain_proxy_shop_ids", {})
    now = time.monotonic()
    hit = known.get(shop_domain)
    if hit is not None and now - hit[1] < SHOP_ID_TTL_S:
        return hit[0]
    with db.session() as session:
        shop_id = session.scalar(
            select(Shop.id).where(Shop.domain == shop_domain, Shop.status != ShopStatus.UNINSTALLED))
    if shop_id is None:
        known.pop(shop_domain, None)
    else:
        if len(known) >= 10_000:
            known.clear()
        known[shop_domain] = (shop_id, now)
    return shop_id


def require_proxy_signature(view: Callable) -> Callable:
    """Run the view only for a verified proxy request, with `g.proxy` (ProxyRequest) and, when the shop is
    installed, `g.db` bound to it; otherwise answer 401."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        raw_query = request.query_string.decode("utf-8", "replace")
        url = f"{current_app.config['FLEXCHAIN'].app_url}{quote(request.path)}?{raw_query}"
        verified = verify_proxy_request(url, raw_query)
        if verified is None:
            response = jsonify(error="invalid app proxy signature")
            response.status_code = 401
            return response
        g.proxy = verified
        if verified.shop_id is not None:
            g.db = db.new_session(shop_id=verified.shop_id)
        return view(*args, **kwargs)

    return wrapper
