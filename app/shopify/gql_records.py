"""Admin GraphQL results (our .graphql operations and bulk JSONL lines) → our typed records.

The counterpart of payloads.py for webhooks: after this, nothing reads GraphQL JSON. Enum values are
brought to the webhook spelling the store expects (financial status lower-case, consent upper-case).
Malformed input raises PayloadError, like the webhook parsers.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlparse

from app.shopify.payload_fields import PayloadError, currency, decimal, gid_number, text, timestamp
from app.shopify.records import (
    Address,
    CheckoutRecord,
    CustomerRecord,
    InventoryItemRecord,
    InventoryLevelRecord,
    LineRecord,
    LocationRecord,
    Money,
    OrderRecord,
    ProductRecord,
    ShopRecord,
    VariantRecord,
)

Json = dict[str, Any]
# displayFulfillmentStatus → the REST/webhook `fulfillment_status` the store keeps.
FULFILLMENT = {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial", "RESTOCKED": "restocked"}
# Classic `/checkouts/<token>/recover` and the newer `/checkouts/ac/<token>/recover` both carry the token.
CHECKOUT_TOKEN_RE = re.compile(r"/checkouts/(?:[a-z]{2}/)?([A-Za-z0-9_-]+)/recover")


def _ref(node: Json | None) -> int | None:
    return gid_number(node["id"]) if node and node.get("id") else None


def connection_nodes(node: Json, key: str) -> list[Json]:
    conn = node.get(key) or {}
    if "nodes" in conn:
        return conn["nodes"] or []
    return [edge["node"] for edge in conn.get("edges") or []]


def shop_money(bag: Json | None, where: str) -> Money | None:
    if not bag:
        return None
    shop = bag.get("shopMoney") or {}
    return Money(decimal(shop.get("amount"), f"{where}.amount"), currency(shop.get("currencyCode"), where))


def _address(a: Json | None) -> Address | None:
    if not a:
        return None
    return Address(address1=a.get("address1"), city=a.get("city"), province_code=a.get("provinceCode"),
                   country_code=a.get("countryCodeV2") or a.get("countryCode"), zip=a.get("zip"),
                   latitude=a.get("latitude"), longitude=a.get("longitude"))


def shop_record(node: Json, domain: str) -> ShopRecord:
    return ShopRecord(
        shopify_id=gid_number(node["id"]) if node.get("id") else None, domain=domain, name=text(node, "name"),
        email=text(node, "email"), currency=currency(node.get("currencyCode"), "currencyCode"),
        timezone=text(node, "ianaTimezone") or "UTC",
        country_code=(node.get("billingAddress") or {}).get("countryCodeV2"),
        plan_name=(node.get("plan") or {}).get("publicDisplayName"),
    )


def primary_locale(locales: list[Json] | None) -> str | None:
    """The shop's primary locale from `shopLocales`, e.g. "fr" or "pt-BR"; None when none is marked primary."""
    for item in locales or ():
        code = item.get("locale") if isinstance(item, dict) else None
        if item.get("primary") and isinstance(code, str) and 1 < len(code) <= 16:
            return code
    return None


def location_record(node: Json) -> LocationRecord:
    return LocationRecord(
        shopify_id=gid_number(node["id"]), name=node.get("name") or "", address=_address(node.get("address")) or
        Address(), active=bool(node.get("isActive", True)), fulfills_online_orders=node.get("fulfillsOnlineOrders"),
        updated_at=timestamp(node, "updatedAt"),
    )


def variant_record(node: Json, shop_currency: str) -> VariantRecord:
    price = node.get("price")
    return VariantRecord(
        shopify_id=gid_number(node["id"]), title=node.get("title") or "", sku=node.get("sku") or None,
        price=Money(decimal(price, "price"), shop_currency) if price is not None else None,
        inventory_item_id=_ref(node.get("inventoryItem")),
    )


def product_record(node: Json, shop_currency: str, variants: list[Json] | None = None) -> ProductRecord:
    """`variants`: the variant nodes (bulk child lines); by default the product's own `variants` connection."""
    variant_nodes = variants if variants is not None else connection_nodes(node, "variants")
    return ProductRecord(
        shopify_id=gid_number(node["id"]), title=node.get("title") or "", handle=node.get("handle"),
        vendor=node.get("vendor"), product_type=node.get("productType"),
        status=(node.get("status") or "").lower() or None, updated_at=timestamp(node, "updatedAt"),
        variants=tuple(replace(variant_record(v, shop_currency), image_url=_featured_image(node))
                       for v in variant_nodes),
    )


def _featured_image(node: Json) -> str | None:
    # The product's featured image stands for each variant (a variant's own media would be one more nested
    # connection per variant in the bulk query; the products/update webhook does carry it).
    url = (((node.get("featuredMedia") or {}).get("preview") or {}).get("image") or {}).get("url")
    return url if isinstance(url, str) and url else None


def inventory_item_record(node: Json) -> InventoryItemRecord:
    return InventoryItemRecord(
        shopify_id=gid_number(node["id"]), sku=node.get("sku") or None, tracked=bool(node.get("tracked", True)),
        country_code_of_origin=node.get("countryCodeOfOrigin"),
        harmonized_system_code=node.get("harmonizedSystemCode"), updated_at=timestamp(node, "updatedAt"),
    )


def inventory_level_record(node: Json, inventory_item_id: int | None = None) -> InventoryLevelRecord:
    """The item comes from `item{id}`, the caller (bulk parent) or the level's own GID query string."""
    item_id = _ref(node.get("item")) or inventory_item_id
    if item_id is None:
        query = parse_qs(urlparse(node.get("id") or "").query)
        item_id = int(query["inventory_item_id"][0]) if "inventory_item_id" in query else None
    location_id = _ref(node.get("location")) or gid_number((node.get("id") or "").split("?")[0])
    if item_id is None:
        raise PayloadError("inventory level without an inventory item")
    quantities = {q["name"]: int(q["quantity"]) for q in node.get("quantities") or []}
    updated_at = timestamp(node, "updatedAt")
    if updated_at is None:
        raise PayloadError("updatedAt is missing")
    return InventoryLevelRecord(
        inventory_item_id=item_id, location_id=location_id, available=quantities.get("available", 0),
        updated_at=updated_at, on_hand=quantities.get("on_hand"), committed=quantities.get("committed"),
        incoming=quantities.get("incoming"),
    )


def customer_record(node: Json) -> CustomerRecord:
    email = node.get("defaultEmailAddress") or {}
    consent = node.get("emailMarketingConsent") or {}
    sms = node.get("smsMarketingConsent") or {}
    return CustomerRecord(
        shopify_id=gid_number(node["id"]), email=email.get("emailAddress"),
        phone=(node.get("defaultPhoneNumber") or {}).get("phoneNumber"), first_name=node.get("firstName"),
        last_name=node.get("lastName"), state=(node.get("state") or "").lower() or None,
        tags=tuple(node.get("tags") or ()), locale=node.get("locale"),
        # The consent object knows REDACTED; the address's state is the fallback when it is not selected.
        email_marketing_state=consent.get("marketingState") or email.get("marketingState"),
        email_marketing_opt_in_level=consent.get("marketingOptInLevel"),
        email_consent_updated_at=timestamp(consent, "consentUpdatedAt"),
        sms_marketing_state=sms.get("marketingState"), updated_at=timestamp(node, "updatedAt"),
    )


def line_record(node: Json) -> LineRecord:
    price = shop_money(node.get("originalUnitPriceSet"), "originalUnitPriceSet")
    if price is None:
        raise PayloadError("line without a price")
    return LineRecord(
        shopify_id=gid_number(node["id"]) if node.get("id") else None, variant_id=_ref(node.get("variant")),
        product_id=_ref(node.get("product")), sku=node.get("sku") or None, title=node.get("title") or "",
        quantity=int(node.get("quantity") or 0), price=price,
        image_url=(node.get("image") or {}).get("url") or None,
    )


def order_record(node: Json, lines: list[Json] | None = None) -> OrderRecord:
    """`lines`: the line item nodes (bulk child lines); by default the order's own `lineItems` connection."""
    total = shop_money(node.get("currentTotalPriceSet"), "currentTotalPriceSet")
    if total is None:
        raise PayloadError("order without a total")
    return OrderRecord(
        shopify_id=gid_number(node["id"]), name=node.get("name"), email=node.get("email"),
        customer_id=_ref(node.get("customer")), total_price=total,
        subtotal_price=shop_money(node.get("currentSubtotalPriceSet"), "currentSubtotalPriceSet"),
        total_shipping=shop_money(node.get("totalShippingPriceSet"), "totalShippingPriceSet"),
        presentment_currency=node.get("presentmentCurrencyCode"),
        financial_status=(node.get("displayFinancialStatus") or "").lower() or None,
        fulfillment_status=FULFILLMENT.get(node.get("displayFulfillmentStatus") or ""),
        checkout_token=node.get("checkoutToken"), cart_token=node.get("cartToken"),
        source_name=node.get("sourceName"), tags=tuple(node.get("tags") or ()), test=bool(node.get("test")),
        shipping_address=_address(node.get("shippingAddress")), processed_at=timestamp(node, "processedAt"),
        cancelled_at=timestamp(node, "cancelledAt"), cancel_reason=(node.get("cancelReason") or "").lower() or None,
        created_at=timestamp(node, "createdAt"), updated_at=timestamp(node, "updatedAt"),
        lines=tuple(line_record(n) for n in (lines if lines is not None else connection_nodes(node, "lineItems"))),
    )


def checkout_token(url: str | None, checkout_id: int) -> str:
    match = CHECKOUT_TOKEN_RE.search(urlparse(url or "").path)
    # Without a token in the URL, a stable stand-in keeps re-reads of the same checkout on one row.
    return match.group(1) if match else f"abandoned-{checkout_id}"


def checkout_record(node: Json) -> CheckoutRecord:
    checkout_id = gid_number(node["id"])
    customer = node.get("customer") or {}
    email = customer.get("defaultEmailAddress") or {}
    total = shop_money(node.get("totalPriceSet"), "totalPriceSet")
    if total is None:
        raise PayloadError("checkout without a total")
    url = node.get("abandonedCheckoutUrl")
    return CheckoutRecord(
        token=checkout_token(url, checkout_id), shopify_id=checkout_id, cart_token=None,
        email=email.get("emailAddress"), phone=(customer.get("defaultPhoneNumber") or {}).get("phoneNumber"),
        customer_id=_ref(customer), buyer_accepts_marketing=email.get("marketingState") == "SUBSCRIBED",
        buyer_accepts_sms_marketing=False, customer_locale=customer.get("locale"), total_price=total,
        subtotal_price=shop_money(node.get("subtotalPriceSet"), "subtotalPriceSet"),
        presentment_currency=((node.get("totalPriceSet") or {}).get("presentmentMoney") or {}).get("currencyCode"),
        shipping_address=_address(node.get("shippingAddress")), abandoned_checkout_url=url,
        created_at=timestamp(node, "createdAt"), updated_at=timestamp(node, "updatedAt"),
        completed_at=timestamp(node, "completedAt"), closed_at=None,
        lines=tuple(line_record(n) for n in connection_nodes(node, "lineItems")),
    )
