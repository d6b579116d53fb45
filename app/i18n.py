"""The admin's languages: English and Simplified Chinese, from Babel catalogues under app/translations/.

The language is the staff member's: Shopify opens the app with `locale=zh-CN` (or `en`, `fr`, ...) in the
query string; fetches from our pages repeat it in `X-Flexchain-Locale`. Anything we have no catalogue for
reads English. The `.po` files are the source of truth and are compiled in memory on first use, so a
translation edit needs no build step and no binary file is kept in the repository.

Dates, numbers, percentages and money are formatted for the locale with Babel (`zh_CN` groups digits the
same way but writes dates as 2025年3月1日 and currency as US$1,234.50).
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import NullTranslations, Translations
from flask import Flask, g, has_request_context, request

from app.translatable import Translatable

TRANSLATIONS = Path(__file__).parent / "translations"
LOCALES = ("en", "zh_CN")
DEFAULT = "en"
HEADER = "X-Flexchain-Locale"


def pick(raw: str | None) -> str:
    """Our locale for a Shopify or browser locale tag: any Chinese but Traditional is zh_CN, else English."""
    tag = (raw or "").strip().replace("_", "-").lower()
    if tag.startswith("zh") and not any(part in tag for part in ("-tw", "-hk", "-mo", "-hant")):
        return "zh_CN"
    return DEFAULT


@cache
def catalogue(locale: str) -> NullTranslations:
    path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT or not path.exists():
        return NullTranslations()
    with path.open("rb") as fh:
        po = read_po(fh, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, po)
    buffer.seek(0)
    return Translations(buffer)


def request_locale() -> str:
    if not has_request_context():
        return DEFAULT
    cached = g.get("locale")
    if cached:
        return cached
    raw = request.args.get("locale") or request.headers.get(HEADER)
    if not raw:
        raw = request.accept_languages.best_match(["en", "zh-CN", "zh"]) or DEFAULT
    g.locale = pick(raw)
    return g.locale


def gettext(message: str, **values: object) -> str:
    text = catalogue(request_locale()).ugettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    text = catalogue(request_locale()).ungettext(singular, plural, n)
    return text % {"num": n, **values}


_ = gettext


def localise(text: object) -> object:
    """A message from pure code in the reader's language: a Translatable through the catalogue (its values
    too, when they are messages themselves), any other string as a msgid (text we have no entry for reads
    as it is), anything else unchanged."""
    if isinstance(text, Translatable):
        values = {k: localise(v) for k, v in text.values.items()}
        return gettext(text.msgid, **values)
    if isinstance(text, str):
        return gettext(text) if text else text
    return text


def localise_all(errors: dict[str, object]) -> dict[str, object]:
    """Field → message with every message in the reader's language; the field keys stay as they are."""
    return {name: localise(message) for name, message in errors.items()}


def html_lang(locale: str | None = None) -> str:
    return (locale or request_locale()).replace("_", "-")


def babel_locale(locale: str | None = None) -> Locale:
    return Locale.parse(locale or request_locale())


def number(value: float | int | Decimal | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=babel_locale())


def percent(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return format_percent(value, format="#,##0." + "0" * digits + "%", locale=babel_locale())


def money(value: Decimal | float | str | None, currency: str) -> str:
    if value is None:
        return "—"
    return format_currency(Decimal(str(value)), currency, locale=babel_locale())


def day(value: date | str | None, width: str = "medium") -> str:
    if isinstance(value, str):  # an ISO date as the JSON API carries it
        value = date.fromisoformat(value)
    return "—" if value is None else format_date(value, width, locale=babel_locale())


def weekdays(width: str = "abbreviated") -> list[str]:
    """Monday to Sunday in the locale (Mon … Sun, 周一 … 周日): index 0 is Monday, as Python counts."""
    names = babel_locale().days["format"][width]
    return [names[i] for i in range(7)]


def moment(value: datetime | None) -> str:
    return "—" if value is None else format_datetime(value, "short", locale=babel_locale())


def init_app(app: Flask) -> None:
    """Jinja's i18n extension with our per-request gettext, and the formatters as template globals."""
    if app.extensions.get("flexchain_i18n"):
        return
    app.extensions["flexchain_i18n"] = True
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)
    app.jinja_env.globals.update(
        html_lang=html_lang, request_locale=request_locale, fmt_number=number, fmt_percent=percent,
        fmt_money=money, fmt_day=day, fmt_weekdays=weekdays, fmt_moment=moment, localise=localise, LOCALE_HEADER=HEADER)
