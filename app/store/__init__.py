"""Persistence of Shopify records: one upsert per record type, last write wins by Shopify's updated_at.

Every function takes the session, the shop's id and a record from app/shopify/records.py and returns
the row; the caller (job or request) commits. Webhooks and the sync share these, so both paths agree.
"""

from app.store.catalog import (
    deactivate_location,
    mark_product_deleted,
    upsert_inventory_item,
    upsert_inventory_level,
    upsert_location,
    upsert_product,
)
from app.store.checkouts import link_order_to_checkout, upsert_cart, upsert_checkout
from app.store.customers import ensure_customer, mark_customer_deleted, update_email_consent, upsert_customer
from app.store.orders import upsert_order, upsert_refund
from app.store.shops import set_scopes, upsert_shop_settings

__all__ = [
    "deactivate_location", "mark_product_deleted", "upsert_inventory_item", "upsert_inventory_level",
    "upsert_location", "upsert_product", "link_order_to_checkout", "upsert_cart", "upsert_checkout",
    "ensure_customer", "mark_customer_deleted", "update_email_consent", "upsert_customer",
    "upsert_order", "upsert_refund", "set_scopes", "upsert_shop_settings",
]
