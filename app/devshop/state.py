"""In-memory state of the local Shopify simulator: its shops and the tokens it has issued.

The simulator is a development and test stand-in, so memory is the right store: it starts from the
seeded demo data each time. One lock guards everything; the simulator serves a handful of requests.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any


@dataclass
class IssuedToken:
    shop: str
    access_token: str
    expires_at: datetime | None
    refresh_token: str | None
    refresh_expires_at: datetime | None
    scope: str
    revoked: bool = False
    # Only the refresh token refused (the access token keeps working until it expires).
    refresh_revoked: bool = False
    # The refresh token this pair rotated out; it stays usable until the app uses this pair.
    replaces: str | None = None


@dataclass
class SimShop:
    """A shop's Admin data, shaped as our GraphQL operations read it (filled by the catalog seeder)."""

    domain: str
    shopify_id: int
    name: str
    email: str = "owner@example.com"
    currency: str = "EUR"
    timezone: str = "Europe/Paris"
    country_code: str = "FR"
    plan_name: str = "basic"
    primary_locale: str = "en"  # shopLocales: the primary one, published
    data: dict[str, Any] = field(default_factory=dict)


class DevShopState:
    ACCESS_TTL = timedelta(hours=1)
    REFRESH_TTL = timedelta(days=30)

    def __init__(self, api_key: str, api_secret: str, scope: str = "") -> None:
        self.api_key = api_key
        self.api_secret = api_secret
        self.scope = scope
        # Where the app under test lives: launch redirects there, webhooks are posted to it.
        self.app_url: str | None = None
        self.webhook_target: str | None = None
        self.lock = threading.RLock()
        self.shops: dict[str, SimShop] = {}
        self.access_tokens: dict[str, IssuedToken] = {}
        self.refresh_tokens: dict[str, IssuedToken] = {}
        # Counters tests read to prove behaviour (e.g. "the refresh endpoint was called once").
        self.calls: dict[str, int] = {}
        # Faults a test can arm: {"graphql": ["THROTTLED", 500, ...]} pops one per request; `arm_for` adds
        # (until, fault) windows that answer every request until the monotonic clock passes `until`.
        self.faults: dict[str, list[Any]] = {}
        self.fault_windows: dict[str, list[tuple[float, Any]]] = {}
        # Where the simulator posts signed webhooks (e.g. bulk_operations/finish); None: nowhere.
        self.webhook_target: str | None = None

    def count(self, name: str) -> None:
        with self.lock:
            self.calls[name] = self.calls.get(name, 0) + 1

    def next_fault(self, name: str) -> Any:
        with self.lock:
            queue = self.faults.get(name)
            if queue:
                return queue.pop(0)
            now = time.monotonic()
            windows = [(until, fault) for until, fault in self.fault_windows.get(name, []) if until > now]
            self.fault_windows[name] = windows
            return windows[0][1] if windows else None

    def arm(self, name: str, fault: Any, *, times: int = 1) -> None:
        """The next `times` requests to `name` ("graphql", "oauth") answer `fault` (see faults.py)."""
        with self.lock:
            self.faults.setdefault(name, []).extend([fault] * times)

    def arm_for(self, name: str, fault: Any, seconds: float) -> None:
        """Every request to `name` answers `fault` for the next `seconds` (an outage of known length)."""
        with self.lock:
            self.fault_windows.setdefault(name, []).append((time.monotonic() + seconds, fault))

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()
            self.fault_windows.clear()

    def expire_access_tokens(self, shop: str, now: datetime | None = None) -> int:
        """Every access token of `shop` expires now, as an expiring offline token does after its hour:
        the Admin API answers 401 until the app refreshes. Returns how many expired."""
        now = now or datetime.now(UTC)
        with self.lock:
            tokens = [t for t in self.access_tokens.values() if t.shop == shop and not t.revoked]
            for token in tokens:
                token.expires_at = now - timedelta(seconds=1)
        return len(tokens)

    def revoke_refresh_tokens(self, shop: str) -> int:
        """Shopify stops honouring every refresh token of `shop` (revoked, or past its lifetime): a refresh
        answers 400 invalid_grant and only a new token exchange (the merchant opening the app) helps."""
        with self.lock:
            tokens = [t for t in self.refresh_tokens.values() if t.shop == shop and not t.refresh_revoked]
            for token in tokens:
                token.refresh_revoked = True
        return len(tokens)

    def add_shop(self, shop: SimShop) -> SimShop:
        with self.lock:
            self.shops[shop.domain] = shop
        return shop

    def issue_tokens(self, shop: str, *, expiring: bool, now: datetime | None = None) -> IssuedToken:
        now = now or datetime.now(UTC)
        token = IssuedToken(
            shop=shop,
            access_token="shpat_" + secrets.token_hex(16),
            expires_at=now + self.ACCESS_TTL if expiring else None,
            refresh_token=("shprt_" + secrets.token_hex(16)) if expiring else None,
            refresh_expires_at=now + self.REFRESH_TTL if expiring else None,
            scope=self.scope,
        )
        with self.lock:
            self.access_tokens[token.access_token] = token
            if token.refresh_token:
                self.refresh_tokens[token.refresh_token] = token
        return token

    def adopt_tokens(self, shop: str, access_token: str, refresh_token: str | None,
                     expires_at: datetime | None, refresh_expires_at: datetime | None) -> None:
        """Know tokens issued before this simulator started (it keeps no state between runs, Shopify does):
        an app that installed earlier keeps working against a simulator built again, as with `flexchain demo`
        run a second time."""
        token = IssuedToken(shop=shop, access_token=access_token, expires_at=expires_at, refresh_token=refresh_token,
                            refresh_expires_at=refresh_expires_at, scope=self.scope)
        with self.lock:
            self.access_tokens[access_token] = token
            if refresh_token:
                self.refresh_tokens[refresh_token] = token

    def check_access_token(self, shop: str, access_token: str | None, now: datetime | None = None) -> bool:
        now = now or datetime.now(UTC)
        with self.lock:
            token = self.access_tokens.get(access_token or "")
        ok = bool(
            token and token.shop == shop and not token.revoked and (token.expires_at is None or token.expires_at > now)
        )
        if ok and token.replaces:
            self.retire_replaced(token)
        return ok

    def retire_replaced(self, token: IssuedToken) -> None:
        with self.lock:
            self.refresh_tokens.pop(token.replaces or "", None)
            token.replaces = None
