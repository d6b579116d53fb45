"""App Bridge id tokens ("session tokens") as Shopify mints them: HS256 JWTs signed with the client secret.

The simulator uses this to stand in for App Bridge (plain browsers in dev, tests); the claims follow
what Shopify's libraries read: iss = shop admin URL, dest = shop URL, aud = API key, sub = user id.
"""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

import jwt


def mint_id_token(
    api_key: str,
    api_secret: str,
    shop_domain: str,
    user_id: str = "1",
    now: float | None = None,
    ttl: int = 60,
    **overrides: Any,
) -> str:
    """A signed id token for `shop_domain` (`name.myshopify.com`). `overrides` replace or add claims;
    a claim overridden with None is left out (to build malformed tokens in tests)."""
    issued = int(time.time() if now is None else now)
    claims: dict[str, Any] = {
        "iss": f"https://{shop_domain}/admin",
        "dest": f"https://{shop_domain}",
        "aud": api_key,
        "sub": str(user_id),
        "exp": issued + ttl,
        "nbf": issued,
        "iat": issued,
        "jti": str(uuid.uuid4()),
        # One id per user and app, stable across tokens in Shopify; random is enough here.
        "sid": secrets.token_hex(16),
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, api_secret, algorithm="HS256")
