"""customers/data_request: gather everything we hold about one customer into a stored JSON export."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Checkout, Customer, DataExport, Order, Shop, utcnow
from app.shopify.records import CustomerPrivacyRequest

_SKIP = frozenset({"shop_id", "id", "order_id", "checkout_id"})


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def row_dict(row: Any) -> dict[str, Any]:
    return {attr.key: _plain(getattr(row, attr.key)) for attr in inspect(row).mapper.column_attrs
            if attr.key not in _SKIP}


def export_customer_data(
    session: Session, shop: Shop, req: CustomerPrivacyRequest, fallback_request_id: str
) -> DataExport:
    """Build and store the export; a repeated request id returns the export already made."""
    request_id = req.request_id or fallback_request_id
    existing = session.scalars(
        select(DataExport).where(DataExport.shop_id == shop.id, DataExport.request_id == request_id)
    ).one_or_none()
    if existing is not None:
        return existing
    export = DataExport(shop_id=shop.id, request_id=request_id, customer_shopify_id=req.customer_id,
                        created_at=utcnow(), payload=build_export(session, shop, req, request_id))
    try:
        with session.begin_nested():
            session.add(export)
    except IntegrityError:
        return session.scalars(
            select(DataExport).where(DataExport.shop_id == shop.id, DataExport.request_id == request_id)
        ).one()
    return export


def build_export(session: Session, shop: Shop, req: CustomerPrivacyRequest, request_id: str) -> dict[str, Any]:
    email = req.email.lower() if req.email else None
    customers = []
    if req.customer_id is not None or email:
        who = [Customer.shopify_id == req.customer_id] if req.customer_id is not None else []
        who += [func.lower(Customer.email) == email] if email else []
        customers = session.scalars(select(Customer).where(Customer.shop_id == shop.id, or_(*who))).all()

    order_filters = [Order.shopify_id.in_(req.order_ids)] if req.order_ids else []
    order_filters += [Order.customer_shopify_id == req.customer_id] if req.customer_id is not None else []
    order_filters += [func.lower(Order.email) == email] if email else []
    orders = session.scalars(
        select(Order).where(Order.shop_id == shop.id, or_(*order_filters)).order_by(Order.shopify_created_at)
    ).all() if order_filters else []

    checkout_filters = [Checkout.customer_shopify_id == req.customer_id] if req.customer_id is not None else []
    checkout_filters += [func.lower(Checkout.email) == email] if email else []
    checkouts = session.scalars(
        select(Checkout).where(Checkout.shop_id == shop.id, or_(*checkout_filters))
    ).all() if checkout_filters else []

    return {
        "request_id": request_id,
        "shop_domain": shop.domain,
        "generated_at": utcnow().isoformat(),
        "requested": {"customer_id": req.customer_id, "email": req.email, "phone": req.phone,
                      "orders_requested": list(req.order_ids)},
        "customers": [row_dict(c) for c in customers],
        "orders": [{**row_dict(o), "lines": [row_dict(line) for line in o.lines]} for o in orders],
        "checkouts": [{**row_dict(c), "lines": [row_dict(line) for line in c.lines]} for c in checkouts],
    }
