"""Public addresses of passports: the shop's storefront, through the app proxy (`/apps/flexchain`).

With the local simulator configured (development and tests) the storefront is the simulator's.
"""

from __future__ import annotations

from app.shopify.tokens import current_config

PROXY_PATH = "/apps/flexchain"


def storefront_base(shop_domain: str) -> str:
    simulator = current_config().shopify_admin_base_url
    if simulator:
        return f"{simulator.rstrip('/')}/store/{shop_domain}{PROXY_PATH}"
    return f"https://{shop_domain}{PROXY_PATH}"


def passport_url(shop_domain: str, product_id: int) -> str:
    return f"{storefront_base(shop_domain)}/passport/{product_id}"


def jwks_uri(shop_domain: str) -> str:
    return f"{storefront_base(shop_domain)}/jwks.json"
