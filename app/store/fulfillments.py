"""Fulfillments, last write wins by Shopify's updated_at, so a late-arriving older update changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from app.models import Fulfillment
from app.shopify.records import FulfillmentRecord
from app.store._rows import upsert

DELIVERED = "delivered"


def upsert_fulfillment(session: Session, shop_id: int, record: FulfillmentRecord) -> tuple[Fulfillment, bool]:
    """Store the fulfillment unless we hold a newer version; returns (row, written)."""
    values = {
        "order_shopify_id": record.order_id,
        "location_shopify_id": record.location_id,
        "status": record.status,
        "shipment_status": record.shipment_status,
        "tracking_company": record.tracking_company,
        "shipped_at": record.created_at,
        "shopify_updated_at": record.updated_at,
    }
    row, written = upsert(session, Fulfillment, shop_id, {"shopify_id": record.shopify_id}, values)
    if written:
        row.delivered_at = _delivered_at(record, row.delivered_at)
    return row, written


def _delivered_at(record: FulfillmentRecord, stored: datetime | None) -> datetime | None:
    """When it was delivered: the payload's own time if it has one, else the update that said so.

    Carriers keep updating a delivered parcel (proof of delivery, tracking edits); the earliest "delivered"
    we saw is the delivery, so later updates never move it.
    """
    if record.shipment_status != DELIVERED:
        return None
    if record.delivered_at is not None:
        return record.delivered_at
    seen = record.updated_at or record.created_at
    if stored is None or seen is None:
        return seen or stored
    return min(stored, seen)
