"""Signed tokens for links in mail: one-click unsubscribe, the open pixel and the click redirect.

Signed with the app's secret (salted per purpose, so a click token cannot unsubscribe anyone). Tokens carry
ids only; where a click goes is read from the database, so a token can never redirect anywhere else.
Unsubscribe tokens do not expire: a link in an old mail must still work.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

UNSUBSCRIBE = "recovery-unsubscribe"
OPEN = "recovery-open"
CLICK = "recovery-click"


class BadToken(ValueError):
    pass


def _serializer(secret: str, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=purpose)


def sign(secret: str, purpose: str, payload: list) -> str:
    return _serializer(secret, purpose).dumps(payload)


def verify(secret: str, purpose: str, token: str, old_secret: str | None = None) -> list:
    for key in filter(None, (secret, old_secret)):
        try:
            payload = _serializer(key, purpose).loads(token)
        except BadSignature:
            continue
        if isinstance(payload, list):
            return payload
    raise BadToken("invalid or tampered link")
