"""The one-command dev stack, end to end: install through the simulator, first sync, the embedded admin
opened in a real browser the way Shopify admin opens it."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.devshop.dev_server import DEMO_SHOP, build_dev_stack, install_demo_shop
from app.extensions import db
from app.models import Order, Shop
from tests.support.servers import serve
from worker.runner import build_worker


class _Deferred:
    """The app URL (with its port) must be known before the stack is built; serve first, fill in after."""

    target = None

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


def test_dev_stack_installs_syncs_and_shows_the_admin(app, config, page):
    deferred = _Deferred()
    with serve(deferred) as url:
        deferred.target, state, _ = build_dev_stack(config.with_overrides(shopify_admin_base_url=None), url)
        install_demo_shop(url, state)
        with db.session() as s:
            shop = s.scalars(select(Shop).where(Shop.domain == DEMO_SHOP)).one()
            assert shop.status == "installed"
            assert shop.access_token_enc and not shop.access_token_enc.startswith("shpat_")
        worker = threading.Thread(target=lambda: build_worker(in_thread=True).work(burst=True))
        worker.start()
        worker.join(timeout=120)

        with db.session() as s:
            orders = s.scalar(select(func.count()).select_from(Order))
        assert orders == sum(1 for _ in state.shops[DEMO_SHOP].data["orders"])

        page.goto(f"{url}/_devshop/admin/apps/flexchain?shop={DEMO_SHOP}")
        page.wait_for_selector('[data-testid="sync-state"]:has-text("Complete")', timeout=15_000)
        page.wait_for_selector(f'[data-count="orders"]:has-text("{orders}")', timeout=10_000)
        assert page.inner_text('[data-testid="install-state"]') == "installed"
        assert page.locator('[data-testid="sync-steps"] li[data-status="done"]').count() >= 6
        assert page.js_errors == []
        # The page carries the CSP Shopify requires of embedded apps.
        response = page.request.get(page.url)
        assert "frame-ancestors https://flexchain-demo.myshopify.com https://admin.shopify.com" in (
            response.headers["content-security-policy"]
        )
