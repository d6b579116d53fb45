"""What a merchant may type on the Warehouses page, checked field by field.

Each `*_input(body)` takes the decoded JSON body and returns `(values, errors)`: values ready for the model
when `errors` is empty, else `{field: message}` so the page can show each message next to its field (each
message is a Translatable: English here, the staff member's language once the web edge localises it).
Nothing is trusted: types, ranges, lengths, real IANA zones, ISO country and currency codes.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import pycountry

from app.supply.types import ServiceLevel, TransportMode
from app.translatable import N_

TIER_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
CUTOFF_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
REGION_RE = re.compile(r"^[A-Z0-9]{1,8}$")
MAX_DAYS = 365
MAX_QUANTITY = 1_000_000
MAX_PRICE = Decimal("1000000")


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


class Fields:
    """Reads one body, remembering the first problem of each field."""

    def __init__(self, body: Any) -> None:
        self.body = body if isinstance(body, dict) else {}
        self.errors: dict[str, str] = {} if isinstance(body, dict) else {"_": N_("Send a JSON object.")}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def raw(self, name: str) -> Any:
        value = self.body.get(name)
        return value.strip() if isinstance(value, str) else value

    def text(self, name: str, max_len: int, *, required: bool = False) -> str | None:
        value = self.raw(name)
        if value in (None, ""):
            if required:
                self.fail(name, N_("Required."))
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail(name, N_("Must be text."))
            return None
        if len(value) > max_len or any(ord(c) < 32 for c in value):
            self.fail(name, N_("Use at most %(max)s printable characters.", max=max_len))
            return None
        return value

    def integer(self, name: str, low: int, high: int, *, default: int | None = None) -> int | None:
        value = self.raw(name)
        if value in (None, "") and default is not None:
            return default
        if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and
                                                                       re.fullmatch(r"-?\d{1,9}", value))):
            self.fail(name, N_("Must be a whole number."))
            return None
        number = int(value)
        if not low <= number <= high:
            self.fail(name, N_("Must be between %(low)s and %(high)s.", low=low, high=high))
            return None
        return number

    def number(self, name: str, low: float, high: float) -> float | None:
        value = self.raw(name)
        if value in (None, ""):
            return None
        try:
            number = float(value) if not isinstance(value, bool) else float("nan")
        except (TypeError, ValueError):
            number = float("nan")
        if number != number or not low <= number <= high:  # NaN never compares equal to itself
            self.fail(name, N_("Must be a number between %(low)s and %(high)s.", low=f"{low:g}", high=f"{high:g}"))
            return None
        return number

    def flag(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        self.fail(name, N_("Must be true or false."))
        return default

    def choice(self, name: str, allowed: set[str], default: str | None = None) -> str | None:
        value = self.raw(name)
        if value in (None, "") and default is not None:
            return default
        if value not in allowed:
            self.fail(name, N_("Choose one of: %(options)s.", options=", ".join(sorted(allowed))))
            return None
        return value

    def country(self, name: str, *, required: bool = False) -> str | None:
        value = self.text(name, 2, required=required)
        if value is None:
            return None
        code = value.upper()
        if not re.fullmatch(r"[A-Z]{2}", code) or pycountry.countries.get(alpha_2=code) is None:
            self.fail(name, N_("Use a two-letter ISO country code, such as FR or US."))
            return None
        return code


def profile_input(body: Any) -> tuple[dict, dict[str, str]]:
    f = Fields(body)
    values: dict[str, Any] = {
        "public_name": f.text("public_name", 255),
        "latitude": f.number("latitude", -90, 90),
        "longitude": f.number("longitude", -180, 180),
        "handling_days": f.integer("handling_days", 0, MAX_DAYS, default=1),
        "handling_hours": f.integer("handling_hours", 0, 24 * 7, default=0),
        "safety_stock": f.integer("safety_stock", 0, MAX_QUANTITY, default=0),
        "ships_cross_border": f.flag("ships_cross_border", True),
        "is_default": f.flag("is_default", False),
        "enabled": f.flag("enabled", True),
        "holiday_country": f.country("holiday_country"),
        "holiday_subdivision": None,
    }
    if (values["latitude"] is None) != (values["longitude"] is None) and not f.errors.keys() & {"latitude",
                                                                                              "longitude"}:
        f.fail("latitude" if values["latitude"] is None else "longitude", N_("Give both latitude and longitude."))
    timezone = f.text("timezone", 64)
    if timezone is not None and timezone not in _zones():
        f.fail("timezone", N_("Use an IANA time zone, such as Europe/Paris."))
    values["timezone"] = timezone
    cutoff = f.text("cutoff", 5) or "14:00"
    if not CUTOFF_RE.match(cutoff):
        f.fail("cutoff", N_("Use HH:MM on a 24-hour clock, such as 14:00."))
    values["cutoff"] = cutoff
    values["working_weekdays"] = _weekdays(f)
    subdivision = f.text("holiday_subdivision", 8)
    if subdivision is not None:
        subdivision = subdivision.upper()
        if not REGION_RE.match(subdivision):
            f.fail("holiday_subdivision", N_("Use a region code of up to 8 letters or digits, such as CA."))
        elif values["holiday_country"] is None and "holiday_country" not in f.errors:
            f.fail("holiday_subdivision", N_("Choose the holiday country first."))
        values["holiday_subdivision"] = subdivision
    values["tier_handling"] = _tier_handling(f)
    return values, f.errors


def _weekdays(f: Fields) -> list[int] | None:
    value = f.raw("working_weekdays")
    if value is None:
        return [0, 1, 2, 3, 4]
    if not isinstance(value, list) or not value or not all(
            isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in value):
        f.fail("working_weekdays", N_("Pick at least one working day (0 = Monday … 6 = Sunday)."))
        return None
    return sorted(set(value))


def _tier_handling(f: Fields) -> dict[str, dict[str, int]]:
    value = f.raw("tier_handling")
    if value in (None, ""):
        return {}
    if not isinstance(value, dict) or len(value) > 20:
        f.fail("tier_handling", N_("Give up to 20 tiers, each with days and hours."))
        return {}
    out: dict[str, dict[str, int]] = {}
    for tier, handling in value.items():
        name = str(tier).strip().lower()
        inner = Fields(handling)
        days = inner.integer("days", 0, MAX_DAYS, default=0)
        hours = inner.integer("hours", 0, 24 * 7, default=0)
        if not TIER_RE.match(name):
            f.fail("tier_handling", N_("'%(name)s' is not a tier name (lower-case letters, digits, - and _).",
                                       name=name[:32]))
        elif inner.errors or days is None or hours is None:
            problem = next(iter(inner.errors.values()), None) or N_("invalid handling time")
            f.fail("tier_handling", N_("%(tier)s: %(problem)s", tier=name, problem=problem))
        else:
            out[name] = {"days": days, "hours": hours}
    return out


def lane_input(body: Any) -> tuple[dict, dict[str, str]]:
    f = Fields(body)
    values: dict[str, Any] = {
        "country": f.country("country", required=True),
        "service_level": f.choice("service_level", {s.value for s in ServiceLevel}),
        "min_days": f.integer("min_days", 0, MAX_DAYS),
        "max_days": f.integer("max_days", 0, MAX_DAYS),
        "mode": f.choice("mode", {m.value for m in TransportMode}, default="road"),
        "region": None, "price": None, "currency": None,
    }
    region = f.text("region", 8)
    if region is not None:
        region = region.upper()
        if not REGION_RE.match(region):
            f.fail("region", N_("Use a region code of up to 8 letters or digits, such as CA."))
        values["region"] = region
    if values["min_days"] is not None and values["max_days"] is not None and values["min_days"] > values["max_days"]:
        f.fail("max_days", N_("Must be at least the minimum."))
    values["price"], values["currency"] = _price(f)
    return values, f.errors


def _price(f: Fields) -> tuple[Decimal | None, str | None]:
    raw = f.raw("price")
    currency = f.text("currency", 3)
    if raw in (None, ""):
        return None, None
    try:
        price = Decimal(str(raw)) if not isinstance(raw, bool) else Decimal("NaN")
    except InvalidOperation:
        price = Decimal("NaN")
    if not price.is_finite() or not Decimal(0) <= price <= MAX_PRICE or price.as_tuple().exponent < -4:
        f.fail("price", N_("Must be an amount of 0 or more."))
        return None, None
    code = (currency or "").upper()
    if not code:
        f.fail("currency", N_("Give the price's currency, such as EUR."))
    elif not re.fullmatch(r"[A-Z]{3}", code) or pycountry.currencies.get(alpha_3=code) is None:
        f.fail("currency", N_("Use a three-letter ISO currency code, such as EUR."))
    return price, code or None


def incoming_input(body: Any, today: date) -> tuple[dict, dict[str, str]]:
    f = Fields(body)
    values: dict[str, Any] = {
        "variant": f.text("variant", 255, required=True),
        "quantity": f.integer("quantity", 1, MAX_QUANTITY),
        "note": f.text("note", 500),
        "expected_on": None,
    }
    raw = f.text("expected_on", 10, required=True)
    if raw is not None:
        try:
            expected = date.fromisoformat(raw)
        except ValueError:
            f.fail("expected_on", N_("Use a date as YYYY-MM-DD."))
        else:
            if expected < today:
                f.fail("expected_on", N_("Must be today or later."))
            values["expected_on"] = expected
    return values, f.errors


def settings_input(body: Any) -> tuple[dict, dict[str, str]]:
    f = Fields(body)
    values: dict[str, Any] = {
        "routing_enabled": f.flag("routing_enabled", False),
        "routing_min_gain_days": f.integer("routing_min_gain_days", 0, 60, default=2),
        "routing_service_level": f.choice("routing_service_level", {s.value for s in ServiceLevel},
                                          default="standard"),
    }
    tiers = f.raw("routing_always_for_tiers")
    if isinstance(tiers, str):
        tiers = [t for t in (p.strip().lower() for p in tiers.split(",")) if t]
    if tiers is None:
        tiers = []
    if not isinstance(tiers, list) or len(tiers) > 20 or not all(isinstance(t, str) and TIER_RE.match(t)
                                                                 for t in tiers):
        f.fail("routing_always_for_tiers", N_("List tier names separated by commas, such as gold, platinum."))
        tiers = []
    values["routing_always_for_tiers"] = sorted(set(tiers))
    return values, f.errors
