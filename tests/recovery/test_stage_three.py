"""Stage 3: the last reminder goes shortly before Shopify drops the checkout; the back-in-stock notice goes when
an inventory webhook brings back stock for a line that was short at abandonment, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.devshop.sender import build_payload
from app.extensions import db
from app.mail.smtp import Mailer, parse_url
from app.models.recovery import RecoveryWaitingItem
from app.recovery import sending
from tests.recovery.conftest import checkout_payload, set_settings
from tests.recovery.test_flow import cases, messages
from tests.store.factories import SHOP
from tests.supply.orders_factories import ITEM, RENO, V1, V3, iso
from worker.jobs import recovery as jobs


def _stock(post, variant: int, units: int, at: datetime) -> None:
    item = ITEM[variant]
    post("inventory_levels/update", build_payload(
        "inventory_levels/update", shop_domain=SHOP, inventory_item_id=item, location_id=RENO, available=units,
        updated_at=iso(at), admin_graphql_api_id=f"gid://shopify/InventoryLevel/{RENO}?inventory_item_id={item}"))


def _send_at(store: int, smtp_url: str, moment: datetime) -> dict:
    with db.session(shop_id=store) as s:
        token, ids = sending.claim(s, store, moment)
    with Mailer(parse_url(smtp_url)) as mailer:
        return sending.send_claimed(store, token, ids, mailer, lambda: moment, jobs.context()).counts


def _waiting(store: int) -> list[tuple[int, int]]:
    with db.session(shop_id=store) as s:
        return [(w.variant_id, w.quantity) for w in s.scalars(select(RecoveryWaitingItem))]


def test_the_last_reminder_is_planned_before_the_checkout_expires(app, store, post):
    set_settings(store, stages={"3": {"last_reminder_lead_hours": 36}})
    updated = datetime.now(UTC) - timedelta(hours=2)
    post("checkouts/create", checkout_payload("exp-1", updated=updated))  # started 5 minutes before that
    jobs.detect()
    last = next(m for m in messages(store) if m.stage == 3)
    expires = updated - timedelta(minutes=5) + timedelta(days=30)
    assert (last.kind, last.scheduled_for, last.not_after) == ("timed", expires - timedelta(hours=36), expires)


def test_stock_returning_for_a_short_line_sends_one_back_in_stock_notice(app, store, post, smtp):
    url, inbox = smtp
    post("checkouts/create", checkout_payload("short-1", lines=((V1, 1), (V3, 2))))  # V3: no stock anywhere
    jobs.detect()
    (case,) = cases(store)
    assert _waiting(store) == [(V3, 2)]
    assert jobs.send_due(store) == {"sent": 1}  # stage 1, a plain reminder: V3 cannot ship
    # One unit back: not enough for the two in the cart, so nobody is told.
    _stock(post, V3, 1, datetime.now(UTC))
    assert [m.kind for m in messages(store)] == ["timed", "timed"]
    # Enough is back: the notice is scheduled for when stage 3 opens, not for today.
    _stock(post, V3, 4, datetime.now(UTC) + timedelta(seconds=1))
    notice = next(m for m in messages(store) if m.kind == "stock")
    assert (notice.stage, notice.state) == (3, "scheduled")
    assert notice.scheduled_for == case.abandoned_at + timedelta(days=7)
    # The same webhook again (or another stock change) adds nothing.
    _stock(post, V3, 5, datetime.now(UTC) + timedelta(seconds=2))
    assert sum(m.kind == "stock" for m in messages(store)) == 1
    assert _send_at(store, url, notice.scheduled_for + timedelta(minutes=1)) == {"sent": 1}
    mail = inbox.messages[-1]
    assert "Good news: your items are back in stock." in mail.get_body(("plain",)).get_content()
    assert next(m for m in messages(store) if m.kind == "stock").offer == "back_in_stock"
    assert _waiting(store) == []  # told once: later returns of stock say nothing new
    _stock(post, V3, 6, datetime.now(UTC) + timedelta(seconds=3))
    assert sum(m.kind == "stock" for m in messages(store)) == 1


def test_a_notice_whose_stock_left_again_is_skipped_and_rearmed_by_the_next_return(app, store, post, smtp):
    url, inbox = smtp
    post("checkouts/create", checkout_payload("short-2", lines=((V3, 1),)))
    jobs.detect()
    jobs.send_due(store)
    _stock(post, V3, 3, datetime.now(UTC))
    notice = next(m for m in messages(store) if m.kind == "stock")
    _stock(post, V3, 0, datetime.now(UTC) + timedelta(seconds=1))  # sold out again before stage 3 opens
    assert _send_at(store, url, notice.scheduled_for + timedelta(minutes=1)) == {"skipped": 1}
    assert next(m for m in messages(store) if m.kind == "stock").reason == "nothing in stock to offer"
    _stock(post, V3, 2, datetime.now(UTC) + timedelta(seconds=2))
    assert next(m for m in messages(store) if m.kind == "stock").state == "scheduled"


def test_no_notice_for_the_holdout_nor_for_lines_that_were_in_stock(app, store, post):
    set_settings(store, holdout_percent=50)
    for n in range(8):
        post("checkouts/create", checkout_payload(f"hold-s{n}", email=f"h{n}@example.com", lines=((V3, 1),)),
             run=True)
    post("checkouts/create", checkout_payload("in-stock", email="ok@example.com", lines=((V1, 1),)))
    jobs.detect()
    groups = {c.id: c.group for c in cases(store)}
    assert set(groups.values()) == {"treatment", "holdout"}
    _stock(post, V3, 50, datetime.now(UTC))
    _stock(post, V1, 50, datetime.now(UTC) + timedelta(seconds=1))
    noticed = {m.case_id for m in messages(store) if m.kind == "stock"}
    assert noticed and all(groups[c] == "treatment" for c in noticed)
    assert noticed == {c for c, g in groups.items() if g == "treatment"} - {cases(store)[-1].id}


def test_a_restock_date_entered_in_the_warehouses_admin_raises_the_notice(app, client, store, post, smtp,
                                                                          simulator, sim_state):
    from app.devshop.state import SimShop
    from tests.recovery.test_web import call

    sim_state.add_shop(SimShop(domain=SHOP, shopify_id=1001, name="Acme"))
    post("checkouts/create", checkout_payload("short-admin", lines=((V3, 2),)))  # V3: no stock anywhere
    jobs.detect()
    assert _waiting(store) == [(V3, 2)]
    when = (datetime.now(UTC).date() + timedelta(days=12)).isoformat()
    saved = call(client, "PUT", f"/api/warehouses/{RENO}/incoming",
                 {"variant": str(V3), "quantity": "10", "expected_on": when})
    assert saved.status_code == 200, saved.json
    notice = next(m for m in messages(store) if m.kind == "stock")
    assert (notice.stage, notice.state) == (3, "scheduled")
