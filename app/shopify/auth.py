"""The app home's authentication edge: App Bridge id tokens in, a verified shop-scoped request out.

Document loads carry `id_token` in the query string, fetches carry `Authorization: Bearer`; shopifyapp
verifies both (HS256, 10 s leeway, audience, old secret during rotation). A stale token on a document
goes to the patch-id-token page (App Bridge fetches a fresh one and reloads); on a fetch it gets a 401
with `X-Shopify-Retry-Invalid-Session-Request: 1`, which App Bridge retries once. Routes under `/api/` are
always fetches: without a token they get that 401 too, never the document redirect. The shop comes only
from the verified token's `dest` claim, never from the query string.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import quote

import redis
from flask import Flask, Response, current_app, g, jsonify, make_response, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import queue
from app.config import Config
from app.extensions import db
from app.models import Shop, ShopStatus
from app.shopify.tokens import (
    TokenPair,
    encrypted_columns,
    has_usable_token,
    http_client,
    shop_from_dest,
    shopify_app,
)
from app.shopify.urls import normalise_shop_domain

log = logging.getLogger(__name__)

PATCH_ID_TOKEN_PATH = "/auth/patch-id-token"  # noqa: S105 - a route, not a secret
RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"

__all__ = ["PATCH_ID_TOKEN_PATH", "init_app", "patch_id_token_response", "require_app_session", "shopify_app"]


def init_app(app: Flask) -> None:
    """Close the shop-bound session (`g.db`) that the decorators open; idempotent."""
    if not app.extensions.get("flexchain_shop_session"):
        app.extensions["flexchain_shop_session"] = True
        app.teardown_appcontext(_close_shop_session)


def _close_shop_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def _config() -> Config:
    return current_app.config["FLEXCHAIN"]


def _request_input(config: Config) -> dict:
    # The origin comes from APP_URL, not the Host header: shopifyapp builds the patch-page redirect from it.
    query = request.query_string.decode("utf-8", "replace")
    url = f"{config.app_url}{quote(request.path)}" + (f"?{query}" if query else "")
    return {"method": request.method, "headers": dict(request.headers), "url": url, "body": ""}


API_PREFIX = "/api/"  # the JSON API: only ever fetched by App Bridge, never loaded as a page


def is_document_request() -> bool:
    """A page load (id token in the query) rather than a fetch (bearer token). A request to the JSON API is a
    fetch even without its token: a redirect to the patch page would hand HTML to a `fetch` expecting JSON."""
    return "Authorization" not in request.headers and not request.path.startswith(API_PREFIX)


def csp_for(shop_domain: str | None) -> str:
    ancestors = f"https://{shop_domain} https://admin.shopify.com" if shop_domain else "https://admin.shopify.com"
    return f"frame-ancestors {ancestors};"


def _sdk_response(res, *, document: bool) -> Response:
    response = Response(res.body, status=res.status, headers=dict(res.headers))
    if document and "Content-Security-Policy" not in response.headers:
        response.headers["Content-Security-Policy"] = csp_for(normalise_shop_domain(request.args.get("shop")))
    return response


def _refuse(message: str, status: int, *, document: bool, retry: bool = False) -> Response:
    if document:
        response = make_response(message, status)
        response.headers["Content-Type"] = "text/plain; charset=utf-8"
        response.headers["Content-Security-Policy"] = csp_for(None)
    else:
        response = make_response(jsonify(error=message), status)
    if retry:
        response.headers[RETRY_HEADER] = "1"
    return response


def require_app_session(view: Callable) -> Callable:
    """Verify the App Bridge id token, install on first sight, then run the view with `g.shop` (Shop row)
    and `g.db` (a session bound to that shop; closed at teardown, so a view that writes commits it)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        config = _config()
        document = is_document_request()
        if not document and "Authorization" not in request.headers:
            # Answered like a stale token on a fetch: App Bridge retries once with a fresh one.
            return _refuse("Missing session token.", 401, document=False, retry=True)
        verified = shopify_app(config).verify_app_home_req(_request_input(config), PATCH_ID_TOKEN_PATH)
        if not verified.ok:
            log.info("app home request refused: %s", verified.log.code)
            return _sdk_response(verified.response, document=document)
        shop_domain = normalise_shop_domain(shop_from_dest(str(verified.id_token.claims.get("dest", ""))))
        if shop_domain is None:
            log.warning("signed id token with an unusable dest claim")
            return _refuse("The session token names no valid shop.", 401, document=document)
        outcome = ensure_installed(config, shop_domain, verified, document=document)
        if isinstance(outcome, Response):
            return outcome
        g.db = db.new_session(shop_id=outcome)
        g.shop = g.db.get(Shop, outcome)
        g.shopify_user_id = verified.user_id
        response = make_response(view(*args, **kwargs))
        if document:
            response.headers.update(verified.response.headers)
            if config.shopify_admin_base_url:
                # Offline (simulator) the preloads of App Bridge and Polaris from Shopify's CDN only fail.
                response.headers.pop("Link", None)
        return response

    return wrapper


def ensure_installed(config: Config, shop_domain: str, verified, *, document: bool) -> int | Response:
    """The shop's id, after a token exchange when it has no usable offline token (install, reinstall,
    re-authorisation). A Response when the exchange failed."""
    with db.session() as session:
        shop = session.scalar(select(Shop).where(Shop.domain == shop_domain))
        if has_usable_token(shop):
            return shop.id
        # A shop waiting for re-authorisation still has its pages (read from our copy, with the banner saying
        # why nothing moves) when the exchange that would reconnect it cannot be made right now.
        waiting = shop.id if shop is not None and shop.status == ShopStatus.NEEDS_REAUTH else None
    with http_client(config) as client:
        result = shopify_app(config).exchange_using_token_exchange(
            "offline", id_token=verified.id_token, invalid_token_response=verified.invalid_token_response,
            expiring=True, http_client=client,
        )
    if not result.ok or result.access_token is None:
        log.warning("token exchange for %s failed: %s", shop_domain, result.log.code)
        if result.log.code == "invalid_subject_token":
            return _sdk_response(result.response, document=document)
        if waiting is not None:
            return waiting
        return _refuse("Flexchain could not connect to your store right now. Please try again in a minute.",
                       503, document=document)
    shop_id, first_install = store_installation(config, shop_domain, TokenPair.from_result(result.access_token))
    if first_install:
        enqueue_first_sync(shop_id)
    return shop_id


def store_installation(config: Config, shop_domain: str, pair: TokenPair) -> tuple[int, bool]:
    """Upsert the shop with its new encrypted tokens. True when this is a (re)install, so the first sync
    runs; re-authorising an installed shop is not."""
    now = datetime.now(UTC)
    for attempt in range(2):
        try:
            with db.session() as session:
                shop = session.scalar(select(Shop).where(Shop.domain == shop_domain).with_for_update())
                first = shop is None or shop.status == ShopStatus.UNINSTALLED
                if shop is None:
                    shop = Shop(domain=shop_domain)
                    session.add(shop)
                for column, value in encrypted_columns(config, pair).items():
                    setattr(shop, column, value)
                shop.scopes = pair.scope
                if shop.status != ShopStatus.INSTALLED:
                    shop.status_changed_at = now
                shop.status = ShopStatus.INSTALLED
                shop.status_reason = None
                if first:
                    shop.installed_at = now
                    shop.uninstalled_at = None
                session.flush()
                return shop.id, first
        except IntegrityError:
            # Two first loads raced to create the row; the loser updates the winner's row.
            if attempt:
                raise
    raise AssertionError("unreachable")


def enqueue_first_sync(shop_id: int) -> None:
    try:
        queue.enqueue("worker.jobs.sync.first_sync", shop_id, queue=queue.SYNC, job_id=queue.sync_job_id(shop_id),
                      shop_id=shop_id)
    except redis.RedisError:
        # The install stands; the Status page offers to start the sync once the queue is back.
        log.exception("could not enqueue the first sync of shop %s", shop_id)


def patch_id_token_response() -> Response:
    """The page App Bridge loads to obtain a fresh id token and reload `shopify-reload`."""
    config = _config()
    shop = normalise_shop_domain(request.args.get("shop"))
    reload_path = request.args.get("shopify-reload", "")
    if not shop or not reload_path.startswith("/") or reload_path.startswith("//"):
        return _refuse("Missing or invalid shop or shopify-reload parameter.", 400, document=True)
    if config.shopify_admin_base_url:
        # No App Bridge offline: the dev stand-in fetches a token from the simulator and reloads.
        from flask import render_template

        body = render_template("admin/patch_id_token.html", shop=shop, reload_path=reload_path,
                               simulator_url=config.shopify_admin_base_url)
        response = make_response(body, 200)
        response.headers["Content-Security-Policy"] = csp_for(shop)
        return response
    result = shopify_app(config).app_home_patch_id_token(_request_input(config))
    return _sdk_response(result.response, document=True)
