"""What a merchant does in the admin, end to end in a real browser, each checked where the merchant looks:
a lower tier threshold moves a customer up a tier in the customer list; a later warehouse cutoff changes the
delivery promise on the storefront; a test recovery mail reaches a real SMTP server; a provenance CSV with a
bad row is refused row by row, and the corrected file is recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from math import floor
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.devshop.demo import DEMO_STORE
from app.extensions import db
from app.models import Customer, Location, Membership, Product, ProvenanceRecord, SpendEntry, Variant
from tests.e2e.admin_stack import WAIT_MS, admin_url, build_store, run_worker, shot, watch
from tests.support.smtp import smtp_server

TIERS = ["Bronze", "Silver", "Gold"]  # the default tiers the demo store keeps
SENTENCE = "[data-fc-promise] [data-fc-sentence]"


@pytest.fixture(scope="module")
def store(migrated_database, redis_url):
    from tests.conftest import make_config

    with smtp_server() as (smtp_url, inbox):
        built = build_store(make_config(smtp_url=smtp_url))
        built.inbox = inbox
        yield built
        built.close()


@pytest.fixture
def admin(page):
    page.errors = watch(page)
    yield page
    assert (page.errors, page.js_errors) == ([], [])


def _member_to_move(shop_id: int, tier: str) -> tuple[int, str, Decimal]:
    """The customer in `tier` with the highest spend, all of it recent: no order leaves the trailing year
    between now and the recompute, so the spend the page shows is the spend the recompute counts."""
    recent = datetime.now(UTC) - timedelta(days=300)
    with db.session(shop_id=shop_id) as s:
        oldest = (select(SpendEntry.customer_shopify_id, func.min(SpendEntry.occurred_at).label("first"))
                  .group_by(SpendEntry.customer_shopify_id).subquery())
        member = s.execute(select(Membership.customer_shopify_id, Membership.trailing_spend)
                           .join(oldest, oldest.c.customer_shopify_id == Membership.customer_shopify_id)
                           .where(Membership.tier == tier, Membership.pinned_tier.is_(None), oldest.c.first > recent)
                           .order_by(Membership.trailing_spend.desc()).limit(1)).one()
        email = s.scalar(select(Customer.email).where(Customer.shopify_id == member.customer_shopify_id))
    return member.customer_shopify_id, email, member.trailing_spend


def _find_customer(page, email: str):
    page.fill("form[role=search] input#q", email)
    page.click("form[role=search] button[type=submit]")
    row = page.locator('[data-testid="customers"] tbody tr[data-customer]')
    page.wait_for_function("q => new URL(location.href).searchParams.get('q') === q", arg=email, timeout=WAIT_MS)
    row.first.wait_for(timeout=WAIT_MS)
    assert row.count() == 1
    return row


@pytest.mark.parametrize(("locale", "lower", "upper"), [("en", "Bronze", "Silver"), ("zh-CN", "Silver", "Gold")])
def test_a_lower_threshold_moves_a_customer_up_a_tier(store, admin, locale, lower, upper):
    customer_id, email, spend = _member_to_move(store.shop_id, lower)
    admin.goto(admin_url(store, "/membership", locale))
    admin.wait_for_selector('[data-testid="tier-editor"]', timeout=WAIT_MS)
    row = _find_customer(admin, email)
    assert row.locator('[data-testid="tier"]').inner_text() == lower

    # The upper tier now starts just below this customer's spend (and still above the tier below it).
    floor_of_lower = Decimal(admin.input_value(f'[data-testid="threshold-{lower}"]'))
    threshold = floor(spend) - 1
    assert threshold > floor_of_lower, f"{email} spends {spend}: too close to {lower}'s threshold to test"
    admin.fill(f'[data-testid="threshold-{upper}"]', str(threshold))
    assert admin.locator("[data-save-bar]").is_visible()
    admin.click('form[data-collect="membershipSettings"] button[type=submit]')
    saved = "Saved. Members are being re-tiered." if locale == "en" else "已保存，正在重新计算会员等级。"
    admin.locator(".toast", has_text=saved).wait_for(timeout=WAIT_MS)
    assert admin.locator("[data-save-bar]").is_hidden()

    run_worker()  # the recompute the save queued
    admin.goto(admin_url(store, "/membership", locale))
    admin.wait_for_selector('[data-testid="tier-editor"]', timeout=WAIT_MS)
    assert admin.input_value(f'[data-testid="threshold-{upper}"]') == str(threshold)
    row = _find_customer(admin, email)
    assert row.locator('[data-testid="tier"]').inner_text() == upper
    row.locator("a").click()
    detail = admin.locator('[data-testid="customer-detail"]')
    detail.wait_for(timeout=WAIT_MS)
    assert detail.locator('[data-testid="detail-tier"]').inner_text() == upper
    assert f"{lower} → {upper}" in detail.locator(".timeline li").first.inner_text()
    shot(admin, f"flow-tier-move-{locale}")


def _promise(page) -> dict:
    page.wait_for_function(f"(document.querySelector('{SENTENCE}') || {{}}).textContent?.startsWith('Order within')",
                           timeout=WAIT_MS)
    return page.evaluate("document.querySelector('[data-fc-promise]').fcPromise.data")


def test_a_later_cutoff_changes_the_storefront_promise(store, admin, browser):
    with db.session(shop_id=store.shop_id) as s:
        product = s.scalars(select(Product).join(Variant, Variant.product_id == Product.id)
                            .order_by(Product.title).limit(1)).first()
        locations = {name: loc_id for loc_id, name in s.execute(select(Location.shopify_id, Location.name))}
    storefront = f"{store.app_url}/_devshop/store/{DEMO_STORE}/products/{product.handle}"
    shopper = browser.new_context(viewport={"width": 1100, "height": 900})
    before = _promise(_opened(shopper, storefront))
    shopper.close()
    warehouse = before["warehouse"]["name"]
    zone = ZoneInfo("Asia/Shanghai")  # typed into the form below with the cutoff

    # A cutoff three hours from now, local time (six if that is within the hour of the current one); every day
    # a working day, so the next cutoff is the one typed, whatever today is.
    old_cutoff = datetime.fromisoformat(before["countdown"]["cutoff_at"]).astimezone(zone)
    now = datetime.now(zone)
    new_cutoff = now + timedelta(hours=3)
    apart = (new_cutoff - old_cutoff).total_seconds() % 86400  # how far apart the two times of day are
    if min(apart, 86400 - apart) < 3600:
        new_cutoff = now + timedelta(hours=6)
    typed = new_cutoff.strftime("%H:%M")

    admin.goto(admin_url(store, "/warehouses"))
    form = admin.locator(f'[data-testid="warehouse-{locations[warehouse]}"] form[data-kind="profile"]')
    form.wait_for(timeout=WAIT_MS)
    form.locator('input[name="cutoff"]').fill(typed)
    form.locator('input[name="timezone"]').fill(zone.key)
    for box in form.locator('input[name="working_weekdays"]').all():
        box.check()
    form.locator('button[type="submit"]').click()
    form.locator('.form-status:has-text("Saved")').wait_for(timeout=WAIT_MS)
    shot(admin, "flow-cutoff-warehouses-en")

    # A new shopper (no cached answer in the browser) sees the promise from the new cutoff.
    shopper = browser.new_context(viewport={"width": 1100, "height": 900})
    page = _opened(shopper, storefront)
    after = _promise(page)
    cutoff = datetime.fromisoformat(after["countdown"]["cutoff_at"]).astimezone(zone)
    assert cutoff.strftime("%H:%M") == typed
    shown = page.inner_text(SENTENCE)
    assert shown != before["sentence"] and shown.startswith(f"Order within {after['countdown']['text']}")
    assert shown.endswith(f"from our {before['warehouse']['city']} warehouse")
    shot(page, "flow-cutoff-storefront-en")
    assert page.errors == []
    shopper.close()


def _opened(context, url: str):
    page = context.new_page()
    page.errors = watch(page)
    page.goto(url)
    return page


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_a_test_recovery_mail_arrives(store, admin, locale):
    to = f"merchant-{locale.lower()}@example.com"
    admin.goto(admin_url(store, "/recovery", locale))
    admin.wait_for_selector("form[data-preview]", timeout=WAIT_MS)
    # What the shopper would read, previewed on the same page: the test mail must be that message.
    admin.select_option("#preview-stage", "2")
    admin.select_option("#preview-locale", locale)
    admin.click("form[data-preview] button[type=submit]")
    admin.wait_for_function("document.querySelector('[data-preview-subject]').textContent.trim() !== ''",
                            timeout=WAIT_MS)
    subject = admin.inner_text("[data-preview-subject]")

    test_form = admin.locator('form[data-collect="sendTest"]')
    test_form.locator('input[name="email"]').fill(to)
    test_form.locator('select[name="stage"]').select_option("2")
    test_form.locator('select[name="locale"]').select_option(locale)
    test_form.locator("button[type=submit]").click()
    queued = f"Test mail queued for {to}" if locale == "en" else f"测试邮件已排队发送至 {to}"
    admin.locator(".toast", has_text=queued).wait_for(timeout=WAIT_MS)
    shot(admin, f"flow-test-mail-{locale}")

    run_worker()  # the mail queue's job sends it
    mails = store.inbox.to(to)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["Subject"] == f"[Test] {subject}"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Lumen & Loom" in text and "Lumen &amp; Loom" in html


def _csv(lines: list[str]) -> dict:
    return {"name": "provenance.csv", "mimeType": "text/csv", "buffer": "\n".join(lines).encode()}


def test_a_provenance_csv_with_a_bad_row(store, admin):
    with db.session(shop_id=store.shop_id) as s:
        product = s.scalars(select(Product).order_by(Product.title).offset(5).limit(1)).one()
    admin.goto(admin_url(store, "/traceability"))
    admin.wait_for_selector("select#product", timeout=WAIT_MS)
    admin.select_option("select#product", str(product.shopify_id))
    admin.locator("form:has(select#product) button[type=submit]").click()
    admin.wait_for_selector(f'[data-testid="passport-admin"][data-product="{product.shopify_id}"]', timeout=WAIT_MS)
    assert admin.locator('[data-testid="admin-records"] li').count() == 0

    good = [f"{product.shopify_id},raw_material,Hangzhou silk farm,CN,2026-01-12",
            f"{product.shopify_id},production,Suzhou weaving mill,CN,2026-02-03"]
    bad = f"{product.shopify_id},packing,Shenzhen Bao'an DC,CN,2026-02-31"  # no such day
    header = "product_id,stage,place,country,date"
    form = admin.locator('form[data-kind="csv"]')
    form.locator('input[type="file"]').set_input_files(_csv([header, good[0], bad, good[1]]))
    form.locator("button[type=submit]").click()
    status = form.locator("[data-status]")
    admin.wait_for_function("el => el.textContent.includes('Row 3')", arg=status.element_handle(), timeout=WAIT_MS)
    message = status.inner_text()
    assert "not imported" in message and "Row 3 (date)" in message and "Row 2" not in message and "Row 4" not in message
    shot(admin, "flow-csv-refused-en")
    # Chromium logs every refused fetch; that one is expected, and the page answered it above.
    assert len(admin.errors) == 1 and "400" in admin.errors[0] and "/api/traceability/import" in admin.errors[0]
    admin.errors.clear()
    with db.session(shop_id=store.shop_id) as s:  # one bad row: nothing recorded
        assert s.scalar(select(func.count()).select_from(ProvenanceRecord)
                        .where(ProvenanceRecord.product_shopify_id == product.shopify_id)) == 0

    fixed = bad.replace("2026-02-31", "2026-02-28")
    form.locator('input[type="file"]').set_input_files(_csv([header, good[0], fixed, good[1]]))
    form.locator("button[type=submit]").click()
    records = admin.locator('[data-testid="admin-records"] li')
    records.nth(2).wait_for(timeout=WAIT_MS)  # the page reloads with the chain
    assert [records.nth(i).inner_text().split(" · ")[1] for i in range(3)] == [
        "Hangzhou silk farm (CN)", "Shenzhen Bao'an DC (CN)", "Suzhou weaving mill (CN)"]
    assert admin.inner_text('[data-testid="admin-verification"]').startswith("✓")
    shot(admin, "flow-csv-imported-en")
