"""What a merchant may record about a product's history: validation of one provenance step (pure).

The same rules serve the admin API and the CSV import, so a step refused in one is refused in the other
with the same message. Text is kept exactly as typed (after Unicode NFC normalisation, so the hash of a
step does not depend on how a keyboard composed an accent): it is escaped wherever it is shown, never
filtered. Only characters that can hide or reorder what a reader sees are refused: control characters
and the explicit bidirectional overrides (right-to-left text itself is welcome).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from app.supply import geo
from app.translatable import N_

STAGES = ("raw_material", "production", "quality_check", "packing", "shipping")
MAX_CERTIFICATES = 10
LIMITS = {"place": 200, "actor": 200, "description": 2000, "lot": 64, "certificate": 120, "url": 500}
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_URL = re.compile(r"^https?://[^\s<>\"'`]+$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Certificate:
    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class StepInput:
    """One validated provenance step, before it is given a place in the chain."""

    stage: str
    place: str
    occurred_on: date
    lot: str | None = None
    country: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    actor: str = ""
    description: str = ""
    certificates: tuple[Certificate, ...] = field(default_factory=tuple)
    footprint_kg: str | None = None
    supersedes: int | None = None


class InvalidStep(ValueError):
    """Field → message, for every field that was refused (messages never repeat the input)."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def parse_step(raw: Mapping[str, Any], today: date) -> StepInput:
    """A StepInput from JSON-like input, or InvalidStep naming each bad field."""
    errors: dict[str, str] = {}

    def text(name: str, *, required: bool = False, multiline: bool = False, limit_key: str | None = None) -> str:
        value = raw.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                errors[name] = N_("is required")
            return ""
        if not isinstance(value, str):
            errors[name] = N_("must be text")
            return ""
        problem, clean = clean_text(value, LIMITS[limit_key or name], multiline=multiline)
        if problem:
            errors[name] = problem
        return clean

    stage = _stage(raw.get("stage"), errors)
    place = text("place", required=True)
    actor = text("actor")
    description = text("description", multiline=True)
    lot = text("lot") or None
    country = _country(raw.get("country"), errors)
    latitude = _coordinate(raw.get("latitude"), "latitude", 90, errors)
    longitude = _coordinate(raw.get("longitude"), "longitude", 180, errors)
    if (latitude is None) != (longitude is None) and "latitude" not in errors and "longitude" not in errors:
        errors["latitude" if latitude is None else "longitude"] = N_("give both coordinates or neither")
    occurred_on = _date(raw.get("date", raw.get("occurred_on")), today, errors)
    certificates = _certificates(raw.get("certificates"), errors)
    footprint = _footprint(raw.get("footprint_kg"), errors)
    supersedes = _positive_int(raw.get("supersedes"), "supersedes", errors)
    if errors:
        raise InvalidStep(errors)
    assert occurred_on is not None and stage is not None
    return StepInput(stage=stage, place=place, occurred_on=occurred_on, lot=lot, country=country,
                     latitude=latitude, longitude=longitude, actor=actor, description=description,
                     certificates=certificates, footprint_kg=footprint, supersedes=supersedes)


def clean_text(value: str, limit: int, *, multiline: bool = False) -> tuple[str | None, str]:
    """(problem or None, the NFC-normalised, stripped text)."""
    clean = unicodedata.normalize("NFC", value).strip()
    if multiline:
        clean = clean.replace("\r\n", "\n").replace("\r", "\n")
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in clean) or _BIDI_CONTROLS.search(clean):
        return N_("must not contain control characters"), clean
    if len(clean) > limit:
        return N_("must be at most %(limit)s characters", limit=limit), clean
    return None, clean


def _stage(value: Any, errors: dict[str, str]) -> str | None:
    normal = re.sub(r"[\s-]+", "_", value.strip().lower()) if isinstance(value, str) else ""
    if normal not in STAGES:
        errors["stage"] = N_("must be one of %(stages)s", stages=", ".join(STAGES))
        return None
    return normal


def _country(value: Any, errors: dict[str, str]) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    code = geo.normalise_country(value) if isinstance(value, str) and len(value) <= 64 else None
    if code is None:
        errors["country"] = N_("must be an ISO 3166 country code or English country name")
    return code


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _coordinate(value: Any, name: str, bound: int, errors: dict[str, str]) -> str | None:
    if value is None or value == "":
        return None
    number = _decimal(value)
    if number is None or not -bound <= number <= bound:
        errors[name] = N_("must be a number from -%(bound)s to %(bound)s", bound=bound)
        return None
    # Six decimals is about 10 cm: more would only make the hash depend on noise.
    return _plain(number.quantize(Decimal("0.000001")))


def _footprint(value: Any, errors: dict[str, str]) -> str | None:
    if value is None or value == "":
        return None
    number = _decimal(value)
    if number is None or not 0 <= number <= 1_000_000:
        errors["footprint_kg"] = N_("must be a number of kg CO2e from 0 to 1000000")
        return None
    return _plain(number.quantize(Decimal("0.001")))


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _date(value: Any, today: date, errors: dict[str, str]) -> date | None:
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            parsed = None
    else:
        parsed = None
    if parsed is None:
        errors["date"] = N_("must be a date as YYYY-MM-DD")
        return None
    if parsed > today + timedelta(days=1) or parsed.year < 1900:
        errors["date"] = N_("must be a past date (1900 or later)")
        return None
    return parsed


def _certificates(value: Any, errors: dict[str, str]) -> tuple[Certificate, ...]:
    if value in (None, "", []):
        return ()
    if not isinstance(value, list) or len(value) > MAX_CERTIFICATES:
        errors["certificates"] = N_("must be a list of at most %(max)s certificates", max=MAX_CERTIFICATES)
        return ()
    out = []
    for item in value:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str) or not item["name"].strip():
            errors["certificates"] = N_("each certificate needs a name")
            return ()
        problem, name = clean_text(item["name"], LIMITS["certificate"])
        url = item.get("url") or None
        if problem is None and url is not None:
            problem = certificate_url_problem(url)
        if problem:
            errors["certificates"] = N_("certificate %(problem)s", problem=problem)
            return ()
        out.append(Certificate(name=name, url=url.strip() if url else None))
    return tuple(out)


def certificate_url_problem(url: Any) -> str | None:
    if not isinstance(url, str) or len(url.strip()) > LIMITS["url"] or not _URL.match(url.strip()):
        return N_("link must be an http(s) address without spaces or quotes")
    return None


def _positive_int(value: Any, name: str, errors: dict[str, str]) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 10**6:
        errors[name] = N_("must be the number of an earlier record")
        return None
    return int(text)
