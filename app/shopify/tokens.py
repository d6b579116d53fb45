"""Offline Admin API tokens: install by token exchange, refresh before expiry, encryption at rest.

Tokens are expiring offline tokens (one hour, with a rotating refresh token). Refreshes are serialised
per shop across processes with a Redis lock, because Shopify replaces the refresh token on every use
and two workers refreshing at once would race.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import redis
import shopify_app as sdk
from flask import current_app, has_app_context
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.config import Config, active_config
from app.crypto import TokenCipher
from app.extensions import db, redis_handle
from app.models import Shop, ShopStatus
from app.shopify.urls import token_url

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(seconds=60)
LOCK_TIMEOUT_S = 30  # longer than shopifyapp's retries against a slow token endpoint
LOCK_WAIT_S = 40
REAUTH_REASON = (
    "Shopify refused to renew Flexchain's access to your store. Open Flexchain from your Shopify admin "
    "to reconnect it; syncing and automations are paused until then."
)


class TokenError(RuntimeError):
    """No usable Admin API token for a shop."""


class ShopNotInstalled(TokenError):
    pass


class ReauthorizationRequired(TokenError):
    """Shopify rejected the refresh token; the merchant must open the app again (token exchange)."""


class TokenRefreshFailed(TokenError):
    """A transient failure (network, 5xx, lock contention): retry later."""


def shopify_app(config: Config) -> sdk.ShopifyApp:
    return sdk.ShopifyApp(config.shopify_api_key, config.shopify_api_secret, config.shopify_old_api_secret)


class _AdminBaseTransport(httpx.BaseTransport):
    """shopifyapp always builds `https://{shop}.myshopify.com/admin/oauth/access_token`; this sends that
    request to the same endpoint under SHOPIFY_ADMIN_BASE_URL instead (the simulator in dev and tests)."""

    def __init__(self, base_url: str) -> None:
        self._base_url = base_url
        self._inner = httpx.HTTPTransport(retries=1)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        shop_domain = request.url.host
        if request.url.path == "/admin/oauth/access_token":
            request.url = httpx.URL(token_url(shop_domain, self._base_url))
            request.headers["Host"] = request.url.netloc.decode()
        else:
            raise httpx.UnsupportedProtocol(f"only the token endpoint is rewritten, not {request.url.path}")
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def http_client(config: Config) -> httpx.Client:
    """Our own client: a timeout well inside the refresh lock, and SHOPIFY_ADMIN_BASE_URL when set."""
    if not config.shopify_admin_base_url:
        return httpx.Client(timeout=8)
    return httpx.Client(transport=_AdminBaseTransport(config.shopify_admin_base_url), timeout=8)


def current_config() -> Config:
    if has_app_context():
        return current_app.config["FLEXCHAIN"]
    return active_config()


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    access_expires_at: datetime | None
    refresh_token: str | None
    refresh_expires_at: datetime | None
    scope: str

    @classmethod
    def from_result(cls, token: sdk.TokenExchangeAccessToken) -> TokenPair:
        return cls(token.token, _parse(token.expires), token.refresh_token or None,
                   _parse(token.refresh_token_expires), token.scope or "")


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def encrypted_columns(config: Config, pair: TokenPair) -> dict:
    cipher = TokenCipher(config.encryption_keys)
    return {
        "access_token_enc": cipher.encrypt(pair.access_token),
        "access_token_expires_at": pair.access_expires_at,
        "refresh_token_enc": cipher.encrypt(pair.refresh_token) if pair.refresh_token else None,
        "refresh_token_expires_at": pair.refresh_expires_at,
    }


def has_usable_token(shop: Shop | None, now: datetime | None = None) -> bool:
    """A token we can use or renew without the merchant: present, and not past every expiry."""
    if shop is None or shop.status != ShopStatus.INSTALLED or not shop.access_token_enc:
        return False
    now = now or datetime.now(UTC)
    if shop.access_token_expires_at is None or shop.access_token_expires_at > now:
        return True
    return bool(shop.refresh_token_enc) and (
        shop.refresh_token_expires_at is None or shop.refresh_token_expires_at > now
    )


def _needs_refresh(shop: Shop, now: datetime) -> bool:
    return shop.access_token_expires_at is not None and shop.access_token_expires_at <= now + REFRESH_MARGIN


def offline_access_token(shop_id: int, *, force_refresh: bool = False, config: Config | None = None) -> str:
    """The shop's offline Admin API token, refreshed first when it expires within 60 s.

    Safe from web requests and workers alike: opens its own sessions and commits what it changes.
    Raises ShopNotInstalled, ReauthorizationRequired or TokenRefreshFailed.
    """
    config = config or current_config()
    cipher = TokenCipher(config.encryption_keys)
    with db.session() as session:
        shop = _load_usable(session, shop_id)
        if not force_refresh and not _needs_refresh(shop, datetime.now(UTC)):
            return cipher.decrypt(shop.access_token_enc)
        seen = shop.access_token_enc
    return _refresh_serialised(shop_id, seen, force_refresh, config, cipher)


def _load_usable(session: Session, shop_id: int) -> Shop:
    shop = session.get(Shop, shop_id, populate_existing=True)
    if shop is None or shop.status == ShopStatus.UNINSTALLED:
        raise ShopNotInstalled(f"shop {shop_id} is not installed")
    if shop.status == ShopStatus.NEEDS_REAUTH:
        raise ReauthorizationRequired(shop.status_reason or REAUTH_REASON)
    if not shop.access_token_enc:
        raise ShopNotInstalled(f"shop {shop_id} has no access token yet")
    return shop


_LOCAL_LOCKS: dict[int, threading.Lock] = {}
_LOCAL_LOCKS_GUARD = threading.Lock()


class _LocalLock:
    """Dev without REDIS_URL is one process; fakeredis cannot release Redis locks (no Lua), so use a thread lock."""

    def __init__(self, shop_id: int) -> None:
        with _LOCAL_LOCKS_GUARD:
            self._lock = _LOCAL_LOCKS.setdefault(shop_id, threading.Lock())

    def acquire(self) -> bool:
        return self._lock.acquire(timeout=LOCK_WAIT_S)

    def release(self) -> None:
        self._lock.release()


def _refresh_lock(shop_id: int):
    if redis_handle.in_process:
        return _LocalLock(shop_id)
    return redis_handle.conn.lock(f"flexchain:token-refresh:{shop_id}", timeout=LOCK_TIMEOUT_S,
                                  blocking_timeout=LOCK_WAIT_S)


def _refresh_serialised(shop_id: int, seen: str, force: bool, config: Config, cipher: TokenCipher) -> str:
    lock = _refresh_lock(shop_id)
    try:
        acquired = lock.acquire()
    except redis.RedisError as exc:
        # Without the lock a refresh could race another process; refuse rather than risk a broken pair.
        raise TokenRefreshFailed(f"cannot serialise the token refresh: Redis unavailable ({exc})") from exc
    if not acquired:
        raise TokenRefreshFailed(f"another process has held the token refresh lock of shop {shop_id} too long")
    try:
        with db.session() as session:
            shop = _load_usable(session, shop_id)
            now = datetime.now(UTC)
            # Re-read under the lock: another process may have refreshed while we waited.
            refreshed_meanwhile = shop.access_token_enc != seen
            if (refreshed_meanwhile or not force) and not _needs_refresh(shop, now):
                return cipher.decrypt(shop.access_token_enc)
            if not shop.refresh_token_enc:
                if shop.access_token_expires_at is None:
                    return cipher.decrypt(shop.access_token_enc)  # non-expiring token: nothing to refresh
                _mark_needs_reauth(session, shop_id, "no refresh token is stored for this expiring token")
                raise ReauthorizationRequired(REAUTH_REASON)
            pair = _call_refresh(session, shop, cipher, config)
            session.execute(update(Shop).where(Shop.id == shop_id).values(**encrypted_columns(config, pair),
                                                                         updated_at=now))
        return pair.access_token
    finally:
        try:
            lock.release()
        except redis.RedisError:
            log.warning("token refresh lock of shop %s expired before release", shop_id)


def _call_refresh(session: Session, shop: Shop, cipher: TokenCipher, config: Config) -> TokenPair:
    # Past or present `expires` makes shopifyapp refresh unconditionally (it skips tokens valid > 60 s).
    expires = min(shop.access_token_expires_at or datetime.now(UTC), datetime.now(UTC))
    current = {
        "access_mode": "offline",
        "shop": shop.subdomain,
        "refresh_token": cipher.decrypt(shop.refresh_token_enc),
        "expires": _iso(expires),
        "refresh_token_expires": _iso(shop.refresh_token_expires_at),
    }
    with http_client(config) as client:
        result = shopify_app(config).refresh_token_exchanged_access_token(current, http_client=client)
    if result.ok and result.access_token is not None:
        log.info("refreshed the offline token of %s", shop.domain)
        return TokenPair.from_result(result.access_token)
    if result.log.code in ("invalid_grant", "refresh_token_expired"):
        _mark_needs_reauth(session, shop.id, f"Shopify refused the refresh token ({result.log.code})")
        raise ReauthorizationRequired(REAUTH_REASON)
    raise TokenRefreshFailed(f"token refresh for {shop.domain} failed: {result.log.code}")


def _mark_needs_reauth(session: Session, shop_id: int, why: str) -> None:
    """Record the state and its reason (technical, for support; the merchant's banner is translated from
    the status) and when it began. Every job checks the status first, so nothing retries against Shopify
    until the merchant opens the app and a token exchange clears it."""
    log.warning("shop %s needs re-authorisation: %s", shop_id, why)
    now = datetime.now(UTC)
    session.execute(update(Shop).where(Shop.id == shop_id).values(
        status=ShopStatus.NEEDS_REAUTH, status_reason=why[:500], status_changed_at=now, updated_at=now))
    # Committed here: the caller's exception must not roll the status back.
    session.commit()


def shop_from_dest(dest: str) -> str:
    return (urlsplit(dest).hostname or "").lower()


def rotate_token_encryption(session: Session, config: Config | None = None) -> int:
    """Re-encrypt every stored token under the newest ENCRYPTION_KEY; returns the shops rewritten.
    The caller commits. Old keys can be removed once this has run."""
    cipher = TokenCipher((config or current_config()).encryption_keys)
    rows = session.execute(select(Shop.id, Shop.access_token_enc, Shop.refresh_token_enc).with_for_update()).all()
    changed = 0
    for shop_id, access_enc, refresh_enc in rows:
        if not access_enc and not refresh_enc:
            continue
        session.execute(update(Shop).where(Shop.id == shop_id).values(
            access_token_enc=cipher.rotate(access_enc) if access_enc else None,
            refresh_token_enc=cipher.rotate(refresh_enc) if refresh_enc else None,
        ))
        changed += 1
    return changed
