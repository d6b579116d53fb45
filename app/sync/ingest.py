"""GraphQL nodes and bulk result groups → records → the same upserts the webhooks use."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.recovery.service import record_checkout, record_order
from app.shopify import gql_records as gr
from app.shopify.bulk import RootObject
from app.shopify.payload_fields import gid_number
from app.store import (
    upsert_customer,
    upsert_inventory_item,
    upsert_inventory_level,
    upsert_location,
    upsert_product,
)


def save_location(session: Session, shop_id: int, node: dict) -> None:
    upsert_location(session, shop_id, gr.location_record(node))


def save_product(session: Session, shop_id: int, node: dict, currency: str, variants: list[dict] | None = None) -> None:
    variant_nodes = variants if variants is not None else gr.connection_nodes(node, "variants")
    upsert_product(session, shop_id, gr.product_record(node, currency, variant_nodes))
    for variant in variant_nodes:
        if variant.get("inventoryItem"):
            upsert_inventory_item(session, shop_id, gr.inventory_item_record(variant["inventoryItem"]))


def save_product_group(session: Session, shop_id: int, root: RootObject, currency: str) -> None:
    save_product(session, shop_id, root.node, currency, root.of_type("ProductVariant"))


def save_inventory_group(session: Session, shop_id: int, root: RootObject, currency: str) -> None:
    item_id = gid_number(root.node["id"])
    for level in root.of_type("InventoryLevel"):
        upsert_inventory_level(session, shop_id, gr.inventory_level_record(level, item_id))


def save_level(session: Session, shop_id: int, node: dict) -> None:
    upsert_inventory_level(session, shop_id, gr.inventory_level_record(node))


def save_customer(session: Session, shop_id: int, node: dict) -> None:
    upsert_customer(session, shop_id, gr.customer_record(node))


def save_customer_group(session: Session, shop_id: int, root: RootObject, currency: str) -> None:
    save_customer(session, shop_id, root.node)


def save_order(session: Session, shop_id: int, node: dict, lines: list[dict] | None = None) -> None:
    # Through recovery like a webhook: an order only the reconciliation saw still converts its case.
    record_order(session, shop_id, gr.order_record(node, lines))


def save_order_group(session: Session, shop_id: int, root: RootObject, currency: str) -> None:
    save_order(session, shop_id, root.node, root.of_type("LineItem"))


def save_checkout(session: Session, shop_id: int, node: dict) -> None:
    # The same path as checkouts/* webhooks: an imported or repaired checkout opens or updates its case.
    record_checkout(session, shop_id, gr.checkout_record(node))


BULK_SAVERS = {
    "products": save_product_group,
    "inventory": save_inventory_group,
    "customers": save_customer_group,
    "orders": save_order_group,
}
