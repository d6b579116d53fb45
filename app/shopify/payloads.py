"""Shopify webhook JSON → our records (app/shopify/records.py), once; nothing past here reads raw JSON.

Each `parse_*` takes the decoded body (see `load_json`) and returns a record or raises PayloadError
naming the field that is wrong. Money comes from the `*_set.shop_money` bags, so it is always in the
shop's currency with that currency beside it.
"""

from __future__ import annotations

from typing import Any

from app.shopify.payload_fields import (
    PayloadError,
    address,
    as_int,
    currency,
    flag,
    gid_number,
    items,
    lines,
    load_json,
    money,
    obj,
    opt_int,
    resource_id,
    tags,
    text,
    timestamp,
)
from app.shopify.records import (
    Address,
    BulkOperationRecord,
    CartRecord,
    CheckoutRecord,
    CustomerPrivacyRequest,
    CustomerRecord,
    EmailConsentRecord,
    FulfillmentRecord,
    InventoryItemRecord,
    InventoryLevelRecord,
    LocationRecord,
    OrderRecord,
    ProductRecord,
    ScopesRecord,
    ShopRecord,
    ShopRedactRequest,
    VariantRecord,
)
from app.shopify.refund_payloads import parse_refund

# Re-exported: callers import every parser from here, whichever module holds it.
__all__ = ["PayloadError", "load_json", "parse_refund"]

Json = dict[str, Any]


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


def parse_customer(d: Json) -> CustomerRecord:
    email_consent = obj(d, "email_marketing_consent") or {}
    sms_consent = obj(d, "sms_marketing_consent") or {}
    return CustomerRecord(
        shopify_id=resource_id(d),
        email=text(d, "email"),
        phone=text(d, "phone"),
        first_name=text(d, "first_name"),
        last_name=text(d, "last_name"),
        state=text(d, "state"),
        tags=tags(d.get("tags")),
        locale=text(d, "locale"),
        email_marketing_state=_upper(text(email_consent, "state")),
        email_marketing_opt_in_level=_upper(text(email_consent, "opt_in_level")),
        email_consent_updated_at=timestamp(email_consent, "consent_updated_at"),
        sms_marketing_state=_upper(text(sms_consent, "state")),
        updated_at=timestamp(d, "updated_at"),
    )


def parse_order(d: Json) -> OrderRecord:
    shop_currency = currency(d.get("currency"), "currency") if d.get("currency") else None
    total = money(d, "total_price", shop_currency)
    if total is None:
        raise PayloadError("total_price is missing")
    customer = obj(d, "customer")
    return OrderRecord(
        shopify_id=resource_id(d),
        name=text(d, "name"),
        email=text(d, "email") or text(d, "contact_email"),
        customer_id=resource_id(customer) if customer else None,
        total_price=total,
        subtotal_price=money(d, "subtotal_price", shop_currency),
        total_shipping=money(d, "total_shipping_price", shop_currency),
        presentment_currency=text(d, "presentment_currency"),
        financial_status=text(d, "financial_status"),
        fulfillment_status=text(d, "fulfillment_status"),
        checkout_token=text(d, "checkout_token"),
        cart_token=text(d, "cart_token"),
        source_name=text(d, "source_name"),
        tags=tags(d.get("tags")),
        test=flag(d, "test"),
        shipping_address=address(obj(d, "shipping_address")),
        processed_at=timestamp(d, "processed_at"),
        cancelled_at=timestamp(d, "cancelled_at"),
        cancel_reason=text(d, "cancel_reason"),
        created_at=timestamp(d, "created_at"),
        updated_at=timestamp(d, "updated_at"),
        lines=lines(d, shop_currency),
        customer=parse_customer(customer) if customer else None,
        refunds=tuple(parse_refund(r, shop_currency) for r in items(d, "refunds")),
    )


def parse_checkout(d: Json) -> CheckoutRecord:
    token = text(d, "token")
    if not token:
        raise PayloadError("token is missing")
    shop_currency = currency(d.get("currency"), "currency")
    customer = obj(d, "customer")
    total = money(d, "total_price", shop_currency)
    if total is None:
        raise PayloadError("total_price is missing")
    return CheckoutRecord(
        token=token,
        shopify_id=opt_int(d, "id"),
        cart_token=text(d, "cart_token"),
        email=text(d, "email"),
        phone=text(d, "phone") or text(d, "sms_marketing_phone"),
        customer_id=resource_id(customer) if customer else None,
        buyer_accepts_marketing=flag(d, "buyer_accepts_marketing"),
        buyer_accepts_sms_marketing=flag(d, "buyer_accepts_sms_marketing"),
        customer_locale=text(d, "customer_locale"),
        total_price=total,
        subtotal_price=money(d, "subtotal_price", shop_currency),
        presentment_currency=text(d, "presentment_currency"),
        shipping_address=address(obj(d, "shipping_address")),
        abandoned_checkout_url=text(d, "abandoned_checkout_url"),
        created_at=timestamp(d, "created_at"),
        updated_at=timestamp(d, "updated_at"),
        completed_at=timestamp(d, "completed_at"),
        closed_at=timestamp(d, "closed_at"),
        lines=lines(d, shop_currency),
    )


def parse_cart(d: Json) -> CartRecord:
    token = text(d, "token") or text(d, "id")
    if not token:
        raise PayloadError("token is missing")
    return CartRecord(token=token, created_at=timestamp(d, "created_at"), updated_at=timestamp(d, "updated_at"),
                      lines=lines(d, None))


def parse_inventory_level(d: Json) -> InventoryLevelRecord:
    item_id = as_int(d.get("inventory_item_id"), "inventory_item_id")
    gid = d.get("admin_graphql_api_id")
    if isinstance(gid, str) and "inventory_item_id=" in gid:
        # The GID carries the item id exactly; the bare number may have been rounded by a JSON tool.
        item_id = as_int(gid.rsplit("inventory_item_id=", 1)[1].split("&")[0], "admin_graphql_api_id")
    updated_at = timestamp(d, "updated_at")
    if updated_at is None:
        raise PayloadError("updated_at is missing")
    available = d.get("available")
    return InventoryLevelRecord(
        inventory_item_id=item_id,
        location_id=as_int(d.get("location_id"), "location_id"),
        available=0 if available is None else as_int(available, "available"),
        updated_at=updated_at,
    )


def parse_inventory_item(d: Json) -> InventoryItemRecord:
    return InventoryItemRecord(
        shopify_id=resource_id(d), sku=text(d, "sku"), tracked=flag(d, "tracked", default=True),
        country_code_of_origin=text(d, "country_code_of_origin"),
        harmonized_system_code=text(d, "harmonized_system_code"), updated_at=timestamp(d, "updated_at"),
    )


def parse_location(d: Json) -> LocationRecord:
    name = text(d, "name")
    if not name:
        raise PayloadError("name is missing")
    base = address(d) or Address()
    return LocationRecord(
        shopify_id=resource_id(d), name=name,
        address=Address(base.address1, base.city, base.province_code, base.country_code, base.zip),
        active=flag(d, "active", default=True),
        fulfills_online_orders=None, updated_at=timestamp(d, "updated_at"),
    )


def _image_urls(d: Json) -> tuple[dict[int, str], str | None]:
    """Image id → src, and the featured image's src (`image`, else the first of `images`)."""
    by_id = {}
    for image in items(d, "images"):
        if isinstance(image.get("id"), int) and isinstance(image.get("src"), str):
            by_id[image["id"]] = image["src"]
    featured = (d.get("image") or {}).get("src") if isinstance(d.get("image"), dict) else None
    return by_id, featured if isinstance(featured, str) else next(iter(by_id.values()), None)


def parse_product(d: Json, shop_currency: str) -> ProductRecord:
    images, featured = _image_urls(d)
    variants = tuple(
        VariantRecord(shopify_id=resource_id(v), title=text(v, "title") or "", sku=text(v, "sku"),
                      price=money(v, "price", shop_currency), inventory_item_id=opt_int(v, "inventory_item_id"),
                      image_url=images.get(v.get("image_id")) or featured)
        for v in items(d, "variants")
    )
    return ProductRecord(
        shopify_id=resource_id(d), title=text(d, "title") or "", handle=text(d, "handle"),
        vendor=text(d, "vendor"), product_type=text(d, "product_type"), status=text(d, "status"),
        updated_at=timestamp(d, "updated_at"), variants=variants,
    )


def parse_deleted_id(d: Json) -> int:
    """products/delete, customers/delete, locations/delete: only the id matters."""
    return resource_id(d)


def parse_email_consent(d: Json) -> EmailConsentRecord:
    consent = obj(d, "email_marketing_consent") or {}
    return EmailConsentRecord(
        customer_id=as_int(d.get("customer_id"), "customer_id"), email=text(d, "email_address"),
        state=_upper(text(consent, "state")), opt_in_level=_upper(text(consent, "opt_in_level")),
        consent_updated_at=timestamp(consent, "consent_updated_at"),
    )


def parse_shop(d: Json, shop_domain: str) -> ShopRecord:
    return ShopRecord(
        shopify_id=opt_int(d, "id"), domain=text(d, "myshopify_domain") or shop_domain, name=text(d, "name"),
        email=text(d, "email"), currency=currency(d.get("currency") or "USD", "currency"),
        timezone=text(d, "iana_timezone") or "UTC", country_code=text(d, "country_code"),
        plan_name=text(d, "plan_name"),
    )


def parse_scopes(d: Json) -> ScopesRecord:
    current = d.get("current")
    if not isinstance(current, list) or not all(isinstance(s, str) for s in current):
        raise PayloadError("current must be a list of scope names")
    return ScopesRecord(current=tuple(current), updated_at=timestamp(d, "updated_at"))


def parse_bulk_operation(d: Json) -> BulkOperationRecord:
    gid = text(d, "admin_graphql_api_id")
    if not gid:
        raise PayloadError("admin_graphql_api_id is missing")
    gid_number(gid)
    status = text(d, "status")
    if not status:
        raise PayloadError("status is missing")
    return BulkOperationRecord(gid=gid, status=status.upper(), error_code=_upper(text(d, "error_code")),
                               type=_upper(text(d, "type")), completed_at=timestamp(d, "completed_at"))


def parse_customer_privacy(d: Json) -> CustomerPrivacyRequest:
    customer = obj(d, "customer", required=True)
    order_ids = d.get("orders_to_redact", d.get("orders_requested")) or []
    if not isinstance(order_ids, list):
        raise PayloadError("orders list must be a list")
    request = obj(d, "data_request")
    return CustomerPrivacyRequest(
        shop_domain=text(d, "shop_domain"), customer_id=opt_int(customer, "id"), email=text(customer, "email"),
        phone=text(customer, "phone"), order_ids=tuple(as_int(o, "orders[]") for o in order_ids),
        request_id=text(request, "id") if request else None,
    )


def parse_shop_redact(d: Json) -> ShopRedactRequest:
    return ShopRedactRequest(shop_domain=text(d, "shop_domain"), shop_id=opt_int(d, "shop_id"))


def parse_fulfillment(d: Json) -> FulfillmentRecord:
    if d.get("order_id") is None:
        raise PayloadError("order_id is missing")
    return FulfillmentRecord(
        shopify_id=resource_id(d), order_id=as_int(d["order_id"], "order_id"), status=text(d, "status"),
        shipment_status=text(d, "shipment_status"), location_id=opt_int(d, "location_id"),
        tracking_company=text(d, "tracking_company"), tracking_number=text(d, "tracking_number"),
        created_at=timestamp(d, "created_at"), updated_at=timestamp(d, "updated_at"),
        delivered_at=timestamp(d, "delivered_at"),
        lines=tuple((opt_int(line, "variant_id"), as_int(line.get("quantity"), "line_items[].quantity"))
                    for line in items(d, "line_items")),
    )


def parse_order_fulfillments(d: Json) -> tuple[FulfillmentRecord, ...]:
    """The fulfillments an order payload embeds (orders/fulfilled); they belong to that order, whatever they say."""
    order_id = resource_id(d)
    return tuple(parse_fulfillment({**f, "order_id": order_id}) for f in items(d, "fulfillments"))


_LEVEL_WORDS = (("express", ("express", "priority", "overnight", "next day", "next-day")),
                ("economy", ("economy", "saver", "slow")))


def parse_order_service_level(d: Json) -> str | None:
    """economy | standard | express from the order's shipping line names; None when it has no shipping line."""
    shipping = [f"{text(s, 'code') or ''} {text(s, 'title') or ''}".lower() for s in items(d, "shipping_lines")
                if s.get("is_removed") is not True]
    if not shipping:
        return None
    for level, words in _LEVEL_WORDS:
        if any(word in name for name in shipping for word in words):
            return level
    return "standard"
