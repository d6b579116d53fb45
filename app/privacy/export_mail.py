"""The mail that carries a customer data export to the merchant (the same JSON the admin offers)."""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from app.models import DataExport, Shop


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
