"""Locations, products with their variants, inventory items and stock levels."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import InventoryItem, InventoryLevel, Location, Product, Variant
from app.shopify.records import InventoryItemRecord, InventoryLevelRecord, LocationRecord, ProductRecord
from app.store._rows import locked, upsert


def upsert_location(session: Session, shop_id: int, record: LocationRecord) -> Location:
    address = record.address
    values: dict[str, object] = {
        "name": record.name,
        "address1": address.address1,
        "city": address.city,
        "province_code": address.province_code,
        "country_code": address.country_code,
        "zip": address.zip,
        "active": record.active,
        "shopify_updated_at": record.updated_at,
    }
    # Location webhooks carry neither coordinates nor the online-fulfilment flag: keep what the sync read.
    if address.latitude is not None and address.longitude is not None:
        values.update(latitude=address.latitude, longitude=address.longitude)
    if record.fulfills_online_orders is not None:
        values["fulfills_online_orders"] = record.fulfills_online_orders
    location, _ = upsert(session, Location, shop_id, {"shopify_id": record.shopify_id}, values)
    return location


def deactivate_location(session: Session, shop_id: int, location_id: int) -> Location | None:
    """A deleted location stops counting as a warehouse; its row stays for history."""
    location = locked(session, Location, shop_id, {"shopify_id": location_id})
    if location is not None:
        location.active = False
    return location


def upsert_product(session: Session, shop_id: int, record: ProductRecord) -> Product:
    values = {
        "title": record.title,
        "handle": record.handle,
        "vendor": record.vendor,
        "product_type": record.product_type,
        "status": record.status,
        "shopify_updated_at": record.updated_at,
    }
    product, written = upsert(session, Product, shop_id, {"shopify_id": record.shopify_id}, values)
    if written and record.variants:
        existing = {v.shopify_id: v for v in product.variants}
        seen = set()
        for rec in record.variants:
            seen.add(rec.shopify_id)
            variant = existing.get(rec.shopify_id)
            if variant is None:
                # A variant moved from another product keeps its unique Shopify id: reuse that row.
                variant = locked(session, Variant, shop_id, {"shopify_id": rec.shopify_id})
                if variant is None:
                    variant = Variant(shop_id=shop_id, shopify_id=rec.shopify_id)
                product.variants.append(variant)
            variant.title, variant.sku = rec.title, rec.sku
            variant.price = rec.price.amount if rec.price else None
            variant.currency = rec.price.currency if rec.price else None
            variant.inventory_item_id = rec.inventory_item_id
            variant.image_url = rec.image_url
        for shopify_id, variant in existing.items():
            if shopify_id not in seen:
                product.variants.remove(variant)
    return product


def mark_product_deleted(session: Session, shop_id: int, product_id: int) -> Product | None:
    product = locked(session, Product, shop_id, {"shopify_id": product_id})
    if product is not None:
        product.deleted = True
    return product


def upsert_inventory_item(session: Session, shop_id: int, record: InventoryItemRecord) -> InventoryItem:
    values = {
        "sku": record.sku,
        "tracked": record.tracked,
        "country_code_of_origin": record.country_code_of_origin,
        "harmonized_system_code": record.harmonized_system_code,
        "shopify_updated_at": record.updated_at,
    }
    item, _ = upsert(session, InventoryItem, shop_id, {"shopify_id": record.shopify_id}, values)
    return item


def upsert_inventory_level(session: Session, shop_id: int, record: InventoryLevelRecord) -> InventoryLevel:
    """Last write wins by Shopify's updated_at: updates delivered in reverse order keep the newest count."""
    values: dict[str, object] = {"available": record.available, "updated_at": record.updated_at}
    for name in ("on_hand", "committed", "incoming"):
        if getattr(record, name) is not None:
            values[name] = getattr(record, name)
    key = {"inventory_item_id": record.inventory_item_id, "location_id": record.location_id}
    level, _ = upsert(session, InventoryLevel, shop_id, key, values, version_attr="updated_at")
    return level
