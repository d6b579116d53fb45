"""The admin API and the public passport through the app proxy, with hostile strings through every path:
stored as typed, escaped in HTML, inert as Liquid (rendered the way Shopify renders an app-proxy page),
exact in JSON, and verifiable from the downloaded file and the published key set alone."""

from __future__ import annotations

import html as html_module
import json

import pytest
from liquid import Environment

from app.traceability.passport import verify_document
from tests.traceability.conftest import GOOD, OTHER, PRODUCT, SHOP, admin, proxied
from tests.traceability.hostile import HOSTILE

RECORDS = f"/api/traceability/products/{PRODUCT}/records"


def test_record_list_and_passport(web):
    created = admin(web, "POST", RECORDS, GOOD)
    assert created.status_code == 201 and created.json["added"] == [1]
    again = admin(web, "POST", RECORDS, GOOD)  # a retried request records nothing new
    assert again.status_code == 200 and again.json == {**created.json, "added": [], "duplicates": [1]}
    listed = admin(web, "GET", RECORDS).json
    assert listed["verification"] == {"ok": True, "problem": None, "length": 1}
    assert listed["passport_url"].endswith(f"/store/{SHOP}/apps/flexchain/passport/{PRODUCT}")


@pytest.mark.parametrize(("body", "status", "needle"), [
    ("not json", 400, "JSON object"),
    ([GOOD], 400, "JSON object"),
    ({"steps": []}, 400, "1 to 100"),
    ({**GOOD, "date": "yesterday"}, 400, "YYYY-MM-DD"),
    ({"steps": [GOOD, {**GOOD, "stage": "x"}]}, 400, "one of"),
])
def test_bad_input_is_refused_and_records_nothing(web, body, status, needle):
    response = (admin(web, "POST", RECORDS, data=body, content_type="application/json") if isinstance(body, str)
                else admin(web, "POST", RECORDS, body))
    assert response.status_code == status and needle in json.dumps(response.json)
    assert admin(web, "GET", RECORDS).json["records"] == []


def test_another_shops_product_is_not_found(web):
    assert admin(web, "POST", "/api/traceability/products/999/records", GOOD).status_code == 404
    admin(web, "POST", RECORDS, GOOD, shop=OTHER)
    assert admin(web, "GET", RECORDS).json["records"] == []


def test_csv_import_all_or_nothing_and_idempotent(web):
    csv = ("product_id,stage,place,date,certificate,certificate_url\n"
           f"{PRODUCT},raw_material,Biella,2026-03-02,GOTS,https://e.org/g\n"
           f"{PRODUCT},packing,Porto,2026-04-01,,\n")
    bad = csv + "999,packing,Porto,2026-04-01,,\n"
    refused = admin(web, "POST", "/api/traceability/import", data=bad.encode(), content_type="text/csv")
    assert refused.status_code == 400 and refused.json["errors"][0]["message"] == "product 999 is not in this store"
    assert admin(web, "GET", RECORDS).json["records"] == []
    first = admin(web, "POST", "/api/traceability/import", data=csv.encode(), content_type="text/csv")
    assert first.status_code == 201 and first.json == {"products": 1, "added": 2, "duplicates": 0}
    again = admin(web, "POST", "/api/traceability/import",
                  data={"file": (__import__("io").BytesIO(csv.encode()), "p.csv")}, content_type="multipart/form-data")
    assert again.status_code == 200 and again.json == {"products": 1, "added": 0, "duplicates": 2}


def test_hostile_strings_through_every_path(web):
    steps = [{**GOOD, "place": text, "actor": text, "description": text, "lot": text[:64],
              "certificates": [{"name": text[:120], "url": "https://example.org/?q=%3Cx%3E&a={{b}}"}]}
             for text in HOSTILE]
    assert admin(web, "POST", RECORDS, {"steps": steps}).status_code == 201
    # JSON (admin API and the downloadable passport) keeps every string exactly.
    listed = admin(web, "GET", RECORDS).json["records"]
    assert [r["place"] for r in listed] == HOSTILE
    download = web.get(proxied(f"/passport/{PRODUCT}.json"))
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    doc = json.loads(download.get_data(as_text=True))
    assert [r["actor"] for r in doc["records"]] == HOSTILE
    # Anyone can verify the file with the published key set, without our server.
    jwks = web.get(proxied("/jwks.json")).json
    assert verify_document(doc, jwks).ok

    page = web.get(proxied(f"/passport/{PRODUCT}"))
    assert page.status_code == 200 and page.mimetype == "application/liquid"
    html = page.get_data(as_text=True)
    assert "<script>alert" not in html and "{{" not in html.split("</style>", 1)[1]
    assert "{%" not in html and "<b>{{" not in html
    # Shopify renders the page as Liquid inside the theme: nothing the merchant typed is evaluated.
    rendered = Environment().from_string(html).render(shop={"name": "LEAKED"})
    assert "LEAKED" not in rendered
    assert 'data-verified="true"' in rendered
    # What the shopper reads (the page's text) is exactly what the merchant typed.
    shown = html_module.unescape(rendered)
    for text in HOSTILE:
        assert text in shown

def test_passport_pages_need_a_signed_proxy_request(web):
    assert web.get(f"/proxy/passport/{PRODUCT}").status_code == 401
    assert web.get(proxied("/passport/999")).status_code == 404
    assert web.get(proxied(f"/passport/{PRODUCT}.json")).status_code == 404  # nothing recorded yet


def test_qr_code_is_an_svg_of_the_passport_url(web):
    admin(web, "POST", RECORDS, GOOD)
    svg = web.get(proxied(f"/passport/{PRODUCT}/qr.svg"))
    assert svg.mimetype == "image/svg+xml" and svg.get_data().startswith(b"<svg")
    download = web.get(proxied(f"/passport/{PRODUCT}/qr.svg", download="1"))
    assert download.headers["Content-Disposition"] == f'attachment; filename="passport-{PRODUCT}-qr.svg"'


def test_tampered_records_show_as_not_verified(web):
    admin(web, "POST", RECORDS, GOOD)
    from sqlalchemy import text

    from app.extensions import db
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE provenance_records SET footprint_kg = '0.1'"))
    page = web.get(proxied(f"/passport/{PRODUCT}")).get_data(as_text=True)
    assert 'data-verified="false"' in page and "was changed after it was recorded" in page
    assert admin(web, "GET", RECORDS).json["verification"]["ok"] is False


def test_admin_page_lists_the_chain_escaped(web):
    admin(web, "POST", RECORDS, {**GOOD, "place": "<script>x</script>"})
    from urllib.parse import urlencode

    from app.devshop.idtoken import mint_id_token
    from tests.conftest import API_KEY, API_SECRET
    query = urlencode({"embedded": "1", "shop": SHOP, "id_token": mint_id_token(API_KEY, API_SECRET, SHOP)})
    html = web.get(f"/traceability?{query}").get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    assert "chain and signature verified" in html


@pytest.mark.parametrize(("locale", "title", "stage"), [
    ("fr", "Passeport produit", "Matière première"),
    ("ja", "製品パスポート", "原材料"),
    ("zh-CN", "产品护照", "原材料"),
    ("pt-BR", "Product passport", "Raw material"),  # a language we do not have: English
])
def test_the_passport_page_speaks_the_shoppers_language(web, locale, title, stage):
    admin(web, "POST", RECORDS, {**GOOD, "stage": "raw_material"})
    html = web.get(proxied(f"/passport/{PRODUCT}", locale=locale)).get_data(as_text=True)
    assert f"<h1>{title}: " in html
    assert f"<strong>{stage}</strong>" in html
    assert 'data-verified="true"' in html


PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_certificate_file_is_stored_once_linked_by_its_hash_and_served_as_a_download(web):
    import hashlib
    import io

    def upload(data: bytes, name: str):
        return admin(web, "POST", "/api/traceability/certificates", data={"file": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")

    first = upload(PDF, "GOTS <2026>.pdf")
    assert first.status_code == 201
    digest = hashlib.sha256(PDF).hexdigest()
    assert first.json["sha256"] == digest and first.json["url"].endswith(f"/certificates/{digest}")
    assert first.json["filename"] == "GOTS-2026.pdf"
    assert upload(PDF, "again.pdf").json["url"] == first.json["url"]  # the same bytes: the same address
    # The record links to it; the signed chain covers the address, and the address names the bytes.
    assert admin(web, "POST", RECORDS, {**GOOD, "certificates": [
        {"name": "GOTS", "url": first.json["url"]}]}).status_code == 201
    served = web.get(proxied(f"/certificates/{digest}"))
    assert served.status_code == 200 and served.data == PDF
    assert served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(served.data).hexdigest() == digest


@pytest.mark.parametrize(("data", "message"), [
    (b"<html><script>alert(1)</script></html>", "PDF, PNG or JPEG"),  # a page in disguise is refused
    (b"", "empty"),
    (b"%PDF-" + b"0" * (4 * 1024 * 1024), "larger than 4 MB"),
])
def test_other_uploads_are_refused_and_nothing_is_stored(web, data, message):
    import io

    refused = admin(web, "POST", "/api/traceability/certificates",
                    data={"file": (io.BytesIO(data), "x.pdf")}, content_type="multipart/form-data")
    assert refused.status_code == 400 and message in refused.json["error"]


def test_certificates_are_the_shops_own(web):
    assert web.get(proxied(f"/certificates/{'0' * 64}")).status_code == 404
    assert web.get(proxied("/certificates/not-a-hash")).status_code == 404
    assert web.get(f"/proxy/certificates/{'0' * 64}").status_code == 401
