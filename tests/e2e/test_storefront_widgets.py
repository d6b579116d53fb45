"""The storefront blocks in a real browser: the dev stack's storefront renders the extension's Liquid in a
theme-like page; Chromium checks the promise, variant changes, the countdown, the fallback, the traceability
block and the passport, with no console errors, no layout shift and no axe-core violations. Screenshots go
to tests/artifacts/ (not committed)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.devshop.dev_server import DEMO_SHOP, build_dev_stack, install_demo_shop
from app.extensions import db
from app.models import InventoryLevel, Shop, Variant
from app.supply import versions
from app.traceability import service
from app.traceability.records import Certificate, StepInput
from tests.support.servers import serve
from tests.traceability.hostile import HOSTILE
from worker.jobs.traceability import publish_passport
from worker.runner import build_worker

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HANDLE = "linen-overshirt"
CLS_PROBE = """
window.__cls = 0;
window.__shifts = [];
new PerformanceObserver(function (list) {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    window.__cls += entry.value;
    window.__shifts.push(entry.sources.map(function (s) {
      return (s.node && (s.node.className || s.node.nodeName)) + ' height ' + s.previousRect.height + '->'
        + s.currentRect.height + ' y ' + s.previousRect.y + '->' + s.currentRect.y;
    }).join(', '));
  }
}).observe({type: 'layout-shift', buffered: true});
"""


class _Deferred:
    target = None

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


@pytest.fixture(scope="module")
def store(migrated_database, redis_url):
    """One dev stack for the module: demo shop installed and synced, one variant sold out, a passport."""
    from tests.conftest import make_config

    config = make_config()
    deferred = _Deferred()
    with serve(deferred) as url:
        deferred.target, state, flask_app = build_dev_stack(config.with_overrides(shopify_admin_base_url=None), url)
        from tests.conftest import _reset
        _reset(db.engine)
        from app.extensions import redis_handle
        redis_handle.conn.flushdb()
        install_demo_shop(url, state)
        worker = threading.Thread(target=lambda: build_worker(in_thread=True).work(burst=True))
        worker.start()
        worker.join(timeout=120)
        sim = state.shops[DEMO_SHOP]
        product = next(p for p in sim.data["products"].values() if p["handle"] == HANDLE)
        in_stock, sold_out = product["variant_ids"][0], product["variant_ids"][1]
        with db.session() as s:
            shop = s.scalars(select(Shop).where(Shop.domain == DEMO_SHOP)).one()
            item = s.scalar(select(Variant.inventory_item_id).where(Variant.shopify_id == sold_out))
            s.execute(update(InventoryLevel).where(InventoryLevel.inventory_item_id == item)
                      .values(available=0, incoming=0))
            s.execute(update(InventoryLevel).where(InventoryLevel.inventory_item_id == s.scalar(
                select(Variant.inventory_item_id).where(Variant.shopify_id == in_stock))).values(available=25))
        versions.bump_stock(shop.id, [in_stock, sold_out])
        steps = [StepInput("raw_material", HOSTILE[1], date(2026, 3, 2), country="IT", footprint_kg="1.5",
                           certificates=(Certificate("GOTS <organic>", "https://example.org/gots"),)),
                 StepInput("production", HOSTILE[0], date(2026, 4, 1), country="PT", actor=HOSTILE[4],
                           footprint_kg="0.75"),
                 StepInput("packing", HOSTILE[5], date(2026, 4, 20), country="FR")]
        with flask_app.app_context():
            with db.session(shop_id=shop.id) as s:
                service.append_steps(s, shop, config, product["id"], steps, datetime.now(UTC))
            assert publish_passport(shop.id, product["id"]) == "published"
        yield {"url": url, "state": state, "product": product, "in_stock": in_stock, "sold_out": sold_out,
               "page": f"{url}/_devshop/store/{DEMO_SHOP}/products/{HANDLE}"}


@pytest.fixture
def shopper(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.add_init_script(CLS_PROBE)
    yield page
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _axe(page) -> list:
    if not AXE.is_file():
        pytest.fail("axe-core is vendored through npm: run `npm ci` at the repository root")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]


SENTENCE = "[data-fc-promise] [data-fc-sentence]"


def test_promise_follows_the_variant_and_ticks(store, shopper):
    page = shopper
    page.clock.install()
    promises = []
    page.on("request", lambda r: promises.append(r.url) if "/apps/flexchain/promise" in r.url else None)
    page.goto(f"{store['page']}?variant={store['in_stock']}")
    page.wait_for_function(f"document.querySelector('{SENTENCE}').textContent.startsWith('Order within')")
    first = page.inner_text(SENTENCE)
    assert " — arrives " in first and " warehouse" in first
    assert page.get_attribute("[data-fc-promise]", "data-state") == "available"
    assert "delivery" in page.inner_text("[data-fc-promise] [data-fc-meta]")
    assert "kg CO₂e" in page.inner_text("[data-fc-promise] [data-fc-meta]")
    assert page.inner_text("[data-fc-live]") == first  # announced once, politely
    assert page.get_attribute("[data-fc-live]", "aria-live") == "polite"
    _shot(page, "storefront-promise")

    # The countdown ticks locally, without asking the server again.
    asked = len(promises)
    page.clock.run_for("02:05")
    page.wait_for_function(f"document.querySelector('{SENTENCE}').textContent !== {first!r}")
    assert len(promises) == asked
    assert page.inner_text("[data-fc-live]") == first  # ticks are not announced

    # Choosing the sold-out option in the theme's own picker changes the promise.
    page.check(f"input[name=option][value='{store['sold_out']}']")
    page.wait_for_function(f"document.querySelector('{SENTENCE}').textContent === "
                           "'Currently unavailable for delivery'")
    assert f"variant={store['sold_out']}" in page.url
    # A URL change alone (back/forward, another theme's script) is followed too.
    page.evaluate(f"history.pushState({{}}, '', '?variant={store['in_stock']}')")
    page.clock.run_for(1500)
    page.wait_for_function(f"document.querySelector('{SENTENCE}').textContent.startsWith('Order within')")

    # Past the cutoff the block asks for a new promise.
    seconds = page.evaluate("document.querySelector('[data-fc-promise]').fcPromise.data.countdown.seconds")
    page.clock.run_for(max(0, seconds - 5) * 1000)
    with page.expect_request(lambda r: "/apps/flexchain/promise" in r.url, timeout=10_000):
        page.clock.run_for(7000)
    page.wait_for_function("document.querySelector('[data-fc-promise]').getAttribute('data-state') === 'available'")
    assert page.evaluate("window.__cls") == 0, page.evaluate("window.__shifts")
    assert page.console_errors == []
    assert _axe(page) == []


def test_fallback_when_the_proxy_fails_or_is_slow(store, shopper):
    page = shopper
    store["state"].faults["storefront_proxy"] = ["error"] * 3
    page.goto(store["page"])
    page.wait_for_selector("[data-fc-promise][data-state=fallback]")
    assert page.inner_text(SENTENCE) == "Fast, tracked delivery"
    assert all("502" in e or "Failed to load resource" in e for e in page.console_errors)
    _shot(page, "storefront-fallback")

    store["state"].faults["storefront_proxy"] = [6]
    page.console_errors.clear()
    page.goto(store["page"])
    page.wait_for_selector("[data-fc-promise][data-state=fallback]", timeout=8000)
    assert page.inner_text(SENTENCE) == "Fast, tracked delivery"
    assert page.evaluate("window.__cls") == 0, page.evaluate("window.__shifts")
    store["state"].faults["storefront_proxy"] = []


def test_traceability_block_and_passport_verify(store, shopper):
    page = shopper
    page.goto(store["page"])
    trace = page.locator("[data-fc-trace]")
    trace.wait_for()
    steps = trace.locator(".fc-trace__step")
    assert steps.count() == 3
    assert steps.nth(0).locator(".fc-trace__place").inner_text() == HOSTILE[1]  # `{{ shop.name }}` stays text
    assert steps.nth(1).locator(".fc-trace__place").inner_text() == HOSTILE[0]
    assert page.dialogs == []  # the merchant's <script> is text, never run
    assert "GOTS <organic>" in trace.inner_text()
    assert "2.25 kg CO₂e" in trace.inner_text()
    page.wait_for_function("document.querySelector('.fc-trace__qr').naturalWidth > 0")
    page.wait_for_function(f"document.querySelector('{SENTENCE}').textContent.startsWith('Order within')")
    _shot(page, "storefront-traceability")
    assert page.evaluate("window.__cls") == 0, page.evaluate("window.__shifts")
    assert page.console_errors == []

    page.click("text=See the full product passport")
    page.wait_for_selector("[data-testid=passport-verification]")
    assert page.get_attribute("[data-testid=passport-verification]", "data-verified") == "true"
    assert page.locator("[data-testid=passport-steps] li").count() == 3
    assert HOSTILE[1] in page.inner_text("[data-testid=passport-steps]")
    assert "Total:" in page.inner_text("[data-testid=passport-footprint]")
    _shot(page, "passport-page")
    assert page.console_errors == []
    assert _axe(page) == []


def test_blocks_in_french(store, shopper):
    page = shopper
    page.goto(f"{store['page']}?locale=fr&variant={store['in_stock']}")
    page.wait_for_function(f"document.querySelector('{SENTENCE}').textContent.startsWith(\"Commandez d'ici\")")
    assert "entrepôt de" in page.inner_text(SENTENCE)
    assert "D'où vient ce produit" in page.inner_text("[data-fc-trace]")
    assert "2,25 kg" in page.inner_text("[data-fc-trace]")  # the shopper's decimal comma
    assert page.console_errors == []


def test_a_logged_in_gold_member_sees_the_tiers_faster_handling(store, shopper):
    from app.models import Location, Membership, WarehouseProfile

    with db.session() as s:
        shop = s.scalars(select(Shop).where(Shop.domain == DEMO_SHOP)).one()
        s.add(Membership(shop_id=shop.id, customer_shopify_id=4242, tier="Gold", tier_since=datetime.now(UTC),
                         trailing_spend=2500))
        # Every warehouse ships Gold members' orders within 4 hours.
        for location_id in s.scalars(select(Location.shopify_id).where(Location.shop_id == shop.id)):
            profile = s.scalar(select(WarehouseProfile).where(WarehouseProfile.shop_id == shop.id,
                                                              WarehouseProfile.location_shopify_id == location_id))
            if profile is None:
                profile = WarehouseProfile(shop_id=shop.id, location_shopify_id=location_id)
                s.add(profile)
            profile.tier_handling = {"gold": {"days": 0, "hours": 4}}
    versions.bump_settings(shop.id)
    page = shopper
    tier = "[data-fc-promise] [data-fc-tier]"
    page.goto(f"{store['page']}?variant={store['in_stock']}&customer=4242")
    page.wait_for_function(f"document.querySelector('{tier}') && document.querySelector('{tier}').textContent")
    assert page.inner_text(tier) == "Gold: ships within 4 h"
    _shot(page, "storefront-promise-gold-member")
    # Logged out: no tier line at all.
    page.goto(f"{store['page']}?variant={store['in_stock']}&customer=")
    page.wait_for_function(f"document.querySelector('{SENTENCE}').textContent.startsWith('Order within')")
    assert page.query_selector(tier) is None
    assert page.console_errors == []
