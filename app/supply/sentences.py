"""The storefront's words for a promise, in the shopper's language, with dates and numbers in their format.

Every text is built from the `Answer` (our data: dates, the warehouse's public city, the tier slug),
never from what the request carried, so nothing a visitor types can appear in a sentence. Unknown or
malformed locales fall back to English; `en-GB`, `fr-CA` and the like keep their own date formats.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_interval
from babel.numbers import format_decimal

from app.supply.cache import Answer

LANGUAGES = ("en", "fr", "de", "es", "it", "ja", "zh-CN")
_LOCALE_SHAPE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3}$")


@dataclass(frozen=True, slots=True)
class Texts:
    available: str
    available_plain: str  # no cutoff to count down to
    split: str
    backorder: str
    unavailable: str
    tier: str
    hours_minutes: str
    minutes: str
    days_hours: str


TEXTS: dict[str, Texts] = {
    "en": Texts("Order within {countdown} — arrives {window} from our {city} warehouse",
                "Arrives {window} from our {city} warehouse",
                "Order within {countdown} — arrives {window} in {parcels} parcels",
                "Back in stock soon — arrives {window} from our {city} warehouse",
                "Currently unavailable for delivery",
                "{tier}: ships within {hours} h", "{h} h {m} min", "{m} min", "{d} d {h} h"),
    "fr": Texts("Commandez d'ici {countdown} — livraison {window} depuis notre entrepôt de {city}",
                "Livraison {window} depuis notre entrepôt de {city}",
                "Commandez d'ici {countdown} — livraison {window} en {parcels} colis",
                "Bientôt de retour en stock — livraison {window} depuis notre entrepôt de {city}",
                "Actuellement indisponible à la livraison",
                "{tier} : expédié sous {hours} h", "{h} h {m} min", "{m} min", "{d} j {h} h"),
    "de": Texts("Bestellen Sie innerhalb von {countdown} — Lieferung {window} aus unserem Lager in {city}",
                "Lieferung {window} aus unserem Lager in {city}",
                "Bestellen Sie innerhalb von {countdown} — Lieferung {window} in {parcels} Paketen",
                "Bald wieder auf Lager — Lieferung {window} aus unserem Lager in {city}",
                "Derzeit nicht lieferbar",
                "{tier}: Versand innerhalb von {hours} Std.", "{h} Std. {m} Min.", "{m} Min.", "{d} T. {h} Std."),
    "es": Texts("Pide en las próximas {countdown} — llega {window} desde nuestro almacén de {city}",
                "Llega {window} desde nuestro almacén de {city}",
                "Pide en las próximas {countdown} — llega {window} en {parcels} paquetes",
                "Pronto de nuevo en stock — llega {window} desde nuestro almacén de {city}",
                "No disponible para envío por ahora",
                "{tier}: se envía en {hours} h", "{h} h {m} min", "{m} min", "{d} d {h} h"),
    "it": Texts("Ordina entro {countdown} — arriva {window} dal nostro magazzino di {city}",
                "Arriva {window} dal nostro magazzino di {city}",
                "Ordina entro {countdown} — arriva {window} in {parcels} pacchi",
                "Presto di nuovo disponibile — arriva {window} dal nostro magazzino di {city}",
                "Al momento non disponibile per la consegna",
                "{tier}: spedito entro {hours} h", "{h} h {m} min", "{m} min", "{d} g {h} h"),
    "ja": Texts("あと{countdown}以内のご注文で{window}にお届け（{city}の倉庫から発送）",
                "{window}にお届け（{city}の倉庫から発送）",
                "あと{countdown}以内のご注文で{window}にお届け（{parcels}個口で発送）",
                "まもなく入荷予定 — {window}にお届け（{city}の倉庫から発送）",
                "現在お届けできません",
                "{tier}会員：{hours}時間以内に発送", "{h}時間{m}分", "{m}分", "{d}日{h}時間"),
    "zh-CN": Texts("{countdown}内下单，预计{window}送达（由{city}仓库发货）",
                   "预计{window}送达（由{city}仓库发货）",
                   "{countdown}内下单，预计{window}送达（分{parcels}个包裹发货）",
                   "即将到货，预计{window}送达（由{city}仓库发货）",
                   "暂时无法配送",
                   "{tier}会员：{hours}小时内发货", "{h}小时{m}分钟", "{m}分钟", "{d}天{h}小时"),
}


@lru_cache(maxsize=512)
def pick_locale(raw: str | None) -> tuple[str, Locale]:
    """(language of our texts, Babel locale for dates and numbers) for a requested locale."""
    english = ("en", Locale("en"))
    if not raw or not _LOCALE_SHAPE.match(raw):
        return english
    try:
        locale = Locale.parse(raw.replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError):
        return english
    if locale.language == "zh":
        # Our Chinese texts are Simplified: Traditional-script readers get English rather than the wrong script.
        if locale.script == "Hant" or locale.territory in ("TW", "HK", "MO"):
            return english
        return "zh-CN", Locale.parse("zh_Hans_CN")
    if locale.language in TEXTS:
        return locale.language, locale
    return english


def countdown_text(texts: Texts, seconds: int) -> str:
    minutes = max(1, seconds // 60)  # "within 0 min" would be false comfort; under a minute reads as 1
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        return texts.days_hours.format(d=hours // 24, h=hours % 24)
    if hours == 0:
        return texts.minutes.format(m=minutes)
    return texts.hours_minutes.format(h=hours, m=minutes)


@lru_cache(maxsize=4096)
def _window_text(earliest, latest, locale: Locale) -> str:
    return format_interval(earliest, latest, "MMMEd", locale=locale)


@lru_cache(maxsize=1024)
def _co2_text(kg: float, locale: Locale) -> str:
    return f"{format_decimal(kg, '#,##0.##', locale=locale)} kg CO₂e"


def tier_label(tier: str) -> str:
    return tier.replace("-", " ").replace("_", " ").title()


@dataclass(frozen=True, slots=True)
class Prepared:
    """One answer in one language: everything except what the clock changes, serialised once."""

    head: str  # the JSON object without `countdown`, `sentence` and its closing brace
    texts: Texts
    sentence: tuple[str, ...]  # the whole sentence, or the text either side of the countdown
    cutoff_at: int | None  # the countdown's target; None: no countdown
    cutoff_json: str


@lru_cache(maxsize=4096)
def prepare(answer: Answer, raw_locale: str | None) -> Prepared:
    """A pure function of the answer (which the cache keys by its versions) and the locale: memoising it
    cannot serve anything stale, and a cache hit does no Babel work."""
    language, locale = pick_locale(raw_locale)
    texts = TEXTS[language]
    body: dict = {
        "status": answer.status,
        "locale": language if language == "zh-CN" else str(locale).replace("_", "-"),
        "destination": {"country": answer.country, "region": answer.region, "level": answer.level},
    }
    if answer.earliest is None or answer.latest is None:
        body.update(window=None, warehouse=None, service_level=None, kg_co2e=None, split=False, default=None,
                    tier=_tier(answer, texts))
        return Prepared(_encode(body)[:-1], texts, (texts.unavailable,), None, "null")
    window = _window_text(answer.earliest, answer.latest, locale)
    city = answer.warehouse_city or answer.warehouse_name or ""
    if answer.status == "backorder":
        template = texts.backorder
    elif answer.cutoff_at is None:
        template = texts.available_plain
    elif answer.parcels > 1:
        template = texts.split
    else:
        template = texts.available
    # Our templates are split around the countdown before anything is filled in, so a brace in a
    # warehouse's name can never be read as a placeholder.
    sentence = tuple(part.format(window=window, city=city, parcels=answer.parcels)
                     for part in template.split("{countdown}"))
    body.update(
        window={"earliest": answer.earliest.isoformat(), "latest": answer.latest.isoformat(), "text": window},
        warehouse={"name": answer.warehouse_name, "city": answer.warehouse_city},
        service_level=answer.service_level,
        kg_co2e=answer.kg_co2e,
        kg_co2e_text=_co2_text(answer.kg_co2e, locale) if answer.kg_co2e is not None else None,
        split=answer.parcels > 1,
        parcels=answer.parcels,
        default=_default(answer),
        tier=_tier(answer, texts),
    )
    cutoff_json = "null" if answer.cutoff_at is None else _encode(
        datetime.fromtimestamp(answer.cutoff_at, UTC).isoformat().replace("+00:00", "Z"))
    return Prepared(_encode(body)[:-1], texts, sentence, answer.cutoff_at, cutoff_json)


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def render_json(answer: Answer, raw_locale: str | None, now_ts: float) -> str:
    """The JSON body the storefront shows; the countdown is computed here, from `now_ts`."""
    prepared = prepare(answer, raw_locale)
    if prepared.cutoff_at is None:
        return f'{prepared.head},"countdown":null,"sentence":{_encode(prepared.sentence[0])}}}'
    seconds = max(0, int(prepared.cutoff_at - now_ts))
    text = countdown_text(prepared.texts, seconds)
    sentence = text.join(prepared.sentence)
    return (f'{prepared.head},"countdown":{{"seconds":{seconds},"text":{_encode(text)},'
            f'"cutoff_at":{prepared.cutoff_json}}},"sentence":{_encode(sentence)}}}')


def render(answer: Answer, raw_locale: str | None, now_ts: float) -> dict:
    """`render_json` as a dict."""
    return json.loads(render_json(answer, raw_locale, now_ts))


def _default(answer: Answer) -> dict | None:
    if answer.default_latest is None:
        return None
    saved = answer.days_saved or 0
    return {"latest": answer.default_latest.isoformat(), "days_saved": saved if saved > 0 else None}


def _tier(answer: Answer, texts: Texts) -> dict | None:
    if answer.tier is None:
        return None
    text = None
    if answer.tier_hours is not None:
        text = texts.tier.format(tier=tier_label(answer.tier), hours=answer.tier_hours)
    return {"name": answer.tier, "text": text}
