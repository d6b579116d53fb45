"""Webhook intake under generated hostile deliveries: no answer is a 5xx, nothing unverified is stored,
and what a signed delivery is answered matches what was stored (received, failed or ignored)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.models import EventStatus, WebhookEvent
from app.shopify.webhooks import read_delivery
from app.webhooks.handlers import HANDLERS
from tests.conftest import API_SECRET
from tests.fuzz.strategies import EXAMPLES, any_header, bodies, fuzz_settings, shop_domains, topics


def sign(body: bytes, secret: str = API_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


HEADER_NAMES = ("X-Shopify-Topic", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id", "X-Shopify-Event-Id",
                "X-Shopify-API-Version", "X-Shopify-Triggered-At")
paths = st.one_of(st.just("/webhooks"), st.text(st.characters(whitelist_categories=("L", "N")), min_size=1,
                                                  max_size=30).map(lambda s: f"/webhooks/{s}"))
headers = st.fixed_dictionaries({}, optional={name: any_header for name in HEADER_NAMES})


def stored() -> int:
    with db.session() as session:
        return session.scalar(select(func.count(WebhookEvent.id)))


def assert_json_error(response) -> None:
    assert response.is_json and response.json["message"], response.get_data()[:200]


def test_unverified_deliveries_are_refused_and_store_nothing(client):
    seen = Counter()
    wrong_signatures = st.one_of(
        st.none(), any_header,
        st.builds(lambda b: sign(b), st.binary(max_size=50)),  # right secret, another body
        st.builds(lambda b: sign(b, "not-the-secret"), st.binary(max_size=50)),
        st.builds(lambda s: s[:-4], st.builds(lambda b: sign(b), st.binary(max_size=50))),
    )

    @fuzz_settings()
    @given(path=paths, body=bodies, hdrs=headers, signature=wrong_signatures, tamper=st.booleans())
    def deliver(path, body, hdrs, signature, tamper):
        sent = dict(hdrs)
        if tamper:  # a real signature over the body, then one byte of the body changed on the way
            sent["X-Shopify-Hmac-Sha256"] = sign(body)
            body = body[:-1] + bytes([body[-1] ^ 1]) if body else b" "
        elif signature is not None:
            sent["X-Shopify-Hmac-Sha256"] = signature
        response = client.post(path, data=body, headers=sent)
        seen[response.status_code] += 1
        assert response.status_code in (401, 413), (response.status_code, response.get_data()[:200])
        assert_json_error(response)

    deliver()
    assert stored() == 0
    assert sum(seen.values()) >= EXAMPLES and seen[401] >= EXAMPLES * 0.9


def test_signed_deliveries_are_answered_as_they_were_stored(client):
    seen = Counter()

    @fuzz_settings()
    @given(path=paths, body=bodies, hdrs=headers, topic=topics, shop=shop_domains,
           webhook_id=st.one_of(st.uuids().map(str), st.uuids().map(str), any_header), header_case=st.booleans())
    def deliver(path, body, hdrs, topic, shop, webhook_id, header_case):
        sent = {**hdrs, "X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": shop, "X-Shopify-Webhook-Id": webhook_id,
                "X-Shopify-Hmac-Sha256": sign(body)}
        if header_case:
            sent = {k.lower(): v for k, v in sent.items()}
        response = client.post(path, data=body, headers=sent)
        seen[response.status_code] += 1
        assert response.status_code in (200, 400, 401), (response.status_code, response.get_data()[:300])
        assert response.is_json
        if response.status_code == 401:  # only a body that is not UTF-8 cannot carry a valid signature
            assert _not_utf8(body)
            return
        if response.status_code == 400:
            assert_json_error(response)
            return
        delivery = read_delivery({k.lower(): v for k, v in sent.items()})
        with db.session() as session:
            row = session.scalars(select(WebhookEvent).where(
                WebhookEvent.shop_domain == delivery.shop_domain,
                WebhookEvent.webhook_id == delivery.webhook_id)).one()
        if response.json["message"].startswith("duplicate"):
            return
        assert row.body == body
        assert row.status == _expected_status(delivery.topic, body)

    deliver()
    assert seen[200] >= EXAMPLES * 0.25  # the generated deliveries mostly reach storage


def _not_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _expected_status(topic: str, body: bytes) -> str:
    if topic not in HANDLERS:
        return EventStatus.IGNORED
    try:
        is_object = isinstance(json.loads(body), dict)
    except ValueError:
        is_object = False
    return EventStatus.RECEIVED if is_object else EventStatus.FAILED
