"""Turn one claimed message into mail, or into a reason not to send it now (DB reads, one Shopify write).

Runs inside the message's transaction, under the shopper's advisory lock: re-checks the case (converted,
closed), the opt-out list, consent and caps, re-quotes with the stock of this moment, issues the discount
code once, and records what the message will say with `sent_at` set (the cap reservation) before the
transaction commits and the mail goes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.errors import MessageError
from email.message import EmailMessage
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.mail.render import Brand, build
from app.models import (
    Checkout,
    CheckoutLine,
    Customer,
    RecoveryCase,
    RecoveryMessage,
    RecoveryOptOut,
    Shop,
    Variant,
)
from app.models.recovery import CaseStatus, MessageKind, SendState
from app.recovery import compose, discounts, links, rules, stages, stock_notices
from app.recovery.service import settings_for
from app.shopify.admin_api import AdminApiError, AdminClient
from app.supply import geo
from app.supply.orders import destination_from_address
from app.supply.requote import Requote, requote_many
from app.supply.tiers import tier_from_tags

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    app_url: str
    secret: str
    old_secret: str | None = None
    admin_client: Callable[[Shop], AdminClient] | None = None  # None: discounts cannot be issued


@dataclass(frozen=True)
class Ready:
    email: EmailMessage | None = None
    state: str | None = None  # when not sending: the state to record (None: the claim was lost)
    at: datetime | None = None
    reason: str | None = None


def requotes(shop_id: int, message_ids: list[int], now: datetime) -> dict[int, Requote]:
    """One batch re-quote for the checkouts of the claimed messages, keyed by checkout id."""
    with db.session(shop_id=shop_id) as session:
        checkout_ids = list(session.scalars(select(RecoveryCase.checkout_id).join(
            RecoveryMessage, RecoveryMessage.case_id == RecoveryCase.id).where(
            RecoveryMessage.shop_id == shop_id, RecoveryMessage.id.in_(message_ids))))
        return requote_many(session, shop_id, checkout_ids, now) if checkout_ids else {}


def _history(session: Session, shop_id: int, msg: RecoveryMessage) -> rules.History:
    """One query: this shopper's messages that went (or are going) out, other than this one."""
    other = RecoveryMessage.case_id != msg.case_id
    mine, last, last_other = session.execute(select(
        func.count().filter(RecoveryMessage.case_id == msg.case_id), func.max(RecoveryMessage.sent_at),
        func.max(RecoveryMessage.sent_at).filter(other)).where(
        RecoveryMessage.shop_id == shop_id, RecoveryMessage.email_hash == msg.email_hash, RecoveryMessage.id != msg.id,
        RecoveryMessage.sent_at.is_not(None))).one()
    return rules.History(sent_for_this_checkout=mine or 0, last_sent_to_shopper=last,
                         last_sent_for_other_checkout=last_other)


def _shopper(session: Session, shop: Shop, msg: RecoveryMessage, checkout: Checkout,
             customer: Customer | None) -> rules.Shopper:
    opted_out = session.scalar(select(RecoveryOptOut.id).where(
        RecoveryOptOut.shop_id == shop.id, RecoveryOptOut.email_hash == msg.email_hash)) is not None
    address = checkout.shipping_address or {}
    place = geo.resolve(destination_from_address(address)) if address else None
    return rules.Shopper(opted_out=opted_out, accepts_marketing=checkout.buyer_accepts_marketing,
                         customer_state=customer.email_marketing_state if customer else None,
                         country=address.get("country_code"),
                         timezone=(place.timezone if place and place.timezone else None) or shop.timezone)


def _lines(session: Session, shop_id: int, checkout: Checkout) -> list[tuple]:
    """(title, quantity, unit price, currency, image url): the line's own image (the abandonedCheckouts query
    gives one), else the variant's from the catalogue (webhook checkouts carry none)."""
    rows = session.execute(
        select(CheckoutLine.title, CheckoutLine.quantity, CheckoutLine.price,
               func.coalesce(CheckoutLine.image_url, Variant.image_url))
        .outerjoin(Variant, (Variant.shop_id == shop_id) & (Variant.shopify_id == CheckoutLine.variant_id))
        .where(CheckoutLine.shop_id == shop_id, CheckoutLine.checkout_id == checkout.id).order_by(CheckoutLine.id))
    return [(title, quantity, price, checkout.currency, image) for title, quantity, price, image in rows]


def _delivered_before(session: Session, shop_id: int, msg: RecoveryMessage) -> str | None:
    """Why not to send again a message an earlier claim handed to the mail server (`sent_at` is only left set
    by a sender that stopped between that hand-over and recording the outcome), or None to resend it.

    Resending is right when the server never took the mail (killed mid-DATA); it is a duplicate when the
    server had accepted it. Evidence of delivery settles it: the mail was opened or clicked (its links carry
    this message's id), or the shopper got a newer message since, which makes this one stale either way."""
    if msg.opened_at is not None or msg.clicked_at is not None:
        return "delivered before the sender stopped: opened or clicked since"
    newer = session.scalar(select(RecoveryMessage.id).where(
        RecoveryMessage.shop_id == shop_id, RecoveryMessage.email_hash == msg.email_hash, RecoveryMessage.id != msg.id,
        RecoveryMessage.sent_at > msg.sent_at,
        RecoveryMessage.state.in_((SendState.SENT, SendState.SENDING))).limit(1))
    if newer is not None:
        return "not resent after the sender stopped: a newer message has gone to the shopper since"
    return None


def prepare(session: Session, shop_id: int, message_id: int, token: str, now: datetime,
            quotes: dict[int, Requote], ctx: Context) -> Ready:
    msg = session.scalar(select(RecoveryMessage).where(
        RecoveryMessage.id == message_id, RecoveryMessage.claim_token == token,
        RecoveryMessage.state == SendState.SENDING).with_for_update())
    if msg is None:
        return Ready()
    from app.recovery.sending import lock_shopper

    lock_shopper(session, shop_id, msg.email)
    if msg.sent_at is not None:
        delivered = _delivered_before(session, shop_id, msg)
        if delivered is not None:
            return Ready(state=SendState.SENT, reason=delivered)
    case = session.get(RecoveryCase, msg.case_id)
    checkout = session.get(Checkout, case.checkout_id)
    shop = session.get(Shop, shop_id)
    if case.status != CaseStatus.ABANDONED or checkout.converted_order_shopify_id or checkout.completed_at:
        return Ready(state=SendState.CANCELLED, reason="converted or closed before sending")
    settings = settings_for(session, shop_id)
    if not settings["enabled"]:
        return Ready(state=SendState.CANCELLED, reason="recovery switched off")
    if now > msg.not_after:
        return Ready(state=SendState.SKIPPED, reason="stage window closed before the message could go")
    customer = session.scalar(select(Customer).where(
        Customer.shop_id == shop_id, Customer.shopify_id == checkout.customer_shopify_id)) \
        if checkout.customer_shopify_id else None
    decision = rules.decide(msg.stage, _shopper(session, shop, msg, checkout, customer),
                            _history(session, shop_id, msg), settings, now, msg.not_after)
    if decision.action == "skip":
        return Ready(state=SendState.CANCELLED if decision.reason == "unsubscribed" else SendState.SKIPPED,
                     reason=decision.reason)
    if decision.action == "delay":
        return Ready(state=SendState.SCHEDULED, at=decision.at, reason=decision.reason)
    requote = quotes.get(checkout.id)
    tier = tier_from_tags(customer.tags) if customer else None
    offer = stages.choose(msg.stage, requote, settings, tier=tier, customer_known=customer is not None,
                          kind=msg.kind) if requote else None
    if offer is None:
        return Ready(state=SendState.SKIPPED, reason="nothing in stock to offer")
    offer, discount = _discount(session, shop, msg, checkout, offer, settings, now, ctx)
    content = compose.compose(msg.stage, offer, store=shop.name or shop.domain, raw_locale=checkout.customer_locale,
                              shop_locale=shop.primary_locale, lines=_lines(session, shop_id, checkout),
                              discount=discount)
    if msg.kind == MessageKind.STOCK:
        stock_notices.forget(session, shop_id, case.id)  # told once; a later return of stock says nothing new
    try:
        email = build(content, links.for_message(ctx.app_url, ctx.secret, shop_id, msg.id, msg.email),
                      brand(settings, shop, ctx.app_url), to=msg.email,
                      message_id=message_id_header(ctx, shop_id, msg.id), sent_at=now,
                      tags={"Stage": str(msg.stage), "Offer": offer.kind})
    except (ValueError, MessageError) as exc:
        # An address a mail header cannot carry (a non-ASCII local part, say) fails this message alone;
        # raising here would stop the whole batch and, after the lease, stop it again.
        return Ready(state=SendState.FAILED, reason=f"address cannot be written in a mail header: {exc}"[:500])
    msg.sent_at, msg.offer, msg.subject, msg.locale = now, offer.kind, content.subject, content.language
    msg.details = {**(msg.details or {}), "basis": decision.basis, "message_id": email["Message-ID"],
                   "short_variant_ids": list(offer.short_variant_ids),
                   "earliest": offer.earliest.isoformat() if offer.earliest else None,
                   "latest": offer.latest.isoformat() if offer.latest else None, "warehouse": offer.warehouse,
                   "days_saved": offer.days_saved, "saving": str(offer.saving) if offer.saving is not None else None}
    return Ready(email=email)


def _discount(session: Session, shop: Shop, msg: RecoveryMessage, checkout: Checkout, offer: stages.Offer,
              settings: dict, now: datetime, ctx: Context) -> tuple[stages.Offer, compose.Discount | None]:
    stage = settings["stages"]["2"]
    if not offer.discount:
        return offer, None
    if msg.discount_code is None:
        if ctx.admin_client is None:
            return _without_discount(offer), None
        client = ctx.admin_client(shop)
        try:
            issued = discounts.create(client, checkout.customer_shopify_id, stage["discount_percent"], now,
                                      stage["discount_valid_days"])
        except AdminApiError as exc:
            log.warning("recovery message %s: no discount code (%s); sending without one", msg.id, exc)
            return _without_discount(offer), None
        finally:
            client.close()
        # Committed with the message's decision, before the mail goes: a resend reuses this code. A crash
        # before that commit leaves an unused code in Shopify that only this customer could use, and it expires.
        msg.discount_code, msg.discount_gid = issued.code, issued.gid
        msg.details = {**(msg.details or {}), "discount_ends_on": issued.ends_at.date().isoformat(),
                       "discount_percent": stage["discount_percent"]}
    details = msg.details or {}
    ends = date.fromisoformat(details.get("discount_ends_on") or
                              (now + timedelta(days=stage["discount_valid_days"])).date().isoformat())
    return offer, compose.Discount(msg.discount_code, details.get("discount_percent", stage["discount_percent"]), ends)


def _without_discount(offer: stages.Offer) -> stages.Offer:
    from dataclasses import replace

    return replace(offer, discount=False, kind="reminder" if offer.kind == "discount" else offer.kind)


def brand(settings: dict, shop: Shop, app_url: str) -> Brand:
    host = urlsplit(app_url).hostname or "localhost"
    return Brand(store=shop.name or shop.domain, color=settings["brand_color"], sender_name=settings["sender_name"],
                 sender_email=settings["sender_email"] or shop.email or f"no-reply@{host}")


def message_id_header(ctx: Context, shop_id: int, message_id: int) -> str:
    return f"<recovery-{shop_id}-{message_id}@{urlsplit(ctx.app_url).hostname or 'localhost'}>"
