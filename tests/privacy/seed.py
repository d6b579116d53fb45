"""One customer's data in every table that can hold it, through signed webhooks where Shopify sends it,
and rows for what our own jobs would have produced (recovery mail, notices, promises, the access log)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.devshop.sender import build_payload
from app.extensions import db
from app.models import (
    Cart,
    Checkout,
    Fulfillment,
    OrderPromise,
    RecoveryCase,
    RecoveryMessage,
    RecoveryOptOut,
    Refund,
    RoutingDecision,
    SegmentChange,
    StockReservation,
    TierChange,
    TierNotice,
)
from app.models.recovery import RecoveryWaitingItem, SendState
from app.privacy.access import log_customer_access

CUSTOMER = 5550001112223
EMAIL = "Zelda.Quux@Example.org"
PHONE = "+15550104242"
FIRST, LAST = "Zeldaria", "Quuxington"
ADDRESS1, CITY, ZIP = "77 Marzipan Lane", "Snowburyvale", "K9Z 4Q7"
ORDER = 8880001
ABANDONED = "abandonedtoken77"  # the checkout left behind
BOUGHT = "boughttoken77"  # the checkout the order came from
OTHER, OTHER_EMAIL, OTHER_ORDER = 5550009998887, "keep.me@example.net", 8880002

# What must not survive an erasure anywhere (the order id is the merchant's, not personal).
IDENTIFIERS = [EMAIL.lower(), PHONE, FIRST, LAST, ADDRESS1, CITY, ZIP, str(CUSTOMER)]

NOW = datetime.now(UTC).replace(microsecond=0)


def address(first: str = FIRST, last: str = LAST) -> dict:
    return {"first_name": first, "last_name": last, "name": f"{first} {last}", "address1": ADDRESS1,
            "address2": None, "city": CITY, "zip": ZIP, "province": "Ontario", "province_code": "ON",
            "country": "Canada", "country_code": "CA", "phone": PHONE, "company": None}


def person(cid: int = CUSTOMER, email: str = EMAIL) -> dict:
    return {"id": cid, "email": email, "phone": PHONE if cid == CUSTOMER else None,
            "first_name": FIRST if cid == CUSTOMER else "Kept", "last_name": LAST if cid == CUSTOMER else "Person",
            "admin_graphql_api_id": f"gid://shopify/Customer/{cid}", "state": "enabled",
            "default_address": address() if cid == CUSTOMER else None,
            "addresses": [address()] if cid == CUSTOMER else []}


def order(oid: int, cid: int, email: str, token: str | None) -> dict:
    mine = cid == CUSTOMER
    lines = build_payload("orders/paid")["line_items"]
    for n, line in enumerate(lines):
        line["id"] = oid * 100 + n  # line ids are unique per shop
        line["admin_graphql_api_id"] = f"gid://shopify/LineItem/{line['id']}"
    return build_payload("orders/paid", line_items=lines, id=oid, admin_graphql_api_id=f"gid://shopify/Order/{oid}",
                         email=email, contact_email=email, phone=PHONE if mine else None, customer=person(cid, email),
                         shipping_address=address() if mine else None, billing_address=address() if mine else None,
                         checkout_token=token, cart_token=None, financial_status="paid", cancelled_at=None,
                         cancel_reason=None, test=False, processed_at=(NOW - timedelta(days=3)).isoformat(),
                         created_at=(NOW - timedelta(days=3)).isoformat())


def checkout(token: str, updated: datetime) -> dict:
    return build_payload("checkouts/update", token=token, cart_token=f"cart-{token}", email=EMAIL, phone=PHONE,
                         customer=person(), shipping_address=address(), billing_address=address(),
                         created_at=updated.isoformat(), updated_at=updated.isoformat(),
                         abandoned_checkout_url=f"https://checkout.local/1/checkouts/{token}/recover?key=k")


def seed(post, shop_id: int) -> None:
    post("customers/update", build_payload("customers/update", **person()), webhook_id="cust")
    post("customers/update", build_payload("customers/update", **person(OTHER, OTHER_EMAIL)), webhook_id="other-c")
    post("checkouts/update", checkout(BOUGHT, NOW - timedelta(days=3, hours=1)), webhook_id="k-bought")
    post("checkouts/update", checkout(ABANDONED, NOW - timedelta(days=2)), webhook_id="k-left")
    post("orders/paid", order(ORDER, CUSTOMER, EMAIL, BOUGHT), webhook_id="o-mine")
    post("orders/paid", order(OTHER_ORDER, OTHER, OTHER_EMAIL, None), webhook_id="o-other")
    from tests.store.factories import run_worker

    run_worker()
    with db.session(shop_id=shop_id) as s:
        left = s.scalar(select(Checkout).where(Checkout.token == ABANDONED))
        case = s.scalar(select(RecoveryCase).where(RecoveryCase.checkout_id == left.id))
        case.status, case.group, case.abandoned_at = "abandoned", "treatment", NOW - timedelta(days=2)
        case.value, case.currency = Decimal("421.88"), "USD"
        s.add(RecoveryMessage(shop_id=shop_id, case_id=case.id, stage=1, email=EMAIL.lower(), state=SendState.SENT,
                              scheduled_for=NOW - timedelta(days=1), not_after=NOW, sent_at=NOW - timedelta(days=1),
                              subject="Your cart", offer="reminder", details={"basis": "stock"}))
        s.add(RecoveryMessage(shop_id=shop_id, case_id=case.id, stage=2, email=EMAIL.lower(),
                              state=SendState.SCHEDULED, scheduled_for=NOW + timedelta(days=1),
                              not_after=NOW + timedelta(days=2)))
        s.add(RecoveryOptOut(shop_id=shop_id, email=EMAIL.lower(), created_at=NOW))
        s.add(StockReservation(shop_id=shop_id, location_shopify_id=1, variant_shopify_id=2, quantity=1,
                               reference=f"checkout:{ABANDONED}", expires_at=NOW + timedelta(hours=1)))
        s.add(OrderPromise(shop_id=shop_id, order_shopify_id=ORDER, country="CA", region="ON",
                           service_level="standard", tier="Gold", promised_earliest=NOW.date(),
                           promised_latest=NOW.date() + timedelta(days=2)))
        s.add(Fulfillment(shop_id=shop_id, shopify_id=9990001, order_shopify_id=ORDER, status="success",
                          tracking_company="Canada Post"))
        s.add(Refund(shop_id=shop_id, shopify_id=7770001, order_shopify_id=ORDER, amount=Decimal("10.00"),
                     currency="USD", note=f"Goodwill for {FIRST} {LAST}", processed_at=NOW - timedelta(days=1)))
        s.add(RoutingDecision(shop_id=shop_id, order_shopify_id=ORDER, action="kept", reason="closest in stock"))
        s.add(RecoveryWaitingItem(shop_id=shop_id, case_id=case.id, variant_id=2, quantity=1))
        s.add(Cart(shop_id=shop_id, token=f"cart-{ABANDONED}"))
        s.add(TierNotice(shop_id=shop_id, key=f"before:{CUSTOMER}:1", kind="before", customer_shopify_id=CUSTOMER,
                         from_tier="Gold", to_tier="Silver", due_on=NOW + timedelta(days=7)))
        if s.scalar(select(TierChange.id).where(TierChange.customer_shopify_id == CUSTOMER)) is None:
            s.add(TierChange(shop_id=shop_id, customer_shopify_id=CUSTOMER, from_tier=None, to_tier="Bronze",
                             reason="first order", at=NOW - timedelta(days=3)))
        s.add(SegmentChange(shop_id=shop_id, customer_shopify_id=CUSTOMER, from_segment=None, to_segment="new",
                            at=NOW - timedelta(days=3)))
    log_customer_access(shop_id, "staff-77", "membership.customer", [CUSTOMER])
