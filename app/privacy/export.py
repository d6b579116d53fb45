"""customers/data_request: gather everything we hold about one customer into a stored JSON export."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.extensions import after_commit
from app.models import DataExport, Shop, WebhookEvent, utcnow
from app.privacy import footprint
from app.privacy.mentions import mention_pattern
from app.shopify.records import CustomerPrivacyRequest

log = logging.getLogger(__name__)

# Blind indexes are ours (keyed hashes of the email and phone shown beside them): nothing the customer gave.
_SKIP = frozenset({"shop_id", "id", "order_id", "checkout_id", "email_hash", "phone_hash"})


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
    _mail_after_commit(session, shop.id, export.id)
    return export


def _mail_after_commit(session: Session, shop_id: int, export_id: int) -> None:
    """With SMTP configured the export also goes to the shop's email; the admin has it either way."""
    import redis

    from app import queue as queues
    from app.config import active_config

    if not active_config().smtp_url:
        return

    def enqueue() -> None:
        try:
            queues.enqueue("worker.jobs.privacy.mail_export", shop_id, export_id, queue=queues.MAIL,
                           job_id=f"privacy-export-mail-{export_id}", shop_id=shop_id)
        except redis.RedisError as exc:  # the export is stored and shown in the admin; the mail is a courtesy
            log.warning("data export %s: mail not queued (Redis: %s)", export_id, exc)

    after_commit(session, enqueue)


def build_export(session: Session, shop: Shop, req: CustomerPrivacyRequest, request_id: str) -> dict[str, Any]:
    """Every row of every table in `footprint.TABLES` that belongs to the customer, by table name, and the
    stored webhook deliveries that mention them."""
    subject = footprint.locate(session, shop.id, req)
    data: dict[str, Any] = {
        "request_id": request_id,
        "shop_domain": shop.domain,
        "generated_at": utcnow().isoformat(),
        "requested": {"customer_id": req.customer_id, "email": req.email, "phone": req.phone,
                      "orders_requested": list(req.order_ids)},
    }
    if subject.empty:
        return data
    nested: dict[type, dict[int, list]] = {}
    for child, (_parent, key) in footprint.NESTED.items():
        for row in footprint.rows(session, subject, child):
            nested.setdefault(child, {}).setdefault(getattr(row, key), []).append(row_dict(row))
    children = {parent: child for child, (parent, _key) in footprint.NESTED.items()}
    for model in footprint.TABLES:
        if model in footprint.NESTED or model in footprint.NOT_EXPORTED:
            continue
        out = []
        for row in footprint.rows(session, subject, model):
            item = row_dict(row)
            if model in children:
                item["lines"] = nested.get(children[model], {}).get(row.id, [])
            out.append(item)
        data[model.__tablename__] = out
    data["webhook_deliveries"] = stored_mentions(session, shop.domain, subject)
    return data


def stored_mentions(session: Session, shop_domain: str, subject: footprint.Subject) -> list[dict[str, Any]]:
    """Webhook bodies we still hold that mention the customer (they are erased on redaction or after the
    retention period)."""
    pattern = mention_pattern(subject)
    found = []
    for event in session.scalars(select(WebhookEvent).where(WebhookEvent.shop_domain == shop_domain)
                                 .order_by(WebhookEvent.id)).yield_per(500):
        if pattern is not None and event.body and pattern.search(event.body):
            try:
                body: Any = json.loads(event.body)
            except ValueError:
                body = event.body.decode("utf-8", "replace")
            found.append({"topic": event.topic, "webhook_id": event.webhook_id,
                          "received_at": _plain(event.received_at), "body": body})
    return found
