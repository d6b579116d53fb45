"""The Passports admin page and its API in Simplified Chinese: no English label left on the page, and the
refused fields and CSV rows reported in Chinese under the same field and column names."""

from __future__ import annotations

from urllib.parse import urlencode

from app.devshop.idtoken import mint_id_token
from tests.conftest import API_KEY, API_SECRET
from tests.support.i18n import catalogue, english_left, template_messages
from tests.traceability.conftest import GOOD, PRODUCT, SHOP, admin

RECORDS = f"/api/traceability/products/{PRODUCT}/records"
IMPORT = "/api/traceability/import"


def in_chinese(client, path, body=None, **kwargs):
    headers = {"Authorization": f"Bearer {mint_id_token(API_KEY, API_SECRET, SHOP)}", "X-Flexchain-Locale": "zh-CN"}
    return client.open(path, method="POST", headers=headers, json=body, **kwargs)


def _page(client, **params) -> str:
    query = urlencode({"embedded": "1", "shop": SHOP, "id_token": mint_id_token(API_KEY, API_SECRET, SHOP), **params})
    return client.get(f"/traceability?{query}").get_data(as_text=True)


def test_the_passports_page_in_chinese_has_no_english_left(web):
    assert admin(web, "POST", RECORDS, {**GOOD, "lot": "L-7"}).status_code == 201
    assert admin(web, "POST", RECORDS, {**GOOD, "stage": "packing", "supersedes": "1"}).status_code == 201
    html = _page(web, locale="zh-CN")
    for words in ("<h1>产品护照</h1>", "&lt;/b&gt; （2 条记录）</option>", "2 条记录，哈希链和签名均已验证",
                  "<strong>原材料</strong>", "<strong>包装</strong>", "2026年3月2日", "批次 L-7",
                  "更正第 1 条记录", "记录一个环节", '<span class="label">地点</span>',
                  '<option value="quality_check">质量检验</option>', "导入 CSV",
                  'data-row-field="第 {row} 行（{field}）：{message}"'):
        assert words in html, words
    left = english_left(html, template_messages("traceability.html", "base.html", "nav.html"), catalogue("zh_CN"))
    assert left == []
    english = _page(web)
    assert "2 records, chain and signature verified" in english and "<strong>Raw material</strong>" in english


def test_a_tampered_chain_says_why_in_chinese(web):
    admin(web, "POST", RECORDS, GOOD)
    from sqlalchemy import text

    from app.extensions import db
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE provenance_records SET footprint_kg = '0.1'"))
    assert "✗ 验证未通过：第 1 条记录在录入后被修改过" in _page(web, locale="zh-CN")
    assert "✗ Does not verify: record 1 was changed after it was recorded" in _page(web)


def test_refused_fields_are_reported_in_chinese_under_their_names(web):
    response = in_chinese(web, RECORDS, {**GOOD, "place": "", "date": "yesterday", "latitude": "91"})
    assert response.status_code == 400
    assert response.json == {"error": "部分字段无效，未记录任何内容。",
                             "errors": {"place": "必填", "date": "日期格式必须为 YYYY-MM-DD",
                                        "latitude": "必须是 -90 到 90 之间的数字"}}
    english = admin(web, "POST", RECORDS, {**GOOD, "place": ""}).json
    assert english["errors"] == {"place": "is required"}


def test_csv_rows_are_reported_in_chinese_row_by_row(web):
    csv = ("product_id,stage,place,date\n"
           f"{PRODUCT},raw_material,Biella,2026-03-02\n"
           f"{PRODUCT},dyeing,Prato,03/04/2026\n"
           "x,packing,Porto,2026-04-01\n")
    refused = in_chinese(web, IMPORT, data=csv.encode(), content_type="text/csv")
    assert refused.status_code == 400
    assert refused.json == {"error": "文件未导入；请修正以下各行后重新上传。", "errors": [
        {"row": 3, "field": "stage",
         "message": "必须是以下之一：raw_material, production, quality_check, packing, shipping"},
        {"row": 3, "field": "date", "message": "日期格式必须为 YYYY-MM-DD"},
        {"row": 4, "field": "product_id", "message": "必须是产品在 Shopify 中的数字 ID"}]}
    header = in_chinese(web, IMPORT, data=b"product_id,stage,colour\n1,packing,red\n", content_type="text/csv")
    header = header.json["errors"]
    assert {"row": 1, "field": "place", "message": "缺少此必填列"} in header
    unknown_csv = b"product_id,stage,place,date\n999,packing,Porto,2026-04-01\n"
    unknown = in_chinese(web, IMPORT, data=unknown_csv, content_type="text/csv").json["errors"]
    assert unknown == [{"row": 0, "field": "product_id", "message": "产品 999 不在此店铺中"}]
    assert admin(web, "GET", RECORDS).json["records"] == []
