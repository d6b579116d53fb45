"""Shopify webhook deliveries on the wire: signature check (via shopifyapp) and the delivery headers.

Both header families are read: the classic `X-Shopify-*` and the newer un-prefixed `shopify-*`.
The topic → handler table lives in app/webhooks/handlers.py, beside the code it calls.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from shopify_app import verify_webhook_req

from app.config import Config
from app.shopify.urls import normalise_shop_domain

log = logging.getLogger(__name__)

# Privacy-law topics: every app must accept them, and they run even for a shop that uninstalled.
COMPLIANCE_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})
ALWAYS_RUN_TOPICS = COMPLIANCE_TOPICS | {"app/uninstalled"}


@dataclass(frozen=True)
class Delivery:
    topic: str | None
    shop_domain: str | None  # validated and lower-cased; None when missing or not a myshopify domain
    webhook_id: str | None
    event_id: str | None
    api_version: str | None
    triggered_at: datetime | None


def header(headers: Mapping[str, str], name: str) -> str | None:
    """`name` without prefix, e.g. "topic": X-Shopify-Topic, else shopify-topic."""
    for candidate in (f"x-shopify-{name}", f"shopify-{name}"):
        value = headers.get(candidate)
        if value:
            return value.strip()
    return None


def _bounded(value: str | None, limit: int) -> str | None:
    return value if value is None or len(value) <= limit else None


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else None


def read_delivery(headers: Mapping[str, str]) -> Delivery:
    """Headers of a verified delivery. Over-long values become None: they fit no column and no real delivery."""
    topic = header(headers, "topic")
    return Delivery(
        topic=topic.lower() if topic and len(topic) <= 100 else None,
        shop_domain=normalise_shop_domain(header(headers, "shop-domain")),
        webhook_id=_bounded(header(headers, "webhook-id"), 100),
        event_id=_bounded(header(headers, "event-id"), 100),
        api_version=_bounded(header(headers, "api-version"), 20),
        triggered_at=_parse_time(header(headers, "triggered-at")),
    )


def verify_signature(config: Config, headers: Mapping[str, str], body: bytes, url: str = "") -> bool:
    """True when the body is signed with the current secret, or the previous one while it is rotated.

    shopifyapp hashes the body as a str re-encoded to UTF-8, so a body that is not UTF-8 cannot have a
    valid signature from Shopify (which only sends JSON); it and a non-ASCII signature are refused here
    instead of raising inside the library.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    lowered = {k.lower(): v for k, v in headers.items()}
    signature = lowered.get("x-shopify-hmac-sha256") or lowered.get("shopify-hmac-sha256") or ""
    if not signature or not signature.isascii():
        return False
    wanted = {k: v for k, v in lowered.items() if k.startswith(("x-shopify-", "shopify-"))}
    result = verify_webhook_req(
        {"method": "POST", "headers": wanted, "url": url, "body": text},
        {
            "client_id": config.shopify_api_key,
            "client_secret": config.shopify_api_secret,
            "old_client_secret": config.shopify_old_api_secret,
        },
    )
    if not result.ok:
        log.info("webhook refused: %s", result.log.code)
    return bool(result.ok)
