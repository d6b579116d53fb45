"""The demo store's objects as the webhook bodies Shopify sends for them (REST-shaped, shop money in `*_set`).

Each delivery gets a webhook id derived from what it reports (topic, object, version), so delivering the
same story twice is, to the app, the same deliveries twice: it keeps the first and ignores the rest.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.devshop.sender import build_payload

NAMESPACE = uuid.UUID("6f1c2a4e-55a0-4c7e-9d1b-2f6b8a7c9e01")


def webhook_id(topic: str, object_id: int, version: str = "") -> str:
    return str(uuid.uuid5(NAMESPACE, f"{topic}:{object_id}:{version}"))


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _money(amount: Decimal, currency: str = "USD") -> dict:
    value = f"{Decimal(amount):.2f}"
    return {"shop_money": {"amount": value, "currency_code": currency},
            "presentment_money": {"amount": value, "currency_code": currency}}


def _line(line: dict) -> dict:
    return {"id": line["id"], "admin_graphql_api_id": f"gid://shopify/LineItem/{line['id']}",
            "variant_id": line["variant_id"], "product_id": line["product_id"], "sku": line["sku"],
            "title": line["title"], "quantity": line["quantity"], "price": f"{line['price']:.2f}",
            "price_set": _money(line["price"]), "requires_shipping": True}


def _customer(customer: dict) -> dict:
    state = customer["email_marketing_state"]
    return {"id": customer["id"], "admin_graphql_api_id": f"gid://shopify/Customer/{customer['id']}",
            "email": customer["email"], "first_name": customer["first_name"], "last_name": customer["last_name"],
            "state": "enabled", "tags": ", ".join(customer["tags"]), "locale": customer["locale"],
            "email_marketing_consent": {"state": state.lower(), "opt_in_level": (customer["opt_in_level"] or "").lower()
                                        or None, "consent_updated_at": customer["consent_updated_at"] and
                                        iso(customer["consent_updated_at"])}}


def _address(address: dict, customer: dict) -> dict:
    return {**address, "first_name": customer["first_name"], "last_name": customer["last_name"],
            "country_code": address["country_code"]}


def order(topic: str, o: dict, customer: dict) -> dict[str, Any]:
    at = iso(o["processed_at"])
    return build_payload(
        topic, id=o["id"], admin_graphql_api_id=f"gid://shopify/Order/{o['id']}", name=o["name"],
        order_number=int(o["name"].lstrip("#")), email=o["email"], contact_email=o["email"], currency="USD",
        presentment_currency="USD", total_price=f"{o['total']:.2f}", total_price_set=_money(o["total"]),
        subtotal_price=f"{o['subtotal']:.2f}", subtotal_price_set=_money(o["subtotal"]),
        total_shipping_price_set=_money(o["shipping"]), financial_status="paid",
        fulfillment_status=None, test=False, created_at=at, processed_at=at, updated_at=at, cancelled_at=None,
        cancel_reason=None, checkout_token=o["checkout_token"], cart_token=None, source_name="web", tags="",
        line_items=[_line(line) for line in o["lines"]], refunds=[], fulfillments=[],
        shipping_lines=[{"id": o["id"] + 1, "code": "Standard", "title": "Standard shipping",
                         "price": f"{o['shipping']:.2f}", "price_set": _money(o["shipping"])}],
        shipping_address=_address(o["shipping_address"], customer), billing_address=None,
        customer=_customer(customer))


def fulfillment(f: dict, *, delivered: bool) -> dict[str, Any]:
    o = f["order"]
    at = f["delivered"] if delivered else f["shipped"]
    return build_payload(
        "fulfillments/update" if delivered else "fulfillments/create",
        id=f["id"], admin_graphql_api_id=f"gid://shopify/Fulfillment/{f['id']}", order_id=o["id"],
        status="success", created_at=iso(f["shipped"]), updated_at=iso(at), location_id=f["location_id"],
        shipment_status="delivered" if delivered else "in_transit", name=f"{o['name']}.1",
        tracking_company="DHL Express", tracking_number=f"JD{f['id']}", tracking_numbers=[f"JD{f['id']}"],
        tracking_url=None, tracking_urls=[], line_items=[_line(line) for line in o["lines"]])


def refund(r: dict, at: datetime) -> dict[str, Any]:
    o, line = r["order"], r["line"]
    return build_payload(
        "refunds/create", id=r["id"], admin_graphql_api_id=f"gid://shopify/Refund/{r['id']}", order_id=o["id"],
        created_at=iso(at), processed_at=iso(at), note="Arrived damaged", restock=False, order_adjustments=[],
        refund_shipping_lines=[], refund_line_items=[{
            "id": r["id"] + 1, "quantity": 1, "line_item_id": line["id"], "location_id": None,
            "restock_type": "no_restock", "subtotal": float(r["amount"]), "total_tax": 0,
            "subtotal_set": _money(r["amount"]), "total_tax_set": _money(Decimal(0)), "line_item": _line(line)}],
        transactions=[{"id": r["id"] + 2, "kind": "refund", "status": "success", "amount": f"{r['amount']:.2f}",
                       "currency": "USD", "order_id": o["id"], "gateway": "shopify_payments"}])


def checkout(c: dict, customer: dict, app_url: str, domain: str) -> dict[str, Any]:
    return build_payload(
        "checkouts/create", id=c["id"], token=c["token"], cart_token=None, email=c["email"],
        gateway=None, buyer_accepts_marketing=customer["email_marketing_state"] == "SUBSCRIBED",
        created_at=iso(c["created_at"]), updated_at=iso(c["updated_at"]), completed_at=None, closed_at=None,
        currency="USD", presentment_currency="USD", customer_locale=c["locale"],
        total_price=f"{c['total']:.2f}", total_price_set=_money(c["total"]), subtotal_price=f"{c['subtotal']:.2f}",
        subtotal_price_set=_money(c["subtotal"]), line_items=[_line(line) for line in c["lines"]],
        shipping_address=_address(c["shipping_address"], customer), billing_address=None,
        abandoned_checkout_url=f"https://{domain}/checkouts/{c['token']}/recover", customer=_customer(customer))
