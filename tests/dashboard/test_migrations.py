"""Segment and tier migration per month on the dashboard (page, JSON, CSV) from the history rows, and the
recovery test send answering a message the page shows, in the staff member's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import SegmentChange, TierChange
from tests.dashboard.conftest import OTHER, SHOP, call, document

NOW = datetime.now(UTC)


def _moves(shop_id: int, *, hostile: str = "<b>x</b>") -> None:
    with db.session() as s:
        for n, (a, b) in enumerate([(None, "active"), ("active", "dormant"), ("active", "dormant"), (hostile, None)]):
            s.add(SegmentChange(shop_id=shop_id, customer_shopify_id=700 + n, from_segment=a, to_segment=b,
                                at=NOW - timedelta(days=1)))
        s.add(TierChange(shop_id=shop_id, customer_shopify_id=700, from_tier="Bronze", to_tier="Silver",
                         reason="spend", at=NOW - timedelta(days=1)))
        # Long before the period: not shown.
        s.add(SegmentChange(shop_id=shop_id, customer_shopify_id=799, from_segment="active", to_segment="churned",
                            at=NOW - timedelta(days=400)))


def test_segment_moves_per_month_reach_the_json_csv_and_page(admin):
    _moves(admin.shop_ids[SHOP])
    _moves(admin.shop_ids[OTHER])  # another shop's history never shows
    month = (NOW - timedelta(days=1)).strftime("%Y-%m")
    data = call(admin, "GET", "/api/dashboard?days=30").json["migrations"]
    assert {"month": month, "from": "active", "to": "dormant", "customers": 2} in data["segments"]
    assert sum(m["customers"] for m in data["segments"]) == 4 and all(m["to"] != "churned" for m in data["segments"])
    assert data["tiers"] == [{"month": month, "from": "Bronze", "to": "Silver", "customers": 1}]
    csv_text = call(admin, "GET", "/api/dashboard.csv?days=30").get_data(as_text=True)
    assert "segment_migration_by_month" in csv_text and f"{month},active,dormant,2" in csv_text
    page = document(admin, "/dashboard", locale="zh-CN").get_data(as_text=True)
    assert "按月份的客群迁移" in page and "未评分" in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_the_test_send_answers_a_message_in_the_staff_language(admin, config):
    from app import create_app

    app = create_app(config.with_overrides(smtp_url="smtp://127.0.0.1:2525?starttls=off",
                                           shopify_admin_base_url=admin.application.config["FLEXCHAIN"]
                                           .shopify_admin_base_url))
    client = app.test_client()
    english = call(client, "POST", "/api/recovery/send-test", {"stage": 1, "email": "me@acme.example"})
    assert english.status_code == 202 and english.json["message"] == (
        "Test mail queued for me@acme.example: it arrives within a minute.")
    chinese = call(client, "POST", "/api/recovery/send-test", {"stage": 1, "email": "me@acme.example"},
                   locale="zh-CN")
    assert chinese.json["message"] == "测试邮件已排队发送至 me@acme.example，一分钟内送达。"
