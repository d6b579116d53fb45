"""Settings, read once from the environment and typed.

Outside production a missing secret is replaced by a generated development value (and said so on
start); in production every secret and every shared service must be given, and the app refuses to
boot with a one-line message naming the first variable that is missing.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography.fernet import Fernet

ADMIN_API_VERSION = "2026-07"
INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Config:
    env: str = "development"
    shopify_api_key: str = ""
    shopify_api_secret: str = ""
    shopify_old_api_secret: str | None = None
    app_url: str = "http://127.0.0.1:8000"
    database_url: str = ""
    redis_url: str | None = None
    # Fernet keys, newest first: the first encrypts, all of them decrypt (key rotation).
    encryption_keys: tuple[str, ...] = ()
    # The secret behind the blind indexes of emails and phones; unset: the oldest ENCRYPTION_KEY (the last).
    # It must outlive key rotation, so it is not simply "the newest key" (see app/field_crypto.py).
    blind_index_key: str | None = None
    smtp_url: str | None = None
    # Unset: the real shop (https://{shop}); set: the local simulator or a test double of Shopify.
    shopify_admin_base_url: str | None = None
    scopes: str = ""
    # Admin API calls: seconds before a request counts as timed out, attempts per request, and the
    # exponential backoff between them (a first wait of `base`, doubling up to `cap`). Tests shorten them.
    admin_api_timeout: float = 30.0
    admin_api_max_attempts: int = 6
    admin_api_backoff_base: float = 1.0
    admin_api_backoff_cap: float = 30.0
    # Seconds within which a web process rings the ingest doorbell once for many deliveries (app/webhooks/
    # bell.py). Tests set 0: their burst workers start right after a delivery and would quit before a
    # deferred ring.
    ingest_ring_window: float = 0.05
    generated: tuple[str, ...] = field(default=())

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def with_overrides(self, **changes: object) -> Config:
        return replace(self, **changes)


def _get(environ: dict[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _number(environ: dict[str, str], name: str, default: float) -> float:
    raw = _get(environ, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive")
    return value


def _dev_key_file(name: str, factory) -> str:
    """A generated dev value is kept under instance/ so restarts can still read what it encrypted."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / f"dev-{name.lower()}"
    if path.exists():
        return path.read_text().strip()
    value = factory()
    path.write_text(value)
    path.chmod(0o600)
    return value


def load_config(environ: dict[str, str] | None = None) -> Config:
    env = dict(os.environ if environ is None else environ)
    mode = (_get(env, "FLEXCHAIN_ENV") or "development").lower()
    production = mode == "production"
    generated: list[str] = []

    def required(name: str, dev_factory=None) -> str:
        value = _get(env, name)
        if value:
            return value
        if production or dev_factory is None:
            raise ConfigError(f"{name} must be set (FLEXCHAIN_ENV={mode})")
        generated.append(name)
        return _dev_key_file(name, dev_factory)

    api_key = required("SHOPIFY_API_KEY", lambda: secrets.token_hex(16))
    api_secret = required("SHOPIFY_API_SECRET", lambda: secrets.token_hex(32))
    raw_keys = required("ENCRYPTION_KEY", lambda: Fernet.generate_key().decode())
    keys = tuple(k.strip() for k in raw_keys.split(",") if k.strip())
    for key in keys:
        try:
            Fernet(key.encode())
        except (ValueError, TypeError) as exc:
            raise ConfigError("ENCRYPTION_KEY must be comma-separated Fernet keys (32 url-safe base64 bytes)") from exc

    blind_index_key = _get(env, "BLIND_INDEX_KEY")
    if blind_index_key is not None and len(blind_index_key) < 32:
        raise ConfigError("BLIND_INDEX_KEY must be at least 32 characters (e.g. a retired ENCRYPTION_KEY)")

    database_url = _get(env, "DATABASE_URL")
    if not database_url:
        if production:
            raise ConfigError("DATABASE_URL must be set (FLEXCHAIN_ENV=production)")
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{INSTANCE_DIR / 'flexchain.sqlite3'}"
    redis_url = _get(env, "REDIS_URL")
    if production and not redis_url:
        raise ConfigError("REDIS_URL must be set (FLEXCHAIN_ENV=production)")
    # `shopify app dev` hands the tunnel URL over as SHOPIFY_APP_URL (older CLIs: HOST).
    app_url = _get(env, "APP_URL") or _get(env, "SHOPIFY_APP_URL") or _get(env, "HOST") or "http://127.0.0.1:8000"
    if production and not _get(env, "APP_URL"):
        raise ConfigError("APP_URL must be set (FLEXCHAIN_ENV=production)")

    return Config(
        env=mode,
        shopify_api_key=api_key,
        shopify_api_secret=api_secret,
        shopify_old_api_secret=_get(env, "SHOPIFY_OLD_API_SECRET"),
        app_url=app_url.rstrip("/"),
        database_url=normalise_database_url(database_url),
        redis_url=redis_url,
        encryption_keys=keys,
        blind_index_key=blind_index_key,
        smtp_url=_get(env, "SMTP_URL"),
        shopify_admin_base_url=(_get(env, "SHOPIFY_ADMIN_BASE_URL") or "").rstrip("/") or None,
        admin_api_timeout=_number(env, "ADMIN_API_TIMEOUT", 30.0),
        admin_api_max_attempts=int(_number(env, "ADMIN_API_MAX_ATTEMPTS", 6)),
        admin_api_backoff_base=_number(env, "ADMIN_API_BACKOFF_BASE", 1.0),
        admin_api_backoff_cap=_number(env, "ADMIN_API_BACKOFF_CAP", 30.0),
        ingest_ring_window=_number(env, "INGEST_RING_WINDOW", 0.05),
        generated=tuple(generated),
    )


def normalise_database_url(url: str) -> str:
    """Platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver (psycopg 3)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


_active: Config | None = None


def set_active_config(config: Config) -> None:
    """create_app() records the config it was built with, so jobs outside a request use the same one."""
    global _active
    _active = config


def active_config() -> Config:
    """The config of the running app (or worker); read from the environment only if none was built."""
    return _active if _active is not None else load_config()
