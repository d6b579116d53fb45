"""The dashboard: daily tables rebuilt by the job (twice is once), numbers for a period and the previous one,
incremental revenue equal to the recovery report's, CSV safe in spreadsheets, one shop's data only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.dashboard.build import refresh
from app.dashboard.export import cell
from app.extensions import db
from app.models import Checkout, Membership, Order, OrderPromise, RecoveryCase, RecoveryMessage, Shop, TierChange
from app.models.dashboard import DASHBOARD_TABLES
from app.recovery import report
from tests.dashboard.conftest import OTHER, SHOP, call, document

NOW = datetime.now(UTC)


def _seed(shop_id: int, *, cases: int = 12, hostile: str = "=HYPERLINK(\"http://x\")") -> None:
    with db.session() as s:
        for n in range(cases):
            at = NOW - timedelta(days=n % 6 + 1, hours=1)
            checkout = Checkout(shop_id=shop_id, token=f"tok-{shop_id}-{n}", currency="USD", total_price=Decimal(100))
            s.add(checkout)
            s.flush()
            holdout = n % 4 == 0
            converted = n % 3 == 0
            case = RecoveryCase(shop_id=shop_id, checkout_id=checkout.id,
                                status="converted" if converted else "abandoned",
                                email=f"s{n}@example.com", group="holdout" if holdout else "treatment",
                                abandoned_at=at, value=Decimal(100), currency="USD",
                                converted_at=at + timedelta(hours=5) if converted else None,
                                revenue=Decimal(80 + n) if converted else None,
                                attributed_stage=1 if converted and not holdout else None,
                                attributed_offer=hostile[:24] if converted and not holdout else None)
            s.add(case)
            s.flush()
            if not holdout:
                s.add(RecoveryMessage(shop_id=shop_id, case_id=case.id, stage=1, email=case.email, state="sent",
                                      scheduled_for=at, not_after=at + timedelta(days=1),
                                      sent_at=at + timedelta(hours=1)))
        for n, tier in enumerate(("Gold", "Gold", "Silver", hostile)):
            s.add(Membership(shop_id=shop_id, customer_shopify_id=500 + n, tier=tier, tier_since=NOW,
                             trailing_spend=Decimal(1000), segment="active"))
            for k in range(2):
                s.add(Order(shop_id=shop_id, shopify_id=9000 + n * 10 + k, customer_shopify_id=500 + n, currency="USD",
                            total_price=Decimal(50), processed_at=NOW - timedelta(days=3 - k)))
        s.add(TierChange(shop_id=shop_id, customer_shopify_id=500, from_tier="Silver", to_tier="Gold", reason="spend",
                         at=NOW - timedelta(days=2)))
        for k, outcome in enumerate(("on_time", "on_time", "late")):
            s.add(OrderPromise(shop_id=shop_id, order_shopify_id=9000 + k, location_shopify_id=77, country="US",
                               service_level="standard", tier="gold", outcome=outcome,
                               days_late=2 if outcome == "late" else -1,
                               delivered_on=(NOW - timedelta(days=1)).date()))


def _refresh(shop_id: int) -> None:
    with db.session(shop_id=shop_id) as s:
        refresh(s, s.get(Shop, shop_id), NOW)


def _rows() -> dict[str, int]:
    with db.session() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) for m in DASHBOARD_TABLES}


def test_the_job_builds_the_numbers_and_running_it_again_changes_nothing(admin):
    shop_id = admin.shop_ids[SHOP]
    _seed(shop_id)
    _refresh(shop_id)
    first = _rows()
    _refresh(shop_id)
    assert _rows() == first
    body = call(admin, "GET", "/api/dashboard?days=30").get_json()
    rec = body["recovery"]
    assert rec["abandoned"] == 12 and rec["holdout"] == 3 and rec["treatment"] == 9
    assert rec["reached"] == 9
    assert rec["converted"] == 3  # n = 3, 6, 9
    assert rec["recovered_revenue"] == 83 + 86 + 89
    # The interval from daily sums is the recovery report's, computed from every case.
    with db.session() as s:
        direct = report.summary(s, shop_id)["incremental_revenue"]
    assert round(rec["incremental"]["amount"], 2) == float(direct["amount"])
    assert round(rec["incremental"]["low"], 2) == float(direct["low"])
    assert {t["tier"]: t["members"] for t in body["members"]["by_tier"]}["Gold"] == 2
    assert body["tier_moves"] == [{"from": "Silver", "to": "Gold", "moves": 1}]
    gold = next(r for r in body["repurchase"] if r["tier"] == "Gold")
    assert gold["orders"] == 4 and gold["repeat_orders"] == 2
    (warehouse,) = body["accuracy"]["warehouse"]
    assert warehouse["delivered"] == 3 and abs(warehouse["on_time"] - 2 / 3) < 1e-9
    assert warehouse["mean_days_late"] == 0.0
    # Promises carry the tier's slug ("gold"); the merchant reads the tier's name.
    assert [t["key"] for t in body["accuracy"]["tier"]] == ["Gold"]
    # Nothing happened in the previous 30 days.
    assert body["recovery_previous"]["abandoned"] == 0


def test_each_shop_sees_only_its_own_numbers(admin):
    _seed(admin.shop_ids[SHOP])
    _refresh(admin.shop_ids[SHOP])
    _refresh(admin.shop_ids[OTHER])
    body = call(admin, "GET", "/api/dashboard?days=7", shop=OTHER).get_json()
    assert body["recovery"]["abandoned"] == 0 and body["members"]["total"] == 0


def test_the_page_shows_kpis_charts_and_hostile_names_as_text(admin):
    _seed(admin.shop_ids[SHOP], hostile="<script>alert(1)</script>")
    _refresh(admin.shop_ids[SHOP])
    html = document(admin, "/dashboard", days="30").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count('<svg class="chart"') == 4
    assert 'data-testid="kpi-abandoned"' in html
    zh = document(admin, "/dashboard", days="30", locale="zh-CN").text
    assert "放弃的结账" in zh and "挽回率" in zh


def test_a_bad_period_is_refused_with_a_message_for_the_field(admin):
    response = call(admin, "GET", "/api/dashboard?from=2025-02-10&to=2025-01-01")
    assert response.status_code == 400
    assert "period" in response.get_json()["errors"]
    assert call(admin, "GET", "/api/dashboard?days=13").status_code == 400
    html = document(admin, "/dashboard", **{"from": "nonsense", "to": "x"}).text
    assert "Enter both dates as YYYY-MM-DD." in html
    zh = document(admin, "/dashboard", locale="zh-CN", **{"from": "nonsense", "to": "x"}).text
    assert "请按 YYYY-MM-DD 格式填写两个日期。" in zh


def test_csv_export_neutralises_formulas(admin):
    _seed(admin.shop_ids[SHOP])
    _refresh(admin.shop_ids[SHOP])
    response = call(admin, "GET", "/api/dashboard.csv?days=30")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    offers = [r for r in rows if r and r[0].startswith("'=HYPERLINK")]
    tiers = [r for r in rows if r and r[0] == "'=HYPERLINK(\"http://x\")" and r[1] == "1"]
    assert offers and tiers
    assert not any(c.startswith("=") for r in rows for c in r)
    assert cell("-12.5") == "-12.5" and cell("-1+2") == "'-1+2" and cell("@SUM(A1)") == "'@SUM(A1)"
    assert cell(3) == "3" and cell(None) == ""
