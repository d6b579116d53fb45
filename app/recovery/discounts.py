"""Single-use discount codes for a recovery offer, created in Shopify (`discountCodeBasicCreate`).

The code is limited to the checkout's customer (Shopify's `context.customers`), one use, and expires; it is
made once per message and kept on the message row before the mail goes, so a resend reuses the same code.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.shopify.admin_api import AdminClient

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: shoppers type these


@dataclass(frozen=True)
class IssuedCode:
    code: str
    gid: str
    ends_at: datetime


def new_code(prefix: str = "BACK") -> str:
    return f"{prefix}-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def variables(code: str, customer_id: int, percent: int, starts_at: datetime, valid_days: int) -> dict:
    """The `basicCodeDiscount` input in Shopify's documented shape (2026-07: `context`, not the deprecated
    `customerSelection`)."""
    ends_at = starts_at + timedelta(days=valid_days)
    return {"basicCodeDiscount": {
        "title": f"Recovery {code}",
        "code": code,
        "startsAt": starts_at.isoformat().replace("+00:00", "Z"),
        "endsAt": ends_at.isoformat().replace("+00:00", "Z"),
        "context": {"customers": {"add": [f"gid://shopify/Customer/{customer_id}"]}},
        "customerGets": {"value": {"percentage": percent / 100}, "items": {"all": True}},
        "appliesOncePerCustomer": True,
        "usageLimit": 1,
        "combinesWith": {"orderDiscounts": False, "productDiscounts": False, "shippingDiscounts": True},
    }}


def create(client: AdminClient, customer_id: int, percent: int, now: datetime, valid_days: int) -> IssuedCode:
    code = new_code()
    data = client.execute("DiscountCodeBasicCreate", variables(code, customer_id, percent, now, valid_days))
    node = data["discountCodeBasicCreate"]["codeDiscountNode"]
    return IssuedCode(code, node["id"], now + timedelta(days=valid_days))
