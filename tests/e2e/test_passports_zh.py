"""A Chinese-speaking merchant imports a bad CSV on the Passports page in a real browser: the row-by-row
report reads in Chinese (rows and columns as in the file), and a refused step names the field by its label."""

from __future__ import annotations

from sqlalchemy import select

from app.devshop.dev_server import DEMO_SHOP, build_dev_stack, install_demo_shop
from app.extensions import db
from app.models import Product, Shop
from tests.e2e.test_warehouses import _Deferred
from tests.support.servers import serve

PRODUCT = 515151


def test_the_csv_report_and_a_refused_step_read_in_chinese(app, config, page, tmp_path):
    deferred = _Deferred()
    with serve(deferred) as url:
        deferred.target, state, _ = build_dev_stack(config.with_overrides(shopify_admin_base_url=None), url)
        install_demo_shop(url, state)
        with db.session() as s:
            shop = s.scalars(select(Shop).where(Shop.domain == DEMO_SHOP)).one()
            s.add(Product(shop_id=shop.id, shopify_id=PRODUCT, title="Linen overshirt"))

        page.goto(f"{url}/_devshop/admin/apps/flexchain?shop={DEMO_SHOP}&path=/traceability&locale=zh-CN")
        page.wait_for_selector("h1:has-text('产品护照')", timeout=15_000)

        csv = tmp_path / "steps.csv"
        csv.write_text(f"product_id,stage,place,date\n{PRODUCT},dyeing,Prato,2026-03-02\n", encoding="utf-8")
        form = page.locator('form[data-kind="csv"]')
        form.locator('input[type="file"]').set_input_files(str(csv))
        form.locator('button[type="submit"]').click()
        status = form.locator("[data-status]")
        page.wait_for_function("el => el.textContent.includes('第')", arg=status.element_handle(), timeout=10_000)
        assert status.inner_text() == ("文件未导入；请修正以下各行后重新上传。 第 2 行（stage）："
                                       "必须是以下之一：raw_material, production, quality_check, packing, shipping")

        step = page.locator('form[data-kind="step"]')
        step.locator('input[name="date"]').fill("2026-03-02")
        step.locator('button[type="submit"]').click()
        report = step.locator("[data-status]")
        page.wait_for_function("el => el.textContent.includes('地点')", arg=report.element_handle(), timeout=10_000)
        assert report.inner_text() == "部分字段无效，未记录任何内容。 地点：必填"
        assert page.js_errors == []
