"""The mail that carries a customer data export to the merchant (the same JSON the admin offers), and the
claim that keeps it from going twice.

unsent ──claim (token, lease)──▶ claimed ──handed (committed)──▶ SMTP accepted ──▶ emailed
                                   │                  └─ refused / 4xx / dropped: claim and mark cleared, retried
                                   └─ worker killed: the lease runs out and the next run claims it again

The one gap SMTP leaves is a worker killed after the hand-over mark, when the server may have taken the
mail. Unlike recovery mail, an export has no open or click to show it arrived, so the mark alone decides:
such an export is not mailed again (the merchant may have it, and it is in the admin either way). A second
copy of a customer's data is the worse mistake.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from app.models import DataExport, Shop

log = logging.getLogger(__name__)

# Longer than one send can take, shorter than RQ takes to retry a job whose worker died (timeout + 60 s).
LEASE = timedelta(minutes=5)


def build_message(shop: Shop, export: DataExport, app_url: str) -> EmailMessage:
    host = urlsplit(app_url).hostname or "localhost"
    message = EmailMessage()
    message["From"] = f"Flexchain <no-reply@{host}>"
    message["To"] = shop.email
    message["Subject"] = f"Customer data request {export.request_id}: the export"
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=host)
    message.set_content(
        "Shopify passed on a customer's request for the data your store holds about them.\n"
        "Attached is everything Flexchain holds about that customer, as JSON; the app keeps it for download\n"
        "too. Send it to the customer within 30 days of the request.\n\n"
        f"Request: {export.request_id}\nCustomer id: {export.customer_shopify_id or 'not given'}\n")
    body = json.dumps(export.payload, indent=2, ensure_ascii=False, sort_keys=True).encode()
    message.add_attachment(body, maintype="application", subtype="json",
                           filename=f"customer-data-{export.request_id}.json")
    return message


def claim(session: Session, shop_id: int, export_id: int, now: datetime) -> str | None:
    """Take the export's mail for this run (committed by the caller before sending); None when it was mailed,
    handed over by an earlier run, or is claimed by a run whose lease is still good."""
    token = secrets.token_hex(8)
    taken = session.execute(update(DataExport).where(
        DataExport.shop_id == shop_id, DataExport.id == export_id, DataExport.emailed_at.is_(None),
        DataExport.mail_handed_at.is_(None),
        or_(DataExport.mail_lease_until.is_(None), DataExport.mail_lease_until < now),
    ).values(mail_claim=token, mail_lease_until=now + LEASE)).rowcount
    if not taken:
        handed = session.get(DataExport, export_id)
        if handed is not None and handed.emailed_at is None and handed.mail_handed_at is not None:
            log.warning("data export %s: an earlier run was stopped while handing its mail to the server at %s; "
                        "not sent again (it is in the admin)", export_id, handed.mail_handed_at.isoformat())
    return token if taken else None


def record(session: Session, shop_id: int, export_id: int, token: str, **values) -> bool:
    """Write the claim's next state, only while this run still holds it."""
    return session.execute(update(DataExport).where(
        DataExport.shop_id == shop_id, DataExport.id == export_id, DataExport.mail_claim == token,
    ).values(**values)).rowcount == 1
