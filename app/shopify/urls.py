"""Where a shop's Admin API lives: the real shop, or the local simulator behind SHOPIFY_ADMIN_BASE_URL."""

from __future__ import annotations

import re

from app.config import ADMIN_API_VERSION

# A DNS label is at most 63 characters: a longer name is no shop (and would not fit the domain columns).
SHOP_DOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}\.myshopify\.com$")


def normalise_shop_domain(value: str | None) -> str | None:
    """Lower-cased `name.myshopify.com`, or None when the value is not a shop domain."""
    if not value:
        return None
    domain = value.strip().lower()
    return domain if SHOP_DOMAIN_RE.fullmatch(domain) else None


def shop_origin(shop_domain: str, admin_base_url: str | None) -> str:
    """`https://{shop}` in production; `{base}/{shop}` when pointed at the simulator."""
    if admin_base_url:
        return f"{admin_base_url.rstrip('/')}/{shop_domain}"
    return f"https://{shop_domain}"


def graphql_url(shop_domain: str, admin_base_url: str | None, version: str = ADMIN_API_VERSION) -> str:
    return f"{shop_origin(shop_domain, admin_base_url)}/admin/api/{version}/graphql.json"


def token_url(shop_domain: str, admin_base_url: str | None) -> str:
    return f"{shop_origin(shop_domain, admin_base_url)}/admin/oauth/access_token"
