"""Storefront requests through the Shopify app proxy (`/apps/<subpath>/...` on the shop's domain)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, g, jsonify

from app.shopify import auth
from app.shopify.proxy import proxy_session, require_proxy_signature
from app.supply import cache, geo, sentences, service
from app.supply.near_cache import near
from app.supply.tiers import customer_tier
from app.supply.types import Destination

MAX_QUANTITY = 999
BROWSER_MAX_AGE_S = 30

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


class BadParams(ValueError):
    """A storefront parameter we cannot use; the message is safe to show (it never repeats the input)."""


@dataclass(frozen=True, slots=True)
class PromiseParams:
    variant_id: int
    quantity: int
    destination: Destination | None
    locale: str | None


_POSTAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]{0,15}$")
_MAX_ID = 2**63 - 1
_FIELDS = ("variant_id", "quantity", "country", "postal_code", "region", "city", "locale")


def parse_promise_params(query: Mapping[str, Sequence[str]]) -> PromiseParams:
    """From the signed query (each name with all its values)."""
    args: dict[str, str] = {}
    for name in _FIELDS:
        values = query.get(name, ())
        if len(values) > 1:
            raise BadParams(f"{name} must be given once")
        if values:
            args[name] = values[0]
    variant_id = _int(args.get("variant_id"), "variant_id", 1, _MAX_ID, required=True)
    quantity = _int(args.get("quantity"), "quantity", 1, MAX_QUANTITY) or 1
    country_raw = _text(args.get("country"), "country", 64)
    postal = _text(args.get("postal_code"), "postal_code", 16)
    region = _text(args.get("region"), "region", 64)
    city = _text(args.get("city"), "city", 100)
    if postal is not None and not _POSTAL.match(postal):
        raise BadParams("postal_code must be letters, digits, spaces or dashes")
    destination = None
    if country_raw is not None:
        country = geo.normalise_country(country_raw)
        if country is None:
            raise BadParams("country must be an ISO 3166 country code")
        destination = Destination(country=country, region=region, city=city, postal_code=postal)
    elif postal or region or city:
        raise BadParams("country is required with postal_code, region or city")
    locale = args.get("locale") or None
    return PromiseParams(variant_id, quantity, destination, locale if locale and len(locale) <= 35 else None)


@dataclass(frozen=True, slots=True)
class _Parsed:
    params: PromiseParams
    bucket: str  # the cache's destination bucket for this place (app.supply.cache.bucket)


_parsed_memo: dict[str, _Parsed | BadParams] = {}


def _parsed(raw_query: str, query: Mapping[str, Sequence[str]]) -> _Parsed | BadParams:
    """parse_promise_params and the place's bucket, remembered per query text: storefronts repeat the same
    signed query many times a second. Bounded by clearing, which costs one re-parse per distinct query."""
    found = _parsed_memo.get(raw_query)
    if found is None:
        try:
            params = parse_promise_params(query)
            place = service.resolve(params.destination) if params.destination is not None else None
            found = _Parsed(params, cache.bucket(place))
        except BadParams as exc:
            found = exc
        if len(_parsed_memo) >= 4096:
            _parsed_memo.clear()
        _parsed_memo[raw_query] = found
    return found


# Rendered bodies by (cache key, locale, countdown seconds): every shopper asking the same thing in the same
# second reads the same bytes. The answer object is kept beside the body, so a new answer is never served
# an old body; the memo is emptied whenever it grows past a second's worth of distinct answers.
_bodies: dict[tuple, tuple] = {}


def _body(key: str, locale: str | None, answer: cache.Answer, now_ts: float) -> tuple[str, int]:
    seconds = None if answer.cutoff_at is None else max(0, int(answer.cutoff_at - now_ts))
    memo_key = (key, locale, seconds)
    found = _bodies.get(memo_key)
    if found is not None and found[0] is answer:
        return found[1], found[2]
    body = sentences.render_json(answer, locale, now_ts)
    # The countdown ticks and the answer may carry the customer's tier: browsers only, and briefly.
    max_age = BROWSER_MAX_AGE_S if seconds is None else min(BROWSER_MAX_AGE_S, seconds)
    if len(_bodies) >= 2048:
        _bodies.clear()
    _bodies[memo_key] = (answer, body, max_age)
    return body, max_age


def _int(raw: str | None, name: str, low: int, high: int, *, required: bool = False) -> int | None:
    if raw is None or raw == "":
        if required:
            raise BadParams(f"{name} is required")
        return None
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise BadParams(f"{name} must be an integer from {low} to {high}")
    return int(raw)


def _text(raw: str | None, name: str, limit: int) -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if len(value) > limit or not value.isprintable():
        raise BadParams(f"{name} must be printable text of at most {limit} characters")
    return value


@bp.get("/promise")
@require_proxy_signature
def promise_for_variant():
    """Storefront `/apps/flexchain/promise`: when this variant can arrive, in the shopper's words.

    The hot path is a hit in this process's near cache: no Redis round trip, no database session, no Babel
    work; next best, one Redis round trip (`app.supply.cache`)."""
    now_ts = time.time()
    proxy = g.proxy
    parsed = _parsed(proxy.raw_query, proxy.query)
    if isinstance(parsed, BadParams):
        return _json({"error": str(parsed)}, 400)
    params = parsed.params
    shop_id = proxy.shop_id
    if shop_id is None:
        return _json({"error": "this shop does not have Flexchain installed"}, 404)
    customer = proxy.logged_in_customer_id
    tier = customer_tier(proxy_session(), shop_id, customer) if customer is not None else None
    key = cache.key(shop_id, params.variant_id, params.quantity, tier, parsed.bucket)
    now_mono = time.monotonic()
    answer = near.get(key, now_mono)
    if answer is not None and (answer.cutoff_at is None or answer.cutoff_at > now_ts):
        state = "hit"
    else:
        generation = near.generation  # read before Redis: an announcement from now on voids what we read
        found, answer = cache.lookup(shop_id, params.variant_id, key, now_ts)
        state = "off" if found is None else "hit" if answer is not None else "miss"
        if answer is None:
            try:
                answer = service.storefront_answer(
                    proxy_session(), shop_id, params.variant_id, params.quantity, params.destination, tier=tier,
                    now=datetime.fromtimestamp(now_ts, UTC), settings_version=found[0] if found else None)
            except service.UnknownVariant:
                return _json({"error": "unknown variant"}, 404)
            if found is not None:
                cache.put(key, found, answer, now_ts)
        if found is not None:
            near.put(shop_id, params.variant_id, key, answer, generation, now_mono)
    body, max_age = _body(key, params.locale, answer, now_ts)
    return current_app.response_class(body, 200, content_type="application/json", headers=[
        ("Cache-Control", f"private, max-age={max_age}"), ("X-Flexchain-Cache", state)])


def _json(body: dict, status: int) -> Response:
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")), status=status, mimetype="application/json")
    if status != 200:
        response.headers["Cache-Control"] = "no-store"
    return response
