"""Send realistic, signed Shopify webhooks over real HTTP, as Shopify would (dev, demo and tests).

Payloads start from the samples in payloads/ (Shopify's documentation examples where we have them);
headers are the classic X-Shopify-* family with API version 2026-07.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from app.config import ADMIN_API_VERSION

PAYLOAD_DIR = Path(__file__).resolve().parent / "payloads"
SHOP_PLACEHOLDER = "{shop}.myshopify.com"


def topic_file(topic: str) -> Path:
    return PAYLOAD_DIR / (topic.replace("/", "__") + ".json")


def available_topics() -> list[str]:
    return sorted(p.stem.replace("__", "/") for p in PAYLOAD_DIR.glob("*.json"))


@cache
def _sample(topic: str) -> str:
    path = topic_file(topic)
    if not path.is_file():
        raise KeyError(f"no sample payload for topic {topic!r}")
    return path.read_text(encoding="utf-8")


def build_payload(topic: str, shop_domain: str | None = None, **overrides: Any) -> dict[str, Any]:
    """The topic's sample with top-level fields replaced; compliance samples get the shop's domain."""
    payload = json.loads(_sample(topic))
    if payload.get("shop_domain") == SHOP_PLACEHOLDER:
        payload["shop_domain"] = shop_domain or "example.myshopify.com"
    payload.update(copy.deepcopy(overrides))
    return payload


def sign(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def encode(payload: dict[str, Any] | bytes | str) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode()
    return json.dumps(payload, default=str).encode()


def webhook_headers(
    topic: str, shop_domain: str, body: bytes, secret: str | None, *, webhook_id: str | None = None,
    event_id: str | None = None, triggered_at: datetime | None = None, api_version: str = ADMIN_API_VERSION,
) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": shop_domain,
        "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-API-Version": api_version,
        "X-Shopify-Triggered-At": (triggered_at or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
    }
    if secret is not None:  # None: an unsigned delivery, for testing refusals
        headers["X-Shopify-Hmac-Sha256"] = sign(body, secret)
    return headers


def deliver(
    target_url: str, topic: str, shop_domain: str, payload: dict[str, Any] | bytes | str, secret: str | None,
    webhook_id: str | None = None, event_id: str | None = None, *, triggered_at: datetime | None = None,
    extra_headers: dict[str, str] | None = None, client: httpx.Client | None = None, timeout: float = 10.0,
) -> httpx.Response:
    """POST one signed delivery to `target_url` (e.g. `{app}/webhooks/orders`) and return the response."""
    body = encode(payload)
    headers = webhook_headers(topic, shop_domain, body, secret, webhook_id=webhook_id, event_id=event_id,
                              triggered_at=triggered_at)
    headers.update(extra_headers or {})
    if client is not None:
        return client.post(target_url, content=body, headers=headers, timeout=timeout)
    with httpx.Client(timeout=timeout) as http:
        return http.post(target_url, content=body, headers=headers)
