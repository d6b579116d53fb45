"""The links inside recovery mail: open pixel, click redirect and one-click unsubscribe (no login: signed).

Each verifies its token, records what happened and answers; a bad token gets a plain 404 and reveals
nothing. Unsubscribing needs a POST (RFC 8058 one-click, or the button on the GET page), because mail
scanners follow GET links on their own and must not unsubscribe anyone.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from flask import Blueprint, current_app, redirect, render_template_string
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.field_crypto import email_index
from app.mail import tokens
from app.models import Checkout, RecoveryCase, RecoveryMessage, RecoveryOptOut, Shop
from app.models.recovery import SendState
from app.recovery import links

bp = Blueprint("recovery_links", __name__)

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{ title }}</title></head><body style="font-family:Helvetica,Arial,sans-serif;max-width:480px;margin:48px auto;
padding:0 16px;color:#202223"><h1 style="font-size:20px">{{ title }}</h1><p>{{ body }}</p>
{% if form %}<form method="post"><button type="submit" style="padding:10px 20px;font-size:16px">Unsubscribe</button>
</form>{% endif %}</body></html>"""


def _payload(purpose: str, token: str) -> list | None:
    config = current_app.config["FLEXCHAIN"]
    try:
        payload = tokens.verify(config.shopify_api_secret, purpose, token, config.shopify_old_api_secret)
    except tokens.BadToken:
        return None
    return payload if len(payload) == 2 and isinstance(payload[0], int) else None


def _not_found():
    return render_template_string(PAGE, title="Link not valid", body="This link is not valid.", form=False), 404


@bp.get("/r/o/<token>.gif")
def opened(token: str):
    payload = _payload(tokens.OPEN, token)
    if payload is not None and isinstance(payload[1], int):
        shop_id, message_id = payload
        with db.session(shop_id=shop_id) as session:
            session.execute(update(RecoveryMessage).where(
                RecoveryMessage.id == message_id, RecoveryMessage.opened_at.is_(None),
                # `sending` too: a sender stopped after the server took the mail; this open proves it arrived
                # and spares the shopper a second copy (see recovery.prepare).
                RecoveryMessage.state.in_((SendState.SENT, SendState.SENDING))).values(opened_at=datetime.now(UTC)))
    # Always the pixel: a mail client showing a broken image helps no one.
    return PIXEL, 200, {"Content-Type": "image/gif", "Cache-Control": "no-store"}


@bp.get("/r/c/<token>")
def clicked(token: str):
    payload = _payload(tokens.CLICK, token)
    if payload is None or not isinstance(payload[1], int):
        return _not_found()
    shop_id, message_id = payload
    with db.session(shop_id=shop_id) as session:
        row = session.execute(select(RecoveryMessage, Checkout.abandoned_checkout_url, Shop.domain)
                              .join(RecoveryCase, RecoveryCase.id == RecoveryMessage.case_id)
                              .join(Checkout, Checkout.id == RecoveryCase.checkout_id)
                              .join(Shop, Shop.id == RecoveryMessage.shop_id)
                              .where(RecoveryMessage.id == message_id)).first()
        if row is None:
            return _not_found()
        message, checkout_url, domain = row
        if message.clicked_at is None:
            message.clicked_at = datetime.now(UTC)
        target = links.recovery_target(checkout_url, domain, message.discount_code)
    return redirect(target, code=302)


def _unsubscribe_payload(token: str) -> tuple[int, str] | None:
    payload = _payload(tokens.UNSUBSCRIBE, token)
    if payload is None or not isinstance(payload[1], str) or "@" not in payload[1]:
        return None
    return payload[0], payload[1]


@bp.get("/r/u/<token>")
def unsubscribe_page(token: str):
    if _unsubscribe_payload(token) is None:
        return _not_found()
    return render_template_string(PAGE, title="Unsubscribe",
                                  body="Stop reminders about carts you left at this store?", form=True)


@bp.post("/r/u/<token>")
def unsubscribe(token: str):
    found = _unsubscribe_payload(token)
    if found is None:
        return _not_found()
    shop_id, email = found
    with db.session(shop_id=shop_id) as session:
        if session.get(Shop, shop_id) is None:
            return _not_found()
        try:
            with session.begin_nested():
                session.add(RecoveryOptOut(shop_id=shop_id, email=email, created_at=datetime.now(UTC)))
        except IntegrityError:
            pass  # already unsubscribed: the same answer
        session.execute(update(RecoveryMessage).where(
            RecoveryMessage.shop_id == shop_id, RecoveryMessage.email_hash == email_index(email),
            RecoveryMessage.state == SendState.SCHEDULED).values(state=SendState.CANCELLED, reason="unsubscribed"))
    return render_template_string(PAGE, title="Unsubscribed",
                                  body="You will not receive these reminders again.", form=False)
