"""The recovery links in mail (pixel, click, one-click unsubscribe), the admin API, and stage two's
single-use discount code made in the simulator."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update

from app.devshop import catalog
from app.devshop.idtoken import mint_id_token
from app.extensions import db
from app.mail.smtp import Mailer, parse_url
from app.models import Customer, RecoveryOptOut, Shop
from app.recovery import sending
from tests.conftest import API_KEY, API_SECRET
from tests.recovery.conftest import checkout_payload, set_settings
from tests.recovery.test_flow import cases, messages
from tests.store.factories import SHOP
from tests.support.tokens import sim_token_columns
from worker.jobs import recovery as jobs


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_pixel_click_and_one_click_unsubscribe(app, client, store, post, inbox):
    post("checkouts/create", checkout_payload("web-1"))
    jobs.detect()
    jobs.send_due(store)
    (mail,) = inbox.messages
    html = mail.get_body(("html",)).get_content()
    pixel = html.split('/r/o/')[1].split('"')[0]
    click = html.split('/r/c/')[1].split('"')[0]
    assert client.get(f"/r/o/{pixel}").headers["Content-Type"] == "image/gif"
    landed = client.get(f"/r/c/{click}")
    assert landed.status_code == 302
    assert landed.headers["Location"] == f"https://{SHOP}/1/checkouts/web-1/recover?key=k-web-1"
    sent = messages(store)[0]
    assert sent.opened_at is not None and sent.clicked_at is not None
    # Tampered tokens reveal nothing and record nothing.
    assert client.get(f"/r/c/{click[:-3]}abc").status_code == 404
    assert client.get("/r/o/garbage.gif").status_code == 200
    unsubscribe = path_of(mail["List-Unsubscribe"].strip("<>"))
    assert client.get(unsubscribe).status_code == 200  # a page with a button; a GET changes nothing
    with db.session() as s:
        assert s.scalar(select(RecoveryOptOut)) is None
    # RFC 8058 one-click: the mailbox provider POSTs this body; twice is the same as once.
    for _ in range(2):
        assert client.post(unsubscribe, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded").status_code == 200
    assert messages(store)[1].state == "cancelled"  # the pending stage 3
    post("checkouts/create", checkout_payload("web-2"))
    jobs.detect()
    # A later checkout by the same shopper: honoured there too.
    assert jobs.send_due(store) == {"cancelled": 1}
    assert messages(store)[2].reason == "unsubscribed"
    assert len(inbox.messages) == 1


def call(client, method, path, body=None):
    headers = {"Authorization": f"Bearer {mint_id_token(API_KEY, API_SECRET, SHOP)}"}
    return client.open(path, method=method, json=body, headers=headers)


def test_settings_api_validates_and_saves_all_or_nothing(app, client, store, simulator, sim_state):
    from app.devshop.state import SimShop

    sim_state.add_shop(SimShop(domain=SHOP, shopify_id=1001, name="Acme"))
    assert call(client, "GET", "/api/recovery/settings").json["settings"]["holdout_percent"] == 0
    bad = call(client, "PUT", "/api/recovery/settings", {"holdout_percent": 80, "quiet_start": "9pm"})
    assert bad.status_code == 400
    assert set(bad.json["errors"]) == {"holdout_percent", "quiet_start"} and bad.json["error"]
    assert call(client, "GET", "/api/recovery/settings").json["settings"]["holdout_percent"] == 0
    assert call(client, "PUT", "/api/recovery/settings", None).status_code == 400
    ok = call(client, "PUT", "/api/recovery/settings", {"holdout_percent": 15, "stages": {"3": {"enabled": False}}})
    assert ok.status_code == 200 and ok.json["settings"]["stages"]["3"]["enabled"] is False
    assert call(client, "GET", "/api/recovery/settings").json["settings"]["holdout_percent"] == 15
    assert call(client, "GET", "/api/recovery/results?days=abc").status_code == 400
    results = call(client, "GET", "/api/recovery/results").json
    assert results["abandoned"] == 0 and results["recovery_rate"] == {"of_abandoned": None, "of_messaged": None}
    # Previews of every stage in the shopper's language; the test send is queued for a worker.
    for stage in (1, 2, 3):
        shown = call(client, "POST", "/api/recovery/preview", {"stage": stage, "locale": "ja"})
        assert shown.status_code == 200 and shown.json["language"] == "ja" and "<html" in shown.json["html"]
    assert call(client, "POST", "/api/recovery/preview", {"stage": 9}).status_code == 400
    assert call(client, "POST", "/api/recovery/send-test", {"stage": 1, "email": "a@b.c, d@e.f"}).status_code == 400
    assert call(client, "POST", "/api/recovery/send-test", {"stage": 2, "email": "me@acme.example"}).status_code == 202
    assert call(client, "GET", "/api/recovery/settings").status_code == 200
    # Without the App Bridge token: a 401 App Bridge retries with a fresh token, never answered.
    assert client.get("/api/recovery/settings").status_code == 401
    assert client.put("/api/recovery/settings", json={"holdout_percent": 1}).status_code == 401


def test_send_test_job_delivers_the_stage(app, store, inbox):
    jobs.send_test(store, 2, "me@acme.example", "de")
    (mail,) = inbox.messages
    assert mail["Subject"].startswith("[Test] ") and mail["Content-Language"] == "de"


def test_stage_two_issues_a_single_use_code_in_shopify_for_a_high_value_checkout(app, config, store, post, inbox,
                                                                                 sim_state):
    sim = catalog.seed_shop(sim_state, domain=SHOP, orders=0, customers=1, checkouts=0)
    customer_id = min(sim.data["customers"])
    with db.session() as s:
        s.execute(update(Shop).where(Shop.id == store).values(**sim_token_columns(config, sim_state, SHOP)))
        s.add(Customer(shop_id=store, shopify_id=customer_id, email="vip@example.com",
                       email_marketing_state="SUBSCRIBED", tags=""))
    set_settings(store, stages={"2": {"discount_enabled": True, "discount_percent": 15, "offers": []}})
    post("checkouts/create", checkout_payload("vip-1", email="vip@example.com", customer_id=customer_id,
                                              lines=((501, 12),), total="600.00", accepts_marketing=False))
    jobs.detect()
    assert cases(store)[0].high_value
    assert [m.stage for m in messages(store)] == [1, 2, 3]
    stage_two_at = cases(store)[0].abandoned_at + timedelta(hours=49)
    for _ in range(2):  # stage 1 goes now, stage 2 on day 2; running the day-2 sender twice makes one code
        with db.session(shop_id=store) as s:
            token, ids = sending.claim(s, store, stage_two_at)
        with Mailer(parse_url(config.smtp_url)) as mailer:
            sending.send_claimed(store, token, ids, mailer, lambda: stage_two_at, jobs.context())
    (discount,) = sim.data["discounts"].values()
    assert discount["customers"] == [f"gid://shopify/Customer/{customer_id}"] and discount["usage_limit"] == 1
    assert discount["input"]["customerGets"]["value"]["percentage"] == 0.15 and discount["ends_at"]
    code = discount["code"]
    two = messages(store)[1]
    assert (two.state, two.offer, two.discount_code) == ("sent", "discount", code)
    mail = inbox.to("vip@example.com")[-1]
    assert code in mail.get_body(("plain",)).get_content() and "15" in mail.get_body(("plain",)).get_content()
