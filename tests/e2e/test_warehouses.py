"""A merchant edits a warehouse in a real browser: the Warehouses page opened from the (simulated) Shopify
admin, a refused value shown next to its field, a corrected save, a lane added, and the nav back home."""

from __future__ import annotations

from sqlalchemy import select

from app.devshop.dev_server import DEMO_SHOP, build_dev_stack, install_demo_shop
from app.extensions import db
from app.models import Location, ShippingLane, Shop, WarehouseProfile
from tests.support.servers import serve


class _Deferred:
    target = None

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


def _mirror_locations(state) -> int:
    """The locations the first sync would store, without running it (this test is about the page)."""
    with db.session() as s:
        shop = s.scalars(select(Shop).where(Shop.domain == DEMO_SHOP)).one()
        for loc in state.shops[DEMO_SHOP].data["locations"].values():
            s.add(Location(shop_id=shop.id, shopify_id=loc["id"], name=loc["name"], city=loc["city"],
                           country_code=loc["country_code"], latitude=loc["latitude"], longitude=loc["longitude"]))
        return min(state.shops[DEMO_SHOP].data["locations"])


def test_a_merchant_edits_a_warehouse_through_the_page(app, config, page):
    deferred = _Deferred()
    with serve(deferred) as url:
        deferred.target, state, _ = build_dev_stack(config.with_overrides(shopify_admin_base_url=None), url)
        install_demo_shop(url, state)
        location_id = _mirror_locations(state)

        page.goto(f"{url}/_devshop/admin/apps/flexchain?shop={DEMO_SHOP}&path=/warehouses")
        card = page.locator(f'[data-testid="warehouse-{location_id}"]')
        card.wait_for(timeout=15_000)
        # Nothing edited yet: the save bar is in the page but not shown.
        assert page.locator("[data-save-bar]").count() == 1 and page.locator("[data-save-bar]").is_hidden()
        profile = card.locator('form[data-kind="profile"]')

        profile.locator('input[name="cutoff"]').fill("25:00")
        profile.locator('input[name="timezone"]').fill("Europe/Pariss")
        profile.locator('button[type="submit"]').click()
        page.wait_for_selector('[data-error-for="cutoff"]:not([hidden])', timeout=10_000)
        assert "HH:MM" in profile.locator('[data-error-for="cutoff"]').inner_text()
        assert "IANA" in profile.locator('[data-error-for="timezone"]').inner_text()
        assert profile.locator('input[name="cutoff"]').get_attribute("aria-invalid") == "true"
        with db.session() as s:
            assert s.scalar(select(WarehouseProfile)) is None

        profile.locator('input[name="cutoff"]').fill("16:45")
        profile.locator('input[name="timezone"]').fill("Europe/Paris")
        profile.locator('input[name="public_name"]').fill("our <Paris> studio")
        profile.locator('input[name="working_weekdays"][value="5"]').check()
        profile.locator('[data-tier-row] [data-tier="name"]').last.fill("gold")
        profile.locator('[data-tier-row] [data-tier="hours"]').last.fill("4")
        profile.locator('button[type="submit"]').click()
        page.wait_for_selector(f'[data-testid="warehouse-{location_id}"] form[data-kind="profile"] '
                               '.form-status:has-text("Saved")', timeout=10_000)
        assert profile.locator('[data-error-for="cutoff"]').is_hidden()
        with db.session() as s:
            saved = s.scalar(select(WarehouseProfile))
            assert (saved.cutoff, saved.timezone, saved.public_name, saved.working_weekdays, saved.tier_handling) == (
                "16:45", "Europe/Paris", "our <Paris> studio", [0, 1, 2, 3, 4, 5], {"gold": {"days": 0, "hours": 4}})

        add_lane = card.locator('.lane form[data-method="PUT"]').last
        add_lane.locator('input[name="country"]').fill("US")
        add_lane.locator('input[name="min_days"]').fill("3")
        add_lane.locator('input[name="max_days"]').fill("5")
        add_lane.locator('select[name="service_level"]').select_option("express")
        add_lane.locator('button[type="submit"]').click()
        # The page reloads (through the patch-id-token page for a fresh token) and lists the new lane.
        page.wait_for_selector(f'[data-testid="warehouse-{location_id}"] [data-testid="lane-row"]', timeout=15_000)
        assert card.locator('[data-testid="warehouse-name"]').inner_text() == "our <Paris> studio"
        with db.session() as s:
            lane = s.scalar(select(ShippingLane))
            assert (lane.country, lane.service_level, lane.min_days, lane.max_days) == ("US", "express", 3, 5)

        page.click('nav.app-nav a:has-text("Home")')
        page.wait_for_selector('[data-testid="install-state"]', timeout=15_000)
        assert page.js_errors == []


def test_a_chinese_speaking_merchant_reads_the_page_and_its_messages_in_chinese(app, config, page):
    """Shopify opens the app with the staff member's locale: labels, the server's field messages and the
    script's own status words all read in Chinese, and the save still lands."""
    deferred = _Deferred()
    with serve(deferred) as url:
        deferred.target, state, _ = build_dev_stack(config.with_overrides(shopify_admin_base_url=None), url)
        install_demo_shop(url, state)
        location_id = _mirror_locations(state)

        page.goto(f"{url}/_devshop/admin/apps/flexchain?shop={DEMO_SHOP}&path=/warehouses&locale=zh-CN")
        card = page.locator(f'[data-testid="warehouse-{location_id}"]')
        card.wait_for(timeout=15_000)
        assert page.locator("h1").inner_text() == "仓库"
        profile = card.locator('form[data-kind="profile"]')
        assert "周六" in profile.locator("fieldset.weekdays").inner_text()

        profile.locator('input[name="cutoff"]').fill("25:00")
        profile.locator('button[type="submit"]').click()
        page.wait_for_selector('[data-error-for="cutoff"]:not([hidden])', timeout=10_000)
        message = profile.locator('[data-error-for="cutoff"]').inner_text()
        assert message == "请使用 24 小时制的 HH:MM 格式，例如 14:00。"
        assert profile.locator(".form-status").inner_text() == "请更正标出的字段。"

        profile.locator('input[name="cutoff"]').fill("16:45")
        profile.locator('button[type="submit"]').click()
        page.wait_for_selector(f'[data-testid="warehouse-{location_id}"] form[data-kind="profile"] '
                               '.form-status:has-text("已保存")', timeout=10_000)
        with db.session() as s:
            assert s.scalar(select(WarehouseProfile)).cutoff == "16:45"
        assert page.js_errors == []
