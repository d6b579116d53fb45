"""The admin JSON API under generated requests: every `/api/` route with bodies one mutation away from valid,
raw junk, wrong content types, hostile query strings and path ids, and uploads.

With the shop's own id token no answer is a 5xx, a refusal is JSON naming what is wrong and changes nothing,
and nothing reaches the other shop's rows; with a token that does not verify (absent, malformed, expired,
another app's, tampered) every answer is a 401 and nothing anywhere changes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time
from collections import Counter
from urllib.parse import unquote, urlencode

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import LargeBinary, select, text
from werkzeug.exceptions import MethodNotAllowed, NotFound

from app import create_app
from app.devshop import catalog
from app.devshop.idtoken import mint_id_token
from app.devshop.state import SimShop
from app.extensions import db, redis_handle
from app.models import Base, Customer, DataExport, IncomingStock, Location, Product, ShippingLane, Shop, Variant
from tests.conftest import API_KEY, API_SECRET, make_config
from tests.fuzz import admin_strategies as s
from tests.fuzz.strategies import EXAMPLES, fuzz_settings, header_text

SHOP, OTHER = "fuzz-admin.myshopify.com", "other-admin.myshopify.com"
# The full run (FUZZ_EXAMPLES=10000) takes minutes per target; the default run stays within the usual limit.
pytestmark = pytest.mark.timeout(max(120, EXAMPLES // 10))


def bearer(shop: str = SHOP, secret: str = API_SECRET, **claims) -> str:
    return "Bearer " + mint_id_token(API_KEY, secret, shop, **claims)


def call(client, method: str, path: str, body=None, shop: str = SHOP, **kwargs):
    return client.open(path, method=method, json=body, headers={"Authorization": bearer(shop)}, **kwargs)


# Rows that are only ever added (a record is never edited, a file never replaced): their count and last id
# show a change, and cost nothing as the generated imports make the chain thousands of records long.
APPEND_ONLY = ("provenance_records", "certificate_files")


def digest(shop_id: int | None, tables: tuple[str, ...] = ()) -> dict[str, str]:
    """A fingerprint of every row: one shop's rows in the tables that carry a shop, or all rows of all tables.
    Files count by their md5 (a 4 MB file as text would cost more than the request under test)."""
    selects = []
    for table in Base.metadata.sorted_tables:
        if (tables and table.name not in tables) or (shop_id is not None and "shop_id" not in table.c):
            continue
        row = ", ".join(f'md5("{c.name}")' if isinstance(c.type, LargeBinary) else f'"{c.name}"' for c in table.c)
        where = f" WHERE shop_id = {int(shop_id)}" if shop_id is not None else ""
        fingerprint = "count(*) || '/' || coalesce(max(id), 0)" if table.name in APPEND_ONLY else \
            "md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), ''))"
        # Names from our own metadata, the id an int: nothing here comes from a request.
        selects.append(f"SELECT '{table.name}', {fingerprint} "  # noqa: S608
                       f"FROM (SELECT id, ROW({row}) AS r FROM {table.name}{where}) t")
    with db.engine.connect() as conn:
        return dict(conn.execute(text(" UNION ALL ".join(selects))).all())


def routed(app, method: str, path: str) -> bool:
    try:
        app.url_map.bind("localhost").match(unquote(path), method=method)
    except (NotFound, MethodNotAllowed):
        return False
    return True


def _seed(client, domain: str) -> None:
    """Rows for every route to find, then one valid save through each write route."""
    with db.session() as session:
        shop_id = session.scalar(select(Shop.id).where(Shop.domain == domain))
        session.add(Location(shop_id=shop_id, shopify_id=s.LOCATION, name="Paris DC", city="Paris",
                             country_code="FR", latitude=48.8, longitude=2.3))
        product = Product(shop_id=shop_id, shopify_id=s.PRODUCT, title="Tee")
        session.add(product)
        session.flush()
        session.add(Variant(shop_id=shop_id, shopify_id=s.VARIANT, product_id=product.id, sku="TEE-1"))
        session.add(Customer(shop_id=shop_id, shopify_id=s.CUSTOMER, email="ada@example.com", first_name="Ada"))
        session.add(DataExport(shop_id=shop_id, request_id=f"r-{domain}", customer_shopify_id=s.CUSTOMER,
                               payload={"customer": {"id": s.CUSTOMER}}))
    for route in s.ROUTES:
        if route.method != "GET" and route.body:
            path = route.path.format(location=s.LOCATION, product=s.PRODUCT, customer=s.CUSTOMER, lane=0)
            response = call(client, route.method, path, s.VALID[route.body], shop=domain)
            assert response.status_code < 300 or "{lane}" in route.path, (path, response.get_json())
    upload = client.post("/api/traceability/certificates", headers={"Authorization": bearer(domain)},
                         data={"file": (io.BytesIO(b"%PDF-1.7\nseed"), "seed.pdf")})
    assert upload.status_code == 201, upload.get_json()


@pytest.fixture
def admin(app, simulator, sim_state):
    """SHOP and OTHER installed through the simulator, each with the same ids and a valid save on every route."""
    # A mail server is configured (never reached: a test send is only queued), so send-test can say yes.
    flask_app = create_app(make_config(shopify_admin_base_url=simulator, smtp_url="smtp://127.0.0.1:9"))
    flask_app.config["TESTING"] = True
    client = flask_app.test_client()
    client.ids = {}
    for number, domain in enumerate((SHOP, OTHER), start=1):
        sim = sim_state.add_shop(SimShop(domain=domain, shopify_id=number, name=domain.split(".")[0]))
        sim.data = {k: {} for k in (*catalog.KINDS, "levels", "metafields", "metafield_definitions")}
        assert call(client, "GET", "/api/session", shop=domain).status_code == 200  # installs the shop
        _seed(client, domain)
        with db.session() as session:
            client.ids[domain] = session.scalar(select(Shop.id).where(Shop.domain == domain))
    with db.session() as session:  # ids of both shops: the other shop's must be as unknown as a made-up one
        lanes = list(session.scalars(select(ShippingLane.id)))
        incoming = list(session.scalars(select(IncomingStock.id)))
        exports = list(session.scalars(select(DataExport.id)))
    jobs = [key.decode().removeprefix("rq:job:") for key in redis_handle.conn.scan_iter("rq:job:*")]
    client.known = {"location": [s.LOCATION], "product": [s.PRODUCT], "customer": [s.CUSTOMER], "lane": lanes,
                    "incoming": incoming, "export": exports, "job": jobs or ["none"]}
    client.flask_app = flask_app
    return client


def _request(data, known: dict, route: s.Route) -> tuple[str, s.Body, dict]:
    path = route.path.format(**data.draw(s.path_ids(known)))
    query = data.draw(s.queries)
    body = data.draw(s.bodies(s.VALID[route.body] if route.body else None))
    return (f"{path}?{urlencode(query, doseq=True)}" if query else path), body, data.draw(s.extra_headers)


def assert_refusal_names_the_problem(response) -> None:
    """The house convention: `error` (a sentence) and, for field problems, `errors` keyed by field."""
    assert response.is_json, response.get_data()[:200]
    body = response.json
    assert (isinstance(body.get("error"), str) and body["error"].strip()) or body.get("errors"), body
    if response.status_code == 422:
        assert isinstance(body["errors"], dict) and body["errors"], body
        assert all(isinstance(k, str) and v for k, v in body["errors"].items()), body


def test_requests_with_the_shops_token_never_get_a_5xx_and_stay_in_the_shop(admin):
    other_before = digest(admin.ids[OTHER])
    seen = Counter()

    @fuzz_settings()
    @given(route=st.sampled_from(s.ROUTES), data=st.data())
    def request(route, data):
        url, body, headers = _request(data, admin.known, route)
        before = digest(admin.ids[SHOP], route.tables) if route.tables else None
        response = admin.open(url, method=route.method, data=body.data, content_type=body.content_type,
                              headers={**headers, "Authorization": bearer()})
        seen[response.status_code] += 1
        if route.body:
            seen[("write", response.status_code)] += 1
        assert response.status_code < 500, (route.method, url, body, response.get_data()[:300])
        assert response.status_code != 401, response.get_data()[:200]
        if response.status_code in (404, 405) and not routed(admin.flask_app, route.method, url.split("?")[0]):
            return
        if response.status_code >= 400:
            assert_refusal_names_the_problem(response)
            if before is not None:  # a refused write loses nothing and half-saves nothing
                assert digest(admin.ids[SHOP], route.tables) == before, (route.method, url, body)

    request()
    assert digest(admin.ids[OTHER]) == other_before
    assert sum(n for c, n in seen.items() if isinstance(c, int)) >= EXAMPLES
    # The generated requests get past the token to the views, both to their refusals and to real saves.
    writes = {c: n for (kind, c), n in (i for i in seen.items() if isinstance(i[0], tuple))}
    ok, refused = sum(n for c, n in writes.items() if c < 300), sum(n for c, n in writes.items() if c in (400, 422))
    assert ok >= sum(writes.values()) * 0.1 and refused >= sum(writes.values()) * 0.25, seen


def _tampered(token: str) -> str:
    head, _payload, signature = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["dest"] = f"https://{OTHER}"
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{payload}.{signature}"


def forged(kind: str, junk: str) -> dict[str, str]:
    now = time.time()
    token = mint_id_token(API_KEY, API_SECRET, SHOP)
    headers = {
        "garbage": "Bearer " + junk,
        "no_scheme": token,
        "basic": "Basic " + token,
        "truncated": f"Bearer {token[:-3]}",
        "huge": "Bearer " + "a" * 60_000,
        "expired": bearer(now=now - 3600),
        "not_yet_valid": bearer(now=now + 3600),
        "other_secret": bearer(secret="not-the-app-secret-but-long-enough-32b"),
        "other_app": "Bearer " + mint_id_token("other-app-key", "other-app-secret-long-enough-32b", SHOP),
        "other_app_audience": bearer(aud="other-app-key"),
        "alg_none": "Bearer " + jwt.encode(jwt.decode(token, options={"verify_signature": False}), None,
                                           algorithm="none"),
        "tampered_to_other_shop": "Bearer " + _tampered(token),
        "no_dest": bearer(dest=None),
        "no_audience": bearer(aud=None),
        "bad_dest": bearer(dest="https://evil.example.com"),
        "other_shop_secret": bearer(shop=OTHER, secret="not-the-app-secret-but-long-enough-32b"),
    }
    return {} if kind in ("missing", "query_token") else {"Authorization": headers[kind]}


FORGERIES = ("missing", "query_token", "garbage", "no_scheme", "basic", "truncated", "huge", "expired",
             "not_yet_valid", "other_secret", "other_app", "other_app_audience", "alg_none",
             "tampered_to_other_shop", "no_dest", "no_audience", "bad_dest", "other_shop_secret")


def _redis_keys() -> list[bytes]:
    return sorted(redis_handle.conn.scan_iter("*"))


def test_requests_whose_token_does_not_verify_are_refused_and_change_nothing(admin):
    before, keys_before = digest(None), _redis_keys()
    seen = Counter()

    @fuzz_settings()
    @given(route=st.sampled_from(s.ROUTES), data=st.data(), kind=st.sampled_from(FORGERIES), junk=header_text)
    def request(route, data, kind, junk):
        url, body, headers = _request(data, admin.known, route)
        if kind == "query_token":
            url += ("&" if "?" in url else "?") + urlencode({"id_token": mint_id_token(API_KEY, API_SECRET, SHOP),
                                                             "shop": SHOP})
        response = admin.open(url, method=route.method, data=body.data, content_type=body.content_type,
                              headers={**headers, **forged(kind, junk)})
        seen[response.status_code] += 1
        if response.status_code in (404, 405):
            assert not routed(admin.flask_app, route.method, url.split("?")[0])  # no route: never reached a view
            return
        assert response.status_code == 401, (kind, route.method, url, response.status_code, response.get_data()[:200])

    request()
    assert digest(None) == before and _redis_keys() == keys_before
    assert sum(seen.values()) >= EXAMPLES and seen[401] >= EXAMPLES * 0.75, seen


def test_uploads_never_get_a_5xx_and_a_refused_file_stores_nothing(admin):
    other_before = digest(admin.ids[OTHER])
    seen = Counter()
    tables = ("provenance_records", "certificate_files", "passport_heads")

    @fuzz_settings()
    @given(target=st.sampled_from(["import", "import", "certificate"]), field=s.upload_fields, name=s.filenames,
           as_multipart=st.booleans(), data=st.data())
    def upload(target, field, name, as_multipart, data):
        content = data.draw(s.csv_files if target == "import" else s.certificate_files)
        path = "/api/traceability/import" if target == "import" else "/api/traceability/certificates"
        headers = {"Authorization": bearer()}
        before = digest(admin.ids[SHOP], tables)
        if as_multipart or target == "certificate":
            part_type = data.draw(st.sampled_from(["text/csv", "application/pdf", "image/png", None]))
            file = (io.BytesIO(content), name or "", part_type) if part_type else (io.BytesIO(content), name or "")
            response = admin.post(path, headers=headers, data={field or "file": file},
                                  content_type="multipart/form-data")
        else:
            response = admin.post(path, headers=headers, data=content,
                                  content_type=data.draw(st.sampled_from(["text/csv", "text/plain", None])))
        seen[response.status_code] += 1
        assert response.status_code < 500, (target, name, content[:200], response.get_data()[:300])
        if response.status_code >= 400:
            assert_refusal_names_the_problem(response)
            assert digest(admin.ids[SHOP], tables) == before
            for problem in response.json.get("errors") or []:  # import errors name the row and the column
                assert set(problem) == {"row", "field", "message"}, problem
        elif target == "certificate":
            assert response.json["sha256"] == hashlib.sha256(content).hexdigest()

    upload()
    assert digest(admin.ids[OTHER]) == other_before
    assert sum(seen.values()) >= EXAMPLES and seen[400] >= EXAMPLES * 0.3, seen
