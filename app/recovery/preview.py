"""Preview and test sends of each stage for the merchant, with sample data and the shop's real settings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.extensions import db
from app.mail.render import build, render_parts
from app.mail.smtp import Mailer, SmtpSettings
from app.models import Shop
from app.recovery import compose, links
from app.recovery.prepare import Context, brand
from app.recovery.service import settings_for
from app.recovery.stages import Offer

SAMPLE_LINES = [("Sample product", 1, Decimal("49.00"))]


def _sample_offer(stage: int, settings: dict, today) -> tuple[Offer, compose.Discount | None]:
    window = {"earliest": today + timedelta(days=3), "latest": today + timedelta(days=5), "warehouse": "Paris"}
    if stage == 1:
        return Offer("supply", **window, default_latest=today + timedelta(days=12), days_saved=7,
                     saving=Decimal("2.00"), currency="EUR"), None
    if stage == 2:
        two = settings["stages"]["2"]
        kind = (two["offers"] or ["reminder"])[0]
        offer = Offer(kind, **window, tier="gold", trial_text=two["trial_text"] or "30 days of membership, free.")
        code = compose.Discount("BACK-SAMPLE1", two["discount_percent"], today + timedelta(days=two[
            "discount_valid_days"])) if two["discount_enabled"] else None
        return offer, code
    return Offer("back_in_stock", **window), None


def render_stage(shop_id: int, stage: int, locale: str | None, ctx: Context, to: str = "shopper@example.com"):
    """(content, text, html, message) for `stage` of this shop, as a shopper in `locale` would get it."""
    with db.session(shop_id=shop_id) as session:
        shop = session.get(Shop, shop_id)
        settings = settings_for(session, shop_id)
    today = datetime.now(UTC).date()
    offer, discount = _sample_offer(stage, settings, today)
    currency = shop.currency or "USD"
    content = compose.compose(stage, offer, store=shop.name or shop.domain, raw_locale=locale,
                              shop_locale=shop.primary_locale,
                              lines=[(t, q, p, currency, None) for t, q, p in SAMPLE_LINES], discount=discount)
    mail_links = replace(links.for_message(ctx.app_url, ctx.secret, shop_id, 0, to), open_pixel=None)
    text, html = render_parts(content, mail_links, brand(settings, shop, ctx.app_url))
    return content, text, html, shop, settings, mail_links


def send_preview(shop_id: int, stage: int, to: str, locale: str | None, ctx: Context, smtp: SmtpSettings) -> str:
    content, _text, _html, shop, settings, mail_links = render_stage(shop_id, stage, locale, ctx, to)
    content = replace(content, subject=f"[Test] {content.subject}")
    now = datetime.now(UTC)
    message = build(content, mail_links, brand(settings, shop, ctx.app_url), to=to, sent_at=now,
                    message_id=f"<recovery-test-{shop_id}-{int(now.timestamp() * 1000)}@flexchain>",
                    tags={"Stage": str(stage), "Test": "1"})
    with Mailer(smtp) as mailer:
        mailer.send(message)
    return message["Message-ID"]
