"""`flexchain demo`: build the demo store through the simulator and the app's own intake, then serve it.

The order of things is the order a real store lives them: the shop exists with a year of history; it
installs Flexchain (id token → token exchange) and the first sync reads that history; the membership
backfill builds every member's tier; then the months since the install are replayed as signed webhooks
(demo_replay.py) with recovery mail going out over SMTP; last, the dashboard's daily tables are rebuilt.

The store's clock starts on the day it was first built (the shop's install date), so a second run, on any
day, tells the same story with the same ids and webhook ids: the app keeps what it already has and the
store is the same, not doubled.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock
from urllib.parse import urlencode

import httpx
from sqlalchemy import select
from werkzeug.serving import make_server

from app.config import Config
from app.devshop.demo_replay import Replay
from app.devshop.demo_store import Size, live_events, seed_store
from app.devshop.dev_server import build_dev_stack
from app.devshop.mail_sink import MailSink
from app.devshop.state import DevShopState
from app.extensions import db, redis_handle
from app.models import Shop

DEMO_STORE = "lumen-loom-demo.myshopify.com"
SYNC_TIMEOUT_S = 900


@dataclass
class Demo:
    app_url: str
    admin_url: str
    shop_id: int
    anchor: datetime
    delivered: dict[str, int]
    mails: int
    server: object
    sink: MailSink | None

    def close(self) -> None:
        self.server.shutdown()
        if self.sink is not None:
            self.sink.stop()


class _Deferred:
    """The app's URL (its port) must be known before the stack is built: listen first, attach the app after."""

    target = None

    def __call__(self, environ, start_response):
        return self.target(environ, start_response)


def build(config: Config, *, size: Size | None = None, host: str = "127.0.0.1", port: int = 0,
          echo: Callable[[str], None] = lambda _line: None) -> Demo:
    """Build (or re-build, idempotently) the demo store; the returned Demo is still serving."""
    size = size or Size()
    sink = None
    if not config.smtp_url:
        sink = MailSink().start()
        config = config.with_overrides(smtp_url=sink.url)
    deferred = _Deferred()
    server = make_server(host, port, deferred, threaded=True)
    threading.Thread(target=server.serve_forever, name="demo-http", daemon=True).start()
    app_url = f"http://{host}:{server.server_port}"
    holder: dict = {}

    def seed(state: DevShopState) -> None:
        holder["anchor"] = anchor = _anchor()
        holder["shop"] = shop = seed_store(state, DEMO_STORE, anchor, size)
        # Drawn now, before the app writes anything to the simulator: objects it creates (segments,
        # discounts) take ids from the same counter, and the story's ids must not depend on them.
        holder["events"] = live_events(shop, anchor, size)
        _adopt_stored_tokens(config, state)

    deferred.target, state, _flask_app = build_dev_stack(config, app_url, seed=seed)
    anchor, shop = holder["anchor"], holder["shop"]
    echo(f"building {shop.name} ({DEMO_STORE}) up to {anchor.date()}")
    _install(app_url, state)
    _merchant_settings(app_url, state)
    shop_id = _shop_id()
    started = time.monotonic()
    _finish_first_sync(shop_id, echo)
    echo(f"first sync and membership backfill done in {time.monotonic() - started:.0f} s; "
         f"replaying the {size.live_days} days since the install")
    started = time.monotonic()
    replay = Replay(shop=shop, shop_id=shop_id, app_url=app_url, secret=config.shopify_api_secret, anchor=anchor,
                    drain=_drain, recover=lambda now: recover_at(shop_id, now, config.smtp_url),
                    inbox=sink.inbox if sink else None, progress=echo)
    replay.run(holder["events"])
    echo(f"replayed in {time.monotonic() - started:.0f} s")
    from worker.jobs.dashboard import refresh_shop

    refresh_shop(shop_id)
    admin_url = f"{app_url}/_devshop/admin/apps/flexchain?" + urlencode({"shop": DEMO_STORE, "path": "/dashboard"})
    mails = len(sink.inbox.recipients) if sink else 0
    return Demo(app_url, admin_url, shop_id, anchor, replay.delivered, mails, server, sink)


def _anchor() -> datetime:
    """Midnight (UTC) of the day the demo store was first built: its install date, else today."""
    with db.session() as session:
        installed = session.scalar(select(Shop.installed_at).where(Shop.domain == DEMO_STORE))
    day = (installed or datetime.now(UTC)).astimezone(UTC).date()
    return datetime.combine(day, clock(), UTC)


def _adopt_stored_tokens(config: Config, state: DevShopState) -> None:
    from app.crypto import TokenCipher

    with db.session() as session:
        shop = session.scalar(select(Shop).where(Shop.domain == DEMO_STORE))
        if shop is None or not shop.access_token_enc:
            return
        cipher = TokenCipher(config.encryption_keys)
        try:
            access = cipher.decrypt(shop.access_token_enc)
            refresh = cipher.decrypt(shop.refresh_token_enc) if shop.refresh_token_enc else None
        except ValueError:
            return  # another key: the install below exchanges a new token
        state.adopt_tokens(DEMO_STORE, access, refresh, shop.access_token_expires_at, shop.refresh_token_expires_at)


def _install(app_url: str, state: DevShopState) -> None:
    """Open the app as Shopify admin would: the app home exchanges the id token (installs) when it must."""
    from app.devshop.idtoken import mint_id_token

    token = mint_id_token(state.api_key, state.api_secret, DEMO_STORE)
    query = urlencode({"embedded": "1", "shop": DEMO_STORE, "id_token": token})
    httpx.get(f"{app_url}/?{query}", timeout=60).raise_for_status()


def _merchant_settings(app_url: str, state: DevShopState) -> None:
    """What the merchant set in the admin: orders routed to the fastest complete warehouse (Shenzhen holds
    everything, Los Angeles and Rotterdam ship their regions faster), saved through the admin API."""
    from app.devshop.idtoken import mint_id_token

    headers = {"Authorization": f"Bearer {mint_id_token(state.api_key, state.api_secret, DEMO_STORE)}"}
    body = {"routing_enabled": True, "routing_min_gain_days": 1, "routing_service_level": "standard",
            "routing_always_for_tiers": ["gold"]}
    httpx.put(f"{app_url}/api/supply-settings", json=body, headers=headers, timeout=30).raise_for_status()


def _shop_id() -> int:
    with db.session() as session:
        return session.scalar(select(Shop.id).where(Shop.domain == DEMO_STORE))


def _drain() -> None:
    """Work every queue until it is empty, as `flexchain worker --burst` does, in this thread."""
    from app import queue as queues
    from worker.runner import WORKER_QUEUES, ThreadWorker

    class DrainWorker(ThreadWorker):
        # No command channel: nobody sends a drain commands, and closing its listener thread costs 0.2 s at
        # every stop (hundreds of drains per build).
        def subscribe(self) -> None:
            pass

        def unsubscribe(self) -> None:
            pass

    if any(queues.get_queue(q).count for q in WORKER_QUEUES):
        DrainWorker([queues.get_queue(q) for q in WORKER_QUEUES], connection=redis_handle.conn).work(burst=True)


def _finish_first_sync(shop_id: int, echo: Callable[[str], None]) -> None:
    """Work the queues until the first sync (bulk operations answer in the background) and the membership
    backfill it queues have finished."""
    from app.membership.backfill import progress
    from app.sync.service import sync_progress

    started, last = time.monotonic(), ""
    while time.monotonic() - started < SYNC_TIMEOUT_S:
        _drain()
        with db.session(shop_id=shop_id) as session:
            steps = sync_progress(session, shop_id)
            backfill = progress(session, shop_id) or {}
        line = "  ".join(f"{s['step']}:{s['status']}" for s in steps)
        if line != last:
            echo(f"  sync {line}")
            last = line
        failed = [s for s in steps if s["status"] == "failed"]
        if failed:
            raise RuntimeError("first sync failed: " + "; ".join(f"{s['step']}: {s.get('error')}" for s in failed))
        if steps and all(s["status"] == "done" for s in steps) and backfill.get("state") in ("done", "failed"):
            if backfill["state"] == "failed":
                raise RuntimeError(f"membership backfill failed: {backfill.get('error')}")
            return
        time.sleep(0.5)
    raise RuntimeError("the first sync did not finish in time")


def recover_at(shop_id: int, now: datetime, smtp_url: str) -> None:
    """What the periodic recovery jobs do at `now`: detect abandoned checkouts, send the due messages."""
    from app.mail.smtp import Mailer, parse_url
    from app.recovery import sending, service
    from worker.jobs.recovery import context

    with db.session(shop_id=shop_id) as session:
        service.detect_due(session, shop_id, now)
    ctx = context()
    with Mailer(parse_url(smtp_url)) as mailer:
        while True:
            with db.session(shop_id=shop_id) as session:
                token, ids = sending.claim(session, shop_id, now)
            if not ids:
                return
            sending.send_claimed(shop_id, token, ids, mailer, lambda: now, ctx)
