"""The admin in Simplified Chinese: the catalogues cover every marked message, the Warehouses page keeps no
English label, and the JSON APIs' field messages read in the staff member's language under unchanged keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Location
from tests.dashboard.conftest import SHOP, call, document
from tests.support.i18n import catalogue, english_left, placeholders, source_messages, template_messages

LOCATION = 77
WAREHOUSE_TEMPLATES = ("warehouses.html", "warehouses_fields.html", "warehouses_lane.html", "base.html", "nav.html")


def test_the_template_holds_exactly_what_the_sources_mark():
    """A message added to a page or a rule without running the extraction fails here, not in Chinese."""
    pot = {m.id for m in catalogue() if m.id}
    assert source_messages() == pot


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
def test_each_catalogue_lists_every_message_of_the_template(locale):
    pot = {m.id for m in catalogue() if m.id}
    po = {m.id for m in catalogue(locale) if m.id}
    assert sorted(map(str, pot - po)) == [] and sorted(map(str, po - pot)) == []


def test_every_message_has_a_chinese_translation_with_the_same_placeholders():
    missing, mismatched = [], []
    for message in catalogue("zh_CN"):
        if not message.id:
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        if not all(forms):
            missing.append(source)
        elif any(placeholders(form) != placeholders(source) for form in forms):
            mismatched.append(source)
    assert missing == [] and mismatched == []


@pytest.fixture
def warehouse(admin):
    shop_id = admin.shop_ids[SHOP]
    with db.session(shop_id=shop_id) as s:
        s.add(Location(shop_id=shop_id, shopify_id=LOCATION, name="Rotterdam DC", city="Rotterdam", country_code="NL",
                       latitude=51.9, longitude=4.5))
    base = f"/api/warehouses/{LOCATION}"
    lane = {"country": "DE", "service_level": "express", "min_days": "1", "max_days": "2", "mode": "road"}
    assert call(admin, "PUT", f"{base}/lanes", lane).status_code == 200
    return base


def test_the_warehouses_page_in_chinese_has_no_english_left(admin, warehouse):
    html = document(admin, "/warehouses", locale="zh-CN").text
    for words in ("<h1>仓库</h1>", "订单路由", "保存订单路由", "向顾客显示的名称",
                  "每日订单截止时间（HH:MM，当地时间）", "周一", "周日", "按会员等级加快处理",
                  "运输线路", "特快", "公路", "保存线路", "添加线路",
                  "即将到货的库存", "尚未录入补货。", "添加补货", 'data-saving="正在保存…"'):
        assert words in html, words
    left = english_left(html, template_messages(*WAREHOUSE_TEMPLATES), catalogue("zh_CN"))
    assert left == []
    english = document(admin, "/warehouses").text
    assert "Order routing" in english and "Mon" in english and "Add lane" in english


def test_a_restock_date_and_quantity_are_written_the_chinese_way(admin, warehouse):
    from app.models import Product, Variant

    shop_id = admin.shop_ids[SHOP]
    with db.session(shop_id=shop_id) as s:
        product = Product(shop_id=shop_id, shopify_id=880, title="Tee")
        s.add(product)
        s.flush()
        s.add(Variant(shop_id=shop_id, shopify_id=8800, product_id=product.id, sku="TEE-1"))
    day = (datetime.now(UTC) + timedelta(days=10)).date()
    saved = call(admin, "PUT", f"{warehouse}/incoming", {"variant": "TEE-1", "quantity": "1200",
                                                        "expected_on": day.isoformat()})
    assert saved.status_code == 200, saved.get_json()
    html = document(admin, "/warehouses", locale="zh-CN").text
    assert f"{day.year}年{day.month}月{day.day}日 到货 1,200 × TEE-1" in html


def test_an_invalid_warehouse_save_answers_chinese_messages_under_the_same_keys(admin, warehouse):
    body = {"cutoff": "25:00", "timezone": "Mars/Olympus", "handling_days": "lots",
            "tier_handling": {"Gold Club!": {"days": "0"}}}
    english = call(admin, "PUT", warehouse, body).get_json()["errors"]
    chinese = call(admin, "PUT", warehouse, body, locale="zh-CN").get_json()["errors"]
    assert set(chinese) == set(english) == {"cutoff", "timezone", "handling_days", "tier_handling"}
    assert chinese == {"cutoff": "请使用 24 小时制的 HH:MM 格式，例如 14:00。",
                       "timezone": "请使用 IANA 时区，例如 Europe/Paris。",
                       "handling_days": "必须是整数。",
                       "tier_handling": "“gold club!”不是有效的等级名称（只能使用小写字母、数字、- 和 _）。"}
    assert english["cutoff"] == "Use HH:MM on a 24-hour clock, such as 14:00."
    nested = call(admin, "PUT", warehouse, {"tier_handling": {"gold": {"hours": "999"}}}, locale="zh-CN")
    assert nested.get_json()["errors"] == {"tier_handling": "gold：必须介于 0 和 168 之间。"}
    lane = call(admin, "PUT", f"{warehouse}/lanes", {"country": "", "service_level": "overnight", "min_days": "1",
                                                     "max_days": "3"}, locale="zh-CN")
    assert lane.get_json()["errors"] == {"country": "必填。",
                                         "service_level": "请从以下选项中选择一个：economy, express, standard。"}
    missing = call(admin, "PUT", "/api/warehouses/999/lanes", {}, locale="zh-CN")
    assert (missing.status_code, missing.get_json()["error"]) == (404, "此店铺中没有该仓库。")


def test_membership_rules_across_fields_answer_in_chinese(admin):
    tiers = [{"name": "Bronze", "threshold": "0"}, {"name": "Gold", "threshold": "0"}]
    response = call(admin, "PUT", "/api/membership/settings", {"tiers": tiers}, locale="zh-CN")
    assert response.status_code == 422
    assert response.get_json() == {"error": "部分设置无效，未保存任何内容。",
                                   "errors": {"tiers": "“Gold”所需的消费额必须高于“Bronze”"}}
    rules = call(admin, "PUT", "/api/membership/settings", {"tiers": tiers[:1], "rules": {
        "new_days": "90", "dormant_days": "30"}}, locale="zh-CN").get_json()["errors"]
    assert rules == {"rules": "天数须满足：新客 ≤ 沉睡 < 已流失"}
    perks = call(admin, "PUT", "/api/membership/perks",
                 {"tiers": {"Gold": {"discount_percent": "95"}}}, locale="zh-CN").get_json()["errors"]
    assert perks == {"perks.Gold": "Gold：折扣必须介于 0 和 90 之间"}
    english = call(admin, "PUT", "/api/membership/perks", {"tiers": {"Gold": {"discount_percent": "95"}}})
    assert english.get_json()["errors"] == {"perks.Gold": "Gold: discount must be from 0 to 90"}


def test_an_invalid_recovery_settings_save_answers_chinese_messages(admin):
    body = {"quiet_start": "25:00", "brand_color": "red", "holdout_percent": "80",
            "stages": {"1": {"start_hours": 10, "end_hours": 5}}}
    response = call(admin, "PUT", "/api/recovery/settings", body, locale="zh-CN")
    assert response.status_code == 400
    data = response.get_json()
    assert data["error"] == "部分设置无效，未保存任何内容。"
    assert data["errors"] == {"quiet_start": "请按 HH:MM 格式输入时间，例如 21:00。",
                              "brand_color": "请按 #RRGGBB 格式输入颜色。",
                              "holdout_percent": "请输入 0 到 50 之间的整数。",
                              "stages.1.end_hours": "阶段的结束时间必须晚于开始时间。"}
    english = call(admin, "PUT", "/api/recovery/settings", body).get_json()["errors"]
    assert set(english) == set(data["errors"]) and english["quiet_start"] == "Enter a time as HH:MM, like 21:00."
