"""What a recovery message says: subject and paragraphs in the shopper's language, from an Offer (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.recovery import texts
from app.recovery.stages import Offer
from app.supply.sentences import tier_label


@dataclass(frozen=True)
class Line:
    title: str
    quantity: int
    price: str  # formatted in the shopper's locale
    image_url: str | None = None


@dataclass(frozen=True)
class Content:
    language: str
    subject: str
    greeting: str
    paragraphs: tuple[str, ...]
    button: str
    unsubscribe: str
    footer: str
    items_heading: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Discount:
    code: str
    percent: int
    ends_on: date


def _subject(stage: int, offer: Offer, lang: str, store: str) -> str:
    if offer.kind == "supply":
        return texts.text(lang, "subject_supply", store=store)
    if stage == 2:
        return texts.text(lang, "subject_offer", store=store)
    if stage == 3:
        return texts.text(lang, "subject_later", store=store)
    return texts.text(lang, "subject_reminder", store=store)


def _promise_line(offer: Offer, lang: str, locale) -> str | None:
    if offer.earliest is None or offer.latest is None:
        return None
    return texts.text(lang, "promise", window=texts.window(offer.earliest, offer.latest, locale),
                      city=offer.warehouse or "")


def _body(offer: Offer, lang: str, locale) -> list[str]:
    win = texts.window(offer.earliest, offer.latest, locale) if offer.earliest and offer.latest else None
    kind = offer.kind
    if kind == "supply" and win:
        out = [texts.text(lang, "supply", city=offer.warehouse or "", window=win,
                          default=texts.day(offer.default_latest, locale) if offer.default_latest else "—")]
        if offer.saving is not None and offer.currency:
            out.append(texts.text(lang, "saving", amount=texts.money(offer.saving, offer.currency, locale)))
        return out
    if kind in ("preorder", "split", "restock") and win:
        return [texts.text(lang, kind, window=win)]
    if kind == "trial":
        return [offer.trial_text or "", *filter(None, [_promise_line(offer, lang, locale)])]
    if kind == "tier_perk":
        return [texts.text(lang, "tier_perk", tier=tier_label(offer.tier or "")),
                *filter(None, [_promise_line(offer, lang, locale)])]
    if kind in ("back_in_stock", "last_reminder"):
        return [texts.text(lang, kind), *filter(None, [_promise_line(offer, lang, locale)])]
    return [texts.text(lang, "reminder"), *filter(None, [_promise_line(offer, lang, locale)])]


def _image(url: str | None) -> str | None:
    # Only an https image is shown: mail clients block plain http, and nothing else belongs in an <img src>.
    return url if isinstance(url, str) and url.startswith("https://") and len(url) <= 2048 else None


def compose(stage: int, offer: Offer, *, store: str, raw_locale: str | None, shop_locale: str | None,
            lines: list[tuple[str, int, Decimal, str, str | None]], discount: Discount | None = None) -> Content:
    """`lines`: (title, quantity, unit price, currency, image url)."""
    lang, locale = texts.language(raw_locale, shop_locale)
    paragraphs = _body(offer, lang, locale)
    if discount is not None:
        paragraphs.append(texts.text(lang, "discount", code=discount.code, percent=texts.percent(discount.percent,
                                     locale), date=texts.day(discount.ends_on, locale)))
    return Content(
        language=lang, subject=_subject(stage, offer, lang, store), greeting=texts.text(lang, "greeting"),
        paragraphs=tuple(p for p in paragraphs if p), button=texts.text(lang, "button"),
        unsubscribe=texts.text(lang, "unsubscribe"), footer=texts.text(lang, "footer", store=store),
        items_heading=texts.text(lang, "items"),
        lines=tuple(Line(title, qty, texts.money(price * qty, currency, locale), _image(image))
                    for title, qty, price, currency, image in lines),
    )
