"""The storefront's sentences in each language, and the compact cached form of an answer (no database)."""

from __future__ import annotations

from datetime import date

import pytest

from app.supply import cache
from app.supply.cache import Answer
from app.supply.geo import GeoLevel, ResolvedPlace
from app.supply.sentences import LANGUAGES, TEXTS, countdown_text, pick_locale, render

CUTOFF = 1_800_000_000
ANSWER = Answer("available", "DE", None, "city", date(2026, 11, 26), date(2026, 11, 30), CUTOFF,
                "Paris warehouse", "Paris", "standard", 1.2345, 1, date(2026, 12, 4), 4, "gold", 48)
NOW = CUTOFF - (2 * 3600 + 14 * 60 + 30)  # 2 h 14 min 30 s before the cutoff
DASH = "\u2009–\u2009"  # CLDR puts thin spaces around the range dash


@pytest.mark.parametrize(("locale", "sentence", "tier", "co2"), [
    ("en", f"Order within 2 h 14 min — arrives Thu, Nov 26{DASH}Mon, Nov 30 from our Paris warehouse",
     "Gold: ships within 48 h", "1.23 kg CO₂e"),
    ("en-GB", f"Order within 2 h 14 min — arrives Thu 26 Nov{DASH}Mon 30 Nov from our Paris warehouse",
     "Gold: ships within 48 h", "1.23 kg CO₂e"),
    ("fr", f"Commandez d'ici 2 h 14 min — livraison jeu. 26{DASH}lun. 30 nov. depuis notre entrepôt de Paris",
     "Gold : expédié sous 48 h", "1,23 kg CO₂e"),
    ("de", f"Bestellen Sie innerhalb von 2 Std. 14 Min. — Lieferung Do., 26.{DASH}Mo., 30. Nov. aus unserem Lager "
     "in Paris", "Gold: Versand innerhalb von 48 Std.", "1,23 kg CO₂e"),
    ("ja", "あと2時間14分以内のご注文で11月26日(木)～30日(月)にお届け（Parisの倉庫から発送）",
     "Gold会員：48時間以内に発送", "1.23 kg CO₂e"),
    ("zh-CN", "2小时14分钟内下单，预计11月26日周四至30日周一送达（由Paris仓库发货）",
     "Gold会员：48小时内发货", "1.23 kg CO₂e"),
])
def test_sentences_dates_and_numbers_follow_the_locale(locale, sentence, tier, co2):
    body = render(ANSWER, locale, NOW)
    assert body["sentence"] == sentence
    assert body["tier"] == {"name": "gold", "text": tier}
    assert body["kg_co2e_text"] == co2
    assert body["countdown"]["seconds"] == 2 * 3600 + 14 * 60 + 30
    assert body["countdown"]["cutoff_at"] == "2027-01-15T08:00:00Z"
    assert body["default"] == {"latest": "2026-12-04", "days_saved": 4}


@pytest.mark.parametrize("raw", [None, "", "pt-BR", "zh-TW", "zh-Hant", "../../etc/passwd", "x" * 40, "en-ZZZZZZZZZ"])
def test_unknown_or_malformed_locales_speak_english(raw):
    language, _ = pick_locale(raw)
    assert language == "en"
    assert render(ANSWER, raw, NOW)["sentence"].startswith("Order within 2 h 14 min")


def test_every_language_has_every_text():
    assert set(TEXTS) == set(LANGUAGES)
    for language in LANGUAGES:
        assert pick_locale(language)[0] == language
        body = render(ANSWER, language, NOW)
        assert "{" not in body["sentence"] and "Paris" in body["sentence"]


@pytest.mark.parametrize(("seconds", "text"), [
    (30, "1 min"), (59 * 60 + 59, "59 min"), (3600, "1 h 0 min"), (26 * 3600 + 5 * 60, "1 d 2 h")])
def test_countdown_text(seconds, text):
    assert countdown_text(TEXTS["en"], seconds) == text


def test_backorder_unavailable_and_split_sentences():
    backorder = Answer("backorder", "FR", None, "country", date(2099, 1, 7), date(2099, 1, 9), None, "P", "Paris",
                       "standard", 0.5, 1)
    assert render(backorder, "en", NOW)["sentence"] == (
        f"Back in stock soon — arrives Wed, Jan 7{DASH}Fri, Jan 9 from our Paris warehouse")
    assert render(Answer("unavailable", "FR", None, "country"), "fr", NOW)["sentence"] == (
        "Actuellement indisponible à la livraison")
    split = Answer("available", "FR", None, "country", date(2026, 11, 26), date(2026, 11, 27), CUTOFF, "P", "Paris",
                   "standard", 0.5, 2)
    assert render(split, "en", NOW)["sentence"] == (
        f"Order within 2 h 14 min — arrives Thu, Nov 26{DASH}Fri, Nov 27 in 2 parcels")


def test_a_tier_without_a_perk_has_no_line():
    plain = Answer(**{**{f: getattr(ANSWER, f) for f in ANSWER.__slots__}, "tier_hours": None})
    assert render(plain, "en", NOW)["tier"] == {"name": "gold", "text": None}


def test_the_cached_form_round_trips_compactly():
    raw = cache.dumps(ANSWER, (3, 17))
    assert cache.loads(raw) == ((3, 17), ANSWER)
    assert len(raw) <= 136


def test_an_entry_lives_until_its_cutoff_and_never_past_the_cap():
    assert cache.ttl(ANSWER, CUTOFF - 60) == 60
    assert cache.ttl(ANSWER, CUTOFF - 86400) == cache.MAX_TTL_S
    assert cache.ttl(ANSWER, CUTOFF - 0.5) == 0  # about to pass: not stored at all
    assert cache.ttl(Answer("unavailable", "FR", None, "country"), NOW) == cache.MAX_TTL_S


def test_buckets_follow_the_resolved_place():
    paris = ResolvedPlace(GeoLevel.CITY, "FR", "IDF", 48.8566, 2.3522, "Europe/Paris")
    assert cache.bucket(paris) == "city|FR|IDF|48.857,2.352"
    assert cache.bucket(None) == cache.SHOP_BUCKET
    assert cache.bucket(ResolvedPlace(GeoLevel.UNRESOLVED, "FR")) == "unresolved|FR"
    key = cache.key(3, 501, 2, "gold", cache.bucket(paris))
    assert key == "flexchain:promise:3:501:2:gold:city|FR|IDF|48.857,2.352"
