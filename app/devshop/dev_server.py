"""`flexchain dev`: the app, the local Shopify simulator, a worker and the scheduler in one process.

The simulator is mounted at /_devshop on the same port and the app reaches it only through
SHOPIFY_ADMIN_BASE_URL, as it would reach Shopify. The demo shop is installed the way Shopify installs
an embedded app: its admin opens the app with an id token, and the app exchanges that for tokens.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from urllib.parse import urlencode

import httpx
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server

from app import create_app
from app.config import Config
from app.devshop import create_simulator
from app.devshop.state import DevShopState, SimShop
from app.extensions import redis_handle
from app.migrate import upgrade

DEMO_SHOP = "flexchain-demo.myshopify.com"
log = logging.getLogger(__name__)


def build_dev_stack(config: Config, app_url: str,
                    seed: Callable[[DevShopState], object] | None = None) -> tuple[object, DevShopState, object]:
    """The combined WSGI app (app + simulator at /_devshop), the simulator state and the Flask app; `seed`
    fills the simulator (default: the dev shop), after the app is up so it may read the database."""
    if not config.shopify_admin_base_url:
        config = config.with_overrides(shopify_admin_base_url=f"{app_url}/_devshop")
    config = config.with_overrides(app_url=app_url)
    upgrade(config.database_url)
    flask_app = create_app(config)
    state = DevShopState(config.shopify_api_key, config.shopify_api_secret, scope=_toml_scopes())
    state.app_url = app_url
    state.webhook_target = f"{app_url}/webhooks"
    (seed or seed_demo)(state)
    combined = DispatcherMiddleware(flask_app, {"/_devshop": create_simulator(state)})
    return combined, state, flask_app


def seed_demo(state: DevShopState) -> SimShop:
    from app.devshop.catalog import seed_demo_shop

    return seed_demo_shop(state, DEMO_SHOP)


def install_demo_shop(app_url: str, state: DevShopState) -> None:
    """Open the app as Shopify admin would; the app home performs the token exchange (install)."""
    from app.devshop.idtoken import mint_id_token

    token = mint_id_token(state.api_key, state.api_secret, DEMO_SHOP)
    query = urlencode({"embedded": "1", "shop": DEMO_SHOP, "id_token": token})
    response = httpx.get(f"{app_url}/?{query}", timeout=30)
    response.raise_for_status()


def start_in_process_worker() -> None:
    from worker.runner import run_worker

    thread = threading.Thread(
        target=run_worker, kwargs={"name": "dev-worker", "in_thread": True}, name="dev-worker", daemon=True
    )
    thread.start()


def run_dev(config: Config, *, host: str, port: int, echo: Callable[[str], None]) -> None:
    app_url = f"http://{host}:{port}"
    combined, state, _flask_app = build_dev_stack(config, app_url)
    server = make_server(host, port, combined, threaded=True)
    serving = threading.Thread(target=server.serve_forever, name="dev-http", daemon=True)
    serving.start()
    if config.generated:
        echo(f"Generated development values (kept under instance/): {', '.join(config.generated)}")
        echo(f"  SHOPIFY_API_KEY={config.shopify_api_key}")
        echo(f"  SHOPIFY_API_SECRET={config.shopify_api_secret}")
    if redis_handle.in_process:
        echo("REDIS_URL is not set: using an in-process queue, worker and scheduler")
        start_in_process_worker()
    else:
        echo("REDIS_URL is set: start workers with `flexchain worker`")
    install_demo_shop(app_url, state)
    echo(f"Flexchain is running at {app_url} with {DEMO_SHOP} installed.")
    echo(f"Open the embedded admin: {app_url}/_devshop/admin/apps/flexchain?shop={DEMO_SHOP}")
    try:
        serving.join()
    except KeyboardInterrupt:
        echo("stopping")
    finally:
        server.shutdown()


def _toml_scopes() -> str:
    import tomllib
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "shopify.app.toml"
    try:
        return tomllib.loads(path.read_text())["access_scopes"]["scopes"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return ""
