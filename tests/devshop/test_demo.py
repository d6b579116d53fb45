"""`flexchain demo` at a reduced size: built through the simulator and signed webhooks, every dashboard number
non-zero and traceable to the stored data, and a second build the same store, not a doubled one."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from sqlalchemy import func, select

from app.dashboard import read, stats
from app.dashboard.build import local_today
from app.devshop.demo import DEMO_STORE, build
from app.devshop.demo_store import Size
from app.extensions import db
from app.models import (
    Customer,
    Fulfillment,
    Membership,
    Order,
    OrderPromise,
    RecoveryCase,
    RecoveryMessage,
    Refund,
    Shop,
    SpendEntry,
    TierChange,
)
from app.models.recovery import SendState

SMALL = Size(customers=60, orders=160, checkouts_per_day=2, live_days=35)
SHOP_ZONE = ZoneInfo("Asia/Shanghai")  # the demo shop's zone: dashboard days are its days
COUNTED = (Customer, Order, Refund, Fulfillment, OrderPromise, RecoveryCase, RecoveryMessage, SpendEntry, Membership,
           TierChange)


def _counts(shop_id: int) -> dict[str, int]:
    with db.session(shop_id=shop_id) as s:
        counts = {m.__tablename__: s.scalar(select(func.count()).select_from(m).where(m.shop_id == shop_id))
                  for m in COUNTED}
        counts["sent"] = s.scalar(select(func.count()).select_from(RecoveryMessage).where(
            RecoveryMessage.shop_id == shop_id, RecoveryMessage.state == SendState.SENT))
        counts["revenue"] = s.scalar(select(func.sum(Order.total_price)).where(Order.shop_id == shop_id))
    return counts


def _dashboard(shop_id: int) -> tuple[dict, stats.Period]:
    with db.session(shop_id=shop_id) as s:
        shop = s.get(Shop, shop_id)
        period = stats.period_from({"days": "30"}, local_today(shop, "postgresql", datetime.now(UTC)))
        return read.dashboard(s, shop, period), period


def test_the_demo_store_is_built_once_with_every_number_non_zero(app, config):
    first = build(config, size=SMALL)
    first.close()
    counts = _counts(first.shop_id)
    data, period = _dashboard(first.shop_id)

    rec = data["recovery"]
    assert rec["abandoned"] > 0 and rec["reached"] > 0 and rec["converted"] > 0 and rec["recovered_revenue"] > 0
    assert rec["holdout"] > 0 and rec["incremental"]["amount"] != 0
    assert data["offers"] and all(o["conversions"] > 0 for o in data["offers"])
    assert data["members"]["total"] > 0 and len(data["members"]["by_tier"]) >= 2 and data["members"]["by_segment"]
    assert data["tier_moves"] and data["repurchase"] and all(r["orders"] > 0 for r in data["repurchase"])
    assert {r["key"] for r in data["accuracy"]["warehouse"]} >= {"Los Angeles Gateway", "Rotterdam Europoort"}
    assert data["handling"] and sum(h["met"] for h in data["handling"]) > 0
    warehouses = data["stock"]["warehouses"]
    assert len(warehouses) == 3 and sum(w["stockouts"] for w in warehouses) > 0
    assert sum(w["oversells"] for w in warehouses) > 0 and all(w["units_sold"] > 0 for w in warehouses)

    # Traceable: the dashboard's counts are the stored rows' counts.
    with db.session(shop_id=first.shop_id) as s:
        cases = s.scalars(select(RecoveryCase).where(RecoveryCase.abandoned_at.is_not(None))).all()
        countries = {(a or {}).get("country_code") for a in s.scalars(select(Order.shipping_address))}
    in_period = [c for c in cases if period.start <= c.abandoned_at.astimezone(SHOP_ZONE).date() <= period.end]
    assert rec["abandoned"] == len(in_period)
    assert rec["converted"] == sum(1 for c in in_period if c.group == "treatment" and c.status == "converted")
    assert len(countries - {None}) >= 8
    assert counts["sent"] > 0 and counts["spend_entries"] > 0 and counts["order_promises"] > 0

    second = build(config, size=SMALL)
    second.close()
    assert second.shop_id == first.shop_id and second.anchor == first.anchor
    assert _counts(first.shop_id) == counts
    again, _ = _dashboard(first.shop_id)
    assert again["recovery"] == rec and again["members"] == data["members"]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Shop).where(Shop.domain == DEMO_STORE)) == 1


def test_the_command_is_registered_and_validates_its_size():
    from app.cli import main

    result = CliRunner().invoke(main, ["demo", "--no-serve", "--customers", "3"])
    assert result.exit_code == 2 and "--customers" in result.output
    assert "demo" in CliRunner().invoke(main, ["--help"]).output
