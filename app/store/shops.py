"""The shop's own settings and granted scopes, as Shopify reports them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Shop
from app.shopify.records import ScopesRecord, ShopRecord


def upsert_shop_settings(session: Session, shop: Shop, record: ShopRecord) -> Shop:
    """Copy what Shopify says about the shop; the domain is our key and is never rewritten here."""
    if record.shopify_id is not None:
        shop.shopify_id = record.shopify_id
    shop.name = record.name or shop.name
    shop.email = record.email or shop.email
    shop.currency = record.currency or shop.currency
    shop.timezone = record.timezone or shop.timezone
    shop.country_code = record.country_code or shop.country_code
    shop.plan_name = record.plan_name or shop.plan_name
    shop.primary_locale = record.primary_locale or shop.primary_locale
    session.flush()
    return shop


def set_scopes(session: Session, shop: Shop, record: ScopesRecord) -> Shop:
    shop.scopes = ",".join(record.current)
    session.flush()
    return shop
