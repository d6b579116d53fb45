"""Our own typed records of Shopify data. Webhook JSON (payloads.py) and Admin GraphQL results
(gql_records.py) both become these, once; nothing past that point reads raw Shopify JSON.

Ids are Shopify's numeric ids as Python ints (parsed from strings or GIDs, never through float);
money is a Decimal with its currency; times are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Address:
    address1: str | None = None
    city: str | None = None
    province_code: str | None = None
    country_code: str | None = None
    zip: str | None = None
    latitude: float | None = None
    longitude: float | None = None

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class ShopRecord:
    shopify_id: int | None
    domain: str
    name: str | None
    email: str | None
    currency: str
    timezone: str
    country_code: str | None
    plan_name: str | None
    primary_locale: str | None = None  # from shopLocales; None when the query did not return it


@dataclass(frozen=True)
class LocationRecord:
    shopify_id: int
    name: str
    address: Address
    active: bool
    fulfills_online_orders: bool | None  # None: not in the payload (REST location webhooks); keep what we have
    updated_at: datetime | None = None


@dataclass(frozen=True)
class VariantRecord:
    shopify_id: int
    title: str
    sku: str | None
    price: Money | None
    inventory_item_id: int | None
    image_url: str | None = None  # its own image, else the product's featured image


@dataclass(frozen=True)
class ProductRecord:
    shopify_id: int
    title: str
    handle: str | None
    vendor: str | None
    product_type: str | None
    status: str | None
    updated_at: datetime | None
    variants: tuple[VariantRecord, ...] = ()


@dataclass(frozen=True)
class InventoryItemRecord:
    shopify_id: int
    sku: str | None
    tracked: bool
    country_code_of_origin: str | None = None
    harmonized_system_code: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class InventoryLevelRecord:
    inventory_item_id: int
    location_id: int
    available: int
    updated_at: datetime
    on_hand: int | None = None
    committed: int | None = None
    incoming: int | None = None


@dataclass(frozen=True)
class CustomerRecord:
    shopify_id: int
    email: str | None
    phone: str | None
    first_name: str | None
    last_name: str | None
    state: str | None
    tags: tuple[str, ...] = ()
    locale: str | None = None
    email_marketing_state: str | None = None
    email_marketing_opt_in_level: str | None = None
    email_consent_updated_at: datetime | None = None
    sms_marketing_state: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class LineRecord:
    """An order, checkout or cart line."""

    shopify_id: int | None
    variant_id: int | None
    product_id: int | None
    sku: str | None
    title: str
    quantity: int
    price: Money
    image_url: str | None = None  # the variant's (else product's) image, where the source gives it


@dataclass(frozen=True)
class OrderRecord:
    shopify_id: int
    name: str | None
    email: str | None
    customer_id: int | None
    total_price: Money  # shop money
    subtotal_price: Money | None
    total_shipping: Money | None
    presentment_currency: str | None
    financial_status: str | None
    fulfillment_status: str | None
    checkout_token: str | None
    cart_token: str | None
    source_name: str | None
    tags: tuple[str, ...]
    test: bool
    shipping_address: Address | None
    processed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    created_at: datetime | None
    updated_at: datetime | None
    lines: tuple[LineRecord, ...] = ()
    customer: CustomerRecord | None = None
    refunds: tuple[RefundRecord, ...] = ()


@dataclass(frozen=True)
class RefundRecord:
    shopify_id: int
    order_id: int
    amount: Money  # shop money, the sum of the refund's transactions (or line subtotals)
    note: str | None
    processed_at: datetime | None
    created_at: datetime | None


@dataclass(frozen=True)
class CheckoutRecord:
    token: str
    shopify_id: int | None
    cart_token: str | None
    email: str | None
    phone: str | None
    customer_id: int | None
    buyer_accepts_marketing: bool
    buyer_accepts_sms_marketing: bool
    customer_locale: str | None
    total_price: Money
    subtotal_price: Money | None
    presentment_currency: str | None
    shipping_address: Address | None
    abandoned_checkout_url: str | None
    created_at: datetime | None
    updated_at: datetime | None
    completed_at: datetime | None
    closed_at: datetime | None
    lines: tuple[LineRecord, ...] = ()


@dataclass(frozen=True)
class CartRecord:
    token: str
    created_at: datetime | None
    updated_at: datetime | None
    lines: tuple[LineRecord, ...] = field(default=())


@dataclass(frozen=True)
class EmailConsentRecord:
    """customers_email_marketing_consent/update: one customer's email consent, as of `consent_updated_at`."""

    customer_id: int
    email: str | None
    state: str | None  # upper-case like GraphQL's CustomerEmailMarketingState
    opt_in_level: str | None
    consent_updated_at: datetime | None


@dataclass(frozen=True)
class ScopesRecord:
    current: tuple[str, ...]
    updated_at: datetime | None


@dataclass(frozen=True)
class BulkOperationRecord:
    gid: str
    status: str  # upper-case like GraphQL's BulkOperationStatus (COMPLETED, FAILED, ...)
    error_code: str | None
    type: str | None
    completed_at: datetime | None


@dataclass(frozen=True)
class CustomerPrivacyRequest:
    """customers/redact and customers/data_request (request_id only on data requests)."""

    shop_domain: str | None
    customer_id: int | None
    email: str | None
    phone: str | None
    order_ids: tuple[int, ...]
    request_id: str | None = None


@dataclass(frozen=True)
class ShopRedactRequest:
    shop_domain: str | None
    shop_id: int | None


@dataclass(frozen=True)
class FulfillmentRecord:
    """fulfillments/create|update, and each fulfillment inside an order payload."""

    shopify_id: int
    order_id: int
    status: str | None  # pending | open | success | cancelled | error | failure
    shipment_status: str | None  # label_printed ... delivered, failure (None: no carrier news yet)
    location_id: int | None
    tracking_company: str | None
    tracking_number: str | None
    created_at: datetime | None  # when it shipped
    updated_at: datetime | None
    delivered_at: datetime | None = None  # only when the payload states it; else the update's time is used
    lines: tuple[tuple[int | None, int], ...] = ()  # (variant id, quantity)
