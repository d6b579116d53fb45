"""The JSON API (`/api/...`) is only fetched by App Bridge: without a session token it answers 401 with the
retry header, never the document redirect; pages keep their redirect to the patch page."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest

from tests.shopify.test_auth import RETRY, SHOP_A, admin_app, token, web  # noqa: F401 - fixtures


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/session"), ("GET", "/api/summary"), ("GET", "/api/recovery/results"),
    ("GET", "/api/recovery/demand"), ("PUT", "/api/recovery/settings"), ("POST", "/api/sync"),
    ("GET", "/api/warehouses"),
])
def test_an_api_call_without_a_token_is_401_json_with_the_retry_header(web, method, path):  # noqa: F811
    response = web.open(f"{path}?{urlencode({'shop': SHOP_A, 'embedded': '1'})}", method=method, json={})
    assert response.status_code == 401
    assert response.headers[RETRY] == "1"
    assert "Location" not in response.headers
    assert response.is_json and response.json["error"]


def test_an_id_token_in_the_query_does_not_stand_in_for_the_bearer_on_the_api(web):  # noqa: F811
    response = web.get(f"/api/session?{urlencode({'shop': SHOP_A, 'id_token': token()})}")
    assert response.status_code == 401 and response.headers[RETRY] == "1"


@pytest.mark.parametrize("path", ["/", "/warehouses", "/traceability"])
def test_pages_without_a_token_still_go_to_the_patch_page(web, path):  # noqa: F811
    response = web.get(f"{path}?{urlencode({'shop': SHOP_A, 'embedded': '1'})}")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/patch-id-token"


def test_the_api_with_a_valid_token_still_answers(web):  # noqa: F811
    response = web.get("/api/session", headers={"Authorization": f"Bearer {token()}"})
    assert response.status_code == 200 and response.json["shop"]["domain"] == SHOP_A
