"""App proxy requests: Shopify's signature over the forwarded query, checked before anything is trusted.

Shopify appends `shop`, `logged_in_customer_id` (empty for anonymous visitors), `path_prefix`,
`timestamp` and `signature`. The check follows shopifyapp's `verify_app_proxy_req` exactly (HMAC with the
current or the old secret, the 90 s window, a repeated `shop` refused) but runs on the query parsed once
here, which the view then reads too: the generic path rebuilt and re-parsed the URL on every storefront
request. We also refuse a repeated `timestamp`, `signature`, `path_prefix` or `logged_in_customer_id`,
because a second value is never Shopify's and would only confuse what the view reads.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from types import MappingProxyType
from urllib.parse import parse_qs

from flask import current_app, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Shop, ShopStatus
from app.shopify.urls import normalise_shop_domain

log = logging.getLogger(__name__)

SHOP_ID_TTL_S = 30.0
SINGLE_VALUED = ("shop", "timestamp", "signature", "hmac", "path_prefix", "logged_in_customer_id")
MAX_CLOCK_SKEW_S = 90  # shopifyapp's replay window, either side of our clock


@dataclass(frozen=True)
class ProxyRequest:
    shop_domain: str
    # None for anonymous visitors; only trustworthy because the signature covered it.
    logged_in_customer_id: int | None
    path_prefix: str | None
    # Our shop row, when the shop has Flexchain installed.
    shop_id: int | None
    # The whole signed query (Shopify's parameters and the storefront's), each name with its values.
    query: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # The query text as received: a key for views that remember what they derive from it.
    raw_query: str = ""


def sign_proxy_params(params: Mapping[str, str | Sequence[str]], secret: str) -> str:
    """Shopify's proxy signature: sorted `key=value` pairs (repeated keys joined with `,`), no separator,
    hex HMAC-SHA256. Used to sign requests in tests and development."""
    parts = []
    for key in sorted(k for k in params if k != "signature"):
        value = params[key]
        parts.append(f"{key}={value if isinstance(value, str) else ','.join(value)}")
    return hmac.new(secret.encode(), "".join(parts).encode(), hashlib.sha256).hexdigest()


def signature_problem(values: Mapping[str, Sequence[str]], secrets: Sequence[str], now: float) -> str | None:
    """Why this parsed proxy query is not Shopify's (shopifyapp's reason codes), or None when it is."""
    problem, stamp = _static_problem(values, tuple(secrets))
    if problem in _BEFORE_CLOCK:
        return problem
    if abs(int(now) - stamp) > MAX_CLOCK_SKEW_S:
        return "timestamp_too_old"
    return problem


# Reasons shopifyapp gives before it looks at the clock; the others come after the replay window check.
_BEFORE_CLOCK = frozenset({"multiple_shop_parameters", "missing_timestamp", "invalid_timestamp"})


def _static_problem(values: Mapping[str, Sequence[str]], secrets: tuple[str, ...]) -> tuple[str | None, int]:
    """Everything but the clock: (reason or None, the signed timestamp)."""
    if len(values.get("shop", ())) > 1:
        return "multiple_shop_parameters", 0
    stamps = values.get("timestamp")
    if not stamps:
        return "missing_timestamp", 0
    try:
        stamp = int(stamps[0])
    except ValueError:
        return "invalid_timestamp", 0
    received = values.get("signature")
    if not received or len(received) != 1:
        return "missing_signature", stamp
    message = "".join(f"{k}={','.join(v)}" for k, v in sorted(values.items()) if k != "signature").encode()
    # Bytes on both sides: compare_digest refuses non-ASCII text, and a forged signature may contain some.
    given = received[0].encode()
    for secret in secrets:
        mac = _keyed(secret).copy()
        mac.update(message)
        if hmac.compare_digest(given, mac.hexdigest().encode()):
            return None, stamp
    return "invalid_signature", stamp


@lru_cache(maxsize=4)
def _keyed(secret: str) -> hmac.HMAC:
    return hmac.new(secret.encode(), digestmod=hashlib.sha256)


@dataclass(frozen=True, slots=True)
class _CheckedQuery:
    values: Mapping[str, tuple[str, ...]]
    problem: str | None  # apart from the clock
    stamp: int
    shop_domain: str | None
    customer: int | None


@lru_cache(maxsize=4096)
def _check_query(raw_query: str, secrets: tuple[str, ...]) -> _CheckedQuery:
    """Parse and check one query text, remembered: the storefront repeats the same signed query (one
    timestamp per second, the same variant and place for every anonymous shopper), and parsing plus the
    HMAC were most of a cached answer's cost. Pure in its arguments; the clock is checked per request."""
    values = MappingProxyType({k: tuple(v) for k, v in parse_qs(raw_query, keep_blank_values=True).items()})
    repeated = [k for k in SINGLE_VALUED if len(values.get(k, ())) > 1]
    if repeated:
        return _CheckedQuery(values, f"repeated {', '.join(repeated)}", 0, None, None)
    problem, stamp = _static_problem(values, secrets)
    if problem is not None:
        return _CheckedQuery(values, problem, stamp, None, None)
    shop_domain = normalise_shop_domain(values.get("shop", ("",))[0])
    if shop_domain is None:
        return _CheckedQuery(values, "signed, without a valid shop", stamp, None, None)
    customer = values.get("logged_in_customer_id", ("",))[0]
    if customer and not (customer.isascii() and customer.isdigit()):
        return _CheckedQuery(values, "signed, with a non-numeric customer id", stamp, None, None)
    return _CheckedQuery(values, None, stamp, shop_domain, int(customer) if customer else None)


def verify_proxy_request(raw_query: str) -> ProxyRequest | None:
    """The verified proxy request, or None (the reason is logged)."""
    config = current_app.config["FLEXCHAIN"]
    secrets = tuple(s for s in (config.shopify_api_secret, config.shopify_old_api_secret) if s)
    checked = _check_query(raw_query, secrets)
    problem = checked.problem
    after_clock = problem is None or problem in ("missing_signature", "invalid_signature")
    if after_clock and abs(int(time.time()) - checked.stamp) > MAX_CLOCK_SKEW_S:
        problem = "timestamp_too_old"
    if problem is not None:
        log.info("app proxy request refused: %s", problem)
        return None
    return ProxyRequest(
        shop_domain=checked.shop_domain,
        logged_in_customer_id=checked.customer,
        path_prefix=checked.values.get("path_prefix", (None,))[0],
        shop_id=installed_shop_id(checked.shop_domain),
        query=checked.values,
        raw_query=raw_query,
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
    """Run the view only for a verified proxy request, with `g.proxy` (ProxyRequest); otherwise answer 401.
    A view that needs the database asks `proxy_session()`, so an answer served from the cache opens none."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        verified = verify_proxy_request(request.query_string.decode("utf-8", "replace"))
        if verified is None:
            response = jsonify(error="invalid app proxy signature")
            response.status_code = 401
            return response
        g.proxy = verified
        return view(*args, **kwargs)

    return wrapper


def proxy_session() -> Session:
    """The session bound to the verified request's shop, opened on first use and closed at teardown
    (`g.db`). Only for installed shops: there is no shop to bind to otherwise."""
    session = g.get("db")
    if session is None:
        if g.proxy.shop_id is None:
            raise RuntimeError("no installed shop to bind a session to")
        session = g.db = db.new_session(shop_id=g.proxy.shop_id)
    return session
