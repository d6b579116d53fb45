"""The simulator's webhook sender: Shopify's signature, headers and payload samples, over real HTTP."""

from __future__ import annotations

import json

from flask import Flask, request

from app.devshop.sender import available_topics, build_payload, deliver, sign
from tests.support.servers import serve


def test_signature_matches_shopifys_published_vector():
    assert sign(b'{"foo": "bar"}', "test_secret_key") == "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="


def test_samples_cover_every_subscribed_topic():
    from app.webhooks.handlers import HANDLERS

    assert set(HANDLERS) <= set(available_topics())


def test_build_payload_overrides_and_fills_the_shop_in_compliance_samples():
    payload = build_payload("shop/redact", shop_domain="acme.myshopify.com", shop_id=7)
    assert payload == {"shop_id": 7, "shop_domain": "acme.myshopify.com"}
    order = build_payload("orders/create", email="x@example.com")
    assert order["email"] == "x@example.com" and order["line_items"]
    # Each call returns a fresh copy: overriding one never leaks into the next.
    order["line_items"].clear()
    assert build_payload("orders/create")["line_items"]


def test_deliver_posts_signed_body_with_shopify_headers():
    seen = {}
    receiver = Flask(__name__)

    @receiver.post("/hooks")
    def hooks():
        seen["headers"] = dict(request.headers)
        seen["body"] = request.get_data()
        return "", 200

    with serve(receiver) as url:
        response = deliver(f"{url}/hooks", "orders/paid", "acme.myshopify.com", {"id": 1}, "s3cret",
                           webhook_id="wh-1", event_id="ev-1")
    assert response.status_code == 200
    headers = seen["headers"]
    assert json.loads(seen["body"]) == {"id": 1}
    assert headers["X-Shopify-Hmac-Sha256"] == sign(seen["body"], "s3cret")
    assert headers["X-Shopify-Topic"] == "orders/paid"
    assert headers["X-Shopify-Shop-Domain"] == "acme.myshopify.com"
    assert headers["X-Shopify-Webhook-Id"] == "wh-1" and headers["X-Shopify-Event-Id"] == "ev-1"
    assert headers["X-Shopify-Api-Version"] == "2026-07"
    assert headers["X-Shopify-Triggered-At"].endswith("Z")
