"""Simulated `POST /{shop}/admin/oauth/access_token`: token exchange and refresh, with Shopify's error shapes.

Also the App Bridge stand-in `GET /app-bridge/id-token?shop=...`, which mints a fresh id token the way
App Bridge's `shopify.idToken()` would. It lives only in the simulator, so it never exists in a
production deployment of the app (which does not mount the simulator).
"""

from __future__ import annotations

import hmac
import time
from datetime import UTC, datetime

import jwt
from flask import Blueprint, current_app, jsonify, request

from app.devshop.idtoken import mint_id_token
from app.devshop.state import DevShopState, IssuedToken
from app.shopify.urls import normalise_shop_domain

bp = Blueprint("devshop_oauth", __name__)

# OAuth URNs (names, not secrets).
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105
OFFLINE_TOKEN = "urn:shopify:params:oauth:token-type:offline-access-token"  # noqa: S105
ONLINE_TOKEN = "urn:shopify:params:oauth:token-type:online-access-token"  # noqa: S105
LEEWAY_SECONDS = 10


def _state() -> DevShopState:
    return current_app.extensions["devshop_state"]


def _error(code: str, description: str, status: int):
    return jsonify(error=code, error_description=description), status


def _params() -> dict:
    # Shopify's libraries send JSON; curl users and older clients send a form.
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else request.form.to_dict()


def _same(a: object, b: str) -> bool:
    return isinstance(a, str) and hmac.compare_digest(a.encode(), b.encode())


@bp.post("/<shop>/admin/oauth/access_token")
def access_token(shop: str):
    state = _state()
    fault = state.next_fault("oauth")
    if isinstance(fault, dict) and "delay" in fault:
        time.sleep(float(fault["delay"]))
    elif isinstance(fault, int):
        return _error("server_error", "simulated fault", fault)
    elif isinstance(fault, str):  # an OAuth error code, e.g. "invalid_subject_token"
        return _error(fault, "simulated fault", 400)
    if normalise_shop_domain(shop) != shop or shop not in state.shops:
        return jsonify(errors="Not Found"), 404
    params = _params()
    # RFC 6749 §5.2: bad client credentials are a 401 (Shopify's exact status here is not documented).
    if not (_same(params.get("client_id"), state.api_key) and _same(params.get("client_secret"), state.api_secret)):
        return _error("invalid_client", "Client credentials are invalid", 401)
    grant = params.get("grant_type")
    if grant == TOKEN_EXCHANGE:
        return _token_exchange(state, shop, params)
    if grant == "refresh_token":
        return _refresh(state, shop, params)
    return _error("unsupported_grant_type", f"grant_type {grant!r} is not supported", 400)


def _token_exchange(state: DevShopState, shop: str, params: dict):
    state.count("token_exchange")
    if params.get("subject_token_type") != ID_TOKEN_TYPE:
        return _error("invalid_request", "subject_token_type must be an id token", 400)
    requested = params.get("requested_token_type")
    if requested not in (OFFLINE_TOKEN, ONLINE_TOKEN):
        return _error("invalid_request", "requested_token_type is not supported", 400)
    try:
        claims = jwt.decode(
            str(params.get("subject_token") or ""), state.api_secret, algorithms=["HS256"],
            audience=state.api_key, leeway=LEEWAY_SECONDS, options={"require": ["exp", "nbf", "dest", "aud"]},
        )
    except jwt.PyJWTError as exc:
        return _error("invalid_subject_token", f"The subject token is invalid: {exc}", 400)
    if str(claims.get("dest", "")).removeprefix("https://") != shop:
        return _error("invalid_subject_token", "The subject token was issued for another shop", 400)
    expiring = str(params.get("expiring", "0")).lower() in ("1", "true")
    if requested == ONLINE_TOKEN:
        expiring = True
    now = datetime.now(UTC)
    token = state.issue_tokens(shop, expiring=expiring, now=now)
    body = _token_body(token, now)
    if requested == ONLINE_TOKEN:
        body.pop("refresh_token", None)
        body.pop("refresh_token_expires_in", None)
        body["associated_user_scope"] = token.scope
        body["associated_user"] = {
            "id": int(claims.get("sub") or 1), "first_name": "Dev", "last_name": "Merchant",
            "email": "owner@example.com", "email_verified": True, "account_owner": True,
            "locale": "en", "collaborator": False,
        }
    return jsonify(body)


def _refresh(state: DevShopState, shop: str, params: dict):
    state.count("refresh")
    presented = str(params.get("refresh_token") or "")
    now = datetime.now(UTC)
    with state.lock:
        old = state.refresh_tokens.get(presented)
        usable = (
            old is not None and old.shop == shop and not old.revoked and not old.refresh_revoked
            and (old.refresh_expires_at is None or old.refresh_expires_at > now)
        )
        if not usable:
            return _error("invalid_grant", "The refresh token is invalid, expired or revoked", 400)
        if old.replaces:
            # Using a replacement retires the token it replaced (Shopify's resilient refresh).
            state.retire_replaced(old)
        token = state.issue_tokens(shop, expiring=True, now=now)
        token.replaces = presented
    return jsonify(_token_body(token, now))


def _token_body(token: IssuedToken, now: datetime) -> dict:
    body: dict = {"access_token": token.access_token, "scope": token.scope}
    if token.expires_at is not None:
        body["expires_in"] = max(0, int((token.expires_at - now).total_seconds()))
    if token.refresh_token is not None:
        body["refresh_token"] = token.refresh_token
        body["refresh_token_expires_in"] = max(0, int((token.refresh_expires_at - now).total_seconds()))
    return body


@bp.get("/app-bridge/id-token")
def app_bridge_id_token():
    state = _state()
    shop = normalise_shop_domain(request.args.get("shop"))
    if not shop or shop not in state.shops:
        return jsonify(error="unknown shop"), 404
    token = mint_id_token(state.api_key, state.api_secret, shop, user_id=request.args.get("user", "1"))
    response = jsonify(id_token=token)
    # The dev page lives on the app's origin; in dev both origins are local.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-store"
    return response
