"""What the admin browser tests share: a small demo store built the way `flexchain demo` builds it (first
sync, membership backfill, weeks of signed webhooks, recovery mail over SMTP, the dashboard's tables), the
admin opened through the simulator's admin frame, the worker run once in a thread, axe-core and screenshots.

The store is small on purpose: the whole build stays near ten seconds on a loaded machine, yet every page has
real rows to show (members in three tiers, abandoned checkouts with timelines, three warehouses).
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest

from app.devshop.demo import DEMO_STORE, Demo, build
from app.devshop.demo_store import Size

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SMALL = Size(customers=60, orders=160, checkouts_per_day=3, live_days=6)
# Every page of the admin's navigation (app/templates/admin/nav.html): name, path, what shows its content.
PAGES = [
    ("home", "/", '[data-testid="sync-state"]:not(:has-text("…"))'),
    ("dashboard", "/dashboard", '[data-testid="members-by-tier"]'),
    ("recovery", "/recovery", '[data-testid="checkouts"] tbody tr'),
    ("membership", "/membership", '[data-testid="customers"] tbody tr[data-customer]'),
    ("warehouses", "/warehouses", '[data-testid^="warehouse-"] form[data-kind="profile"]'),
    ("traceability", "/traceability", "select#product"),
    ("status", "/status", '[data-testid="status-queues"]'),
]
LOCALES = ["en", "zh-CN"]
WAIT_MS = 30_000  # the machine is shared: content may take a while, but it must come


def build_store(config) -> Demo:
    """A fresh small demo store, served on a loopback port (the database and Redis db emptied first)."""
    from app import create_app
    from app.extensions import db
    from tests.conftest import _forget_redis, _reset

    # No admin base URL: the stack points the app at its own simulator (and pages skip Shopify's CDN).
    config = config.with_overrides(shopify_admin_base_url=None)
    create_app(config)
    _reset(db.engine)
    _forget_redis()
    return build(config, size=SMALL)


def admin_url(store: Demo, path: str, locale: str = "en") -> str:
    """The admin as Shopify opens it: the simulator's frame mints a fresh id token and adds the locale."""
    params = {"shop": DEMO_STORE, "path": path, **({"locale": locale} if locale != "en" else {})}
    return f"{store.app_url}/_devshop/admin/apps/flexchain?{urlencode(params)}"


def run_worker() -> None:
    """Work every queue until it is empty, in a thread, as `flexchain worker --burst` would."""
    from worker.runner import build_worker

    thread = threading.Thread(target=lambda: build_worker(in_thread=True).work(burst=True))
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive(), "the worker did not finish its burst in 120 s"


def watch(page) -> list[str]:
    """Console errors and uncaught exceptions of a page, collected from now on."""
    errors: list[str] = []
    # A failed resource's message does not name it: the location does.
    page.on("console", lambda m: errors.append(f"{m.text} ({m.location.get('url')})") if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def axe_serious(page) -> list:
    """axe-core's serious and critical violations on the page, as (rule, targets)."""
    if not AXE.is_file():
        pytest.fail("axe-core is vendored through npm: run `npm ci` at the repository root")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def admin_api(store: Demo, config, method: str, path: str, **kwargs):
    """Our admin API as the pages call it: a fresh id token minted the way Shopify admin mints it."""
    import httpx

    from app.devshop.idtoken import mint_id_token

    token = mint_id_token(config.shopify_api_key, config.shopify_api_secret, DEMO_STORE)
    response = httpx.request(method, f"{store.app_url}{path}", headers={"Authorization": f"Bearer {token}"},
                             timeout=30, **kwargs)
    response.raise_for_status()
    return response.json()
