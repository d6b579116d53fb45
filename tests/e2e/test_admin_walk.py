"""Every admin page in a real browser, in English and in Chinese, over a small demo store with real data:
opened from the (simulated) Shopify admin, its content shown, no console errors, no serious or critical
axe-core violation, `<html lang>` the staff member's language, a full-page screenshot kept under
tests/artifacts/. The sub-views a merchant opens from those pages are walked the same way: a customer's
history, a checkout's timeline, a product's provenance records."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Product
from tests.e2e.admin_stack import (
    LOCALES,
    PAGES,
    WAIT_MS,
    admin_api,
    admin_url,
    axe_serious,
    build_store,
    shot,
    watch,
)

NAV_HOME = {"en": "Home", "zh-CN": "首页"}  # the nav is translated on every page: the locale reached it


@pytest.fixture(scope="module")
def store(migrated_database, redis_url):
    from tests.conftest import make_config

    config = make_config()
    built = build_store(config)
    with db.session() as s:
        product = s.scalars(select(Product).where(Product.shop_id == built.shop_id)
                            .order_by(Product.title, Product.id)).all()[3]
    steps = [{"stage": "raw_material", "place": "Hangzhou silk farm", "country": "CN", "date": "2026-01-12"},
             {"stage": "production", "place": "Suzhou weaving mill", "country": "CN", "date": "2026-02-03",
              "footprint_kg": "1.2"}]
    admin_api(built, config, "POST", f"/api/traceability/products/{product.shopify_id}/records", json={"steps": steps})
    built.traced = {"id": product.shopify_id, "title": product.title}
    yield built
    built.close()


@pytest.fixture
def admin(page):
    page.errors = watch(page)
    return page


def _checked(page, locale: str, name: str) -> None:
    assert page.get_attribute("html", "lang") == locale
    assert page.locator("nav.app-nav a").first.inner_text() == NAV_HOME[locale]
    shot(page, f"admin-{name}-{locale}")
    assert axe_serious(page) == []
    assert (page.errors, page.js_errors) == ([], [])


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("name", "path", "ready"), PAGES, ids=[p[0] for p in PAGES])
def test_every_admin_page(store, admin, locale, name, path, ready):
    admin.goto(admin_url(store, path, locale))
    admin.wait_for_selector(ready, timeout=WAIT_MS)
    if name == "home":  # filled by the page's script once the first sync's progress arrives
        admin.wait_for_selector('[data-testid="sync-state"]:has-text("Complete")', timeout=WAIT_MS)
        admin.wait_for_selector('[data-count="customers"]:not(:has-text("…"))', timeout=WAIT_MS)
    _checked(admin, locale, name)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_customers_history(store, admin, locale):
    admin.goto(admin_url(store, "/membership", locale))
    first = admin.locator('[data-testid="customers"] tbody tr[data-customer]').first
    first.wait_for(timeout=WAIT_MS)
    tier = first.locator('[data-testid="tier"]').inner_text()
    first.locator("a").click()
    detail = admin.locator('[data-testid="customer-detail"]')
    detail.wait_for(timeout=WAIT_MS)
    assert detail.locator('[data-testid="detail-tier"]').inner_text() == tier.split()[0]
    assert "→" in detail.locator(".timeline li").first.inner_text()  # at least the backfill's first tier
    assert detail.locator("table.data tbody tr").count() >= 1  # the orders behind the spend
    _checked(admin, locale, "membership-customer")


@pytest.mark.parametrize("locale", LOCALES)
def test_a_checkouts_timeline(store, admin, locale):
    admin.goto(admin_url(store, "/recovery", locale))
    rows = admin.locator('[data-testid="checkouts"] tbody tr')
    rows.first.wait_for(timeout=WAIT_MS)
    summary = admin.locator('[data-testid="checkouts"] details summary').first
    summary.click()
    events = admin.locator('[data-testid="checkouts"] details[open] ol.timeline li')
    events.first.wait_for(timeout=WAIT_MS)
    assert events.count() >= 1
    _checked(admin, locale, "recovery-timeline")


@pytest.mark.parametrize("locale", LOCALES)
def test_a_products_records(store, admin, locale):
    admin.goto(admin_url(store, "/traceability", locale))
    admin.wait_for_selector("select#product option", state="attached", timeout=WAIT_MS)
    admin.select_option("select#product", str(store.traced["id"]))
    admin.locator("form:has(select#product) button[type=submit]").click()
    records = admin.locator('[data-testid="admin-records"] li')
    records.first.wait_for(timeout=WAIT_MS)
    assert admin.inner_text('[data-testid="passport-admin"] h2') == store.traced["title"]
    assert records.count() == 2
    assert "Suzhou weaving mill" in records.nth(1).inner_text()
    assert admin.inner_text('[data-testid="admin-verification"]').startswith("✓")  # chain and signature verify
    _checked(admin, locale, "traceability-records")
