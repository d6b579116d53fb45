"""The merchant's recovery settings: defaults, and validation that names every bad field.

Stored as one JSON document per shop; `merge` lays what the merchant saved over the defaults, so a setting
added later has its default for shops that never saw it. Validation is all-or-nothing: a save with one bad
field stores nothing and answers every error at once.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from app.translatable import N_

OFFERS = ("preorder", "split", "trial", "tier_perk")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_HOURS = 30 * 24  # a checkout link stops working after about a month; nothing is sent past that

DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "abandon_after_minutes": 60,
    "high_value_threshold": "500",
    "repeat_window_days": 30,
    "repeat_min_checkouts": 2,
    "holdout_percent": 10,
    "attribution_days": 7,
    "per_shopper_hours": 24,
    "per_checkout_max": 3,
    "other_checkout_days": 14,
    "quiet_start": "21:00",
    "quiet_end": "08:00",
    # Countries where a service message (no marketing consent) is lawful for this merchant; empty = strict.
    "service_message_countries": [],
    "brand_color": "#1f5199",
    "sender_name": "",
    "sender_email": "",
    "stages": {
        "1": {"enabled": True, "start_hours": 0, "end_hours": 24},
        "2": {"enabled": True, "start_hours": 48, "end_hours": 168, "offers": list(OFFERS),
              "trial_text": "", "discount_enabled": False, "discount_percent": 10, "discount_valid_days": 3},
        # The last reminder goes this long before Shopify drops the checkout (about 30 days after it started).
        "3": {"enabled": True, "start_hours": 168, "end_hours": 720, "last_reminder_lead_hours": 48},
    },
}


class SettingsError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def merge(saved: dict | None) -> dict:
    out = copy.deepcopy(DEFAULTS)
    for key, value in (saved or {}).items():
        if key == "stages" and isinstance(value, dict):
            for stage, fields in value.items():
                if stage in out["stages"] and isinstance(fields, dict):
                    out["stages"][stage].update(fields)
        elif key in out:
            out[key] = value
    return out


def _int(errors: dict, name: str, value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        value = None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[name] = N_("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
        return None
    if not low <= number <= high:
        errors[name] = N_("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
        return None
    return number


def _bool(errors: dict, name: str, value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    errors[name] = N_("Must be true or false.")
    return None


def validate(raw: Any, current: dict | None = None) -> dict:
    """The complete settings after applying `raw` (a partial document) over `current` (what is saved);
    raises SettingsError."""
    if not isinstance(raw, dict):
        raise SettingsError({"": N_("Send a JSON object.")})
    errors: dict[str, str] = {}
    unknown = sorted(set(raw) - set(DEFAULTS))
    if unknown:
        errors[unknown[0]] = N_("Unknown setting.")
    values = merge(current)
    values.update({k: v for k, v in raw.items() if k in DEFAULTS and k != "stages"})
    out: dict[str, Any] = {"stages": copy.deepcopy(values["stages"])}
    out["enabled"] = _bool(errors, "enabled", values["enabled"])
    for name, low, high in (("abandon_after_minutes", 10, 24 * 60), ("repeat_window_days", 1, 365),
                            ("repeat_min_checkouts", 2, 50), ("holdout_percent", 0, 50), ("attribution_days", 1, 30),
                            ("per_shopper_hours", 1, 24 * 14), ("per_checkout_max", 1, 3),
                            ("other_checkout_days", 0, 90)):
        out[name] = _int(errors, name, values[name], low, high)
    try:
        threshold = Decimal(str(values["high_value_threshold"]).strip())
        if not threshold.is_finite() or threshold < 0:
            raise InvalidOperation
        out["high_value_threshold"] = format(threshold.normalize(), "f")
    except (InvalidOperation, ValueError):
        errors["high_value_threshold"] = N_("Enter an amount of zero or more, like 500 or 499.90.")
    for name in ("quiet_start", "quiet_end"):
        if not isinstance(values[name], str) or not _TIME.match(values[name]):
            errors[name] = N_("Enter a time as HH:MM, like 21:00.")
        out[name] = values[name]
    countries = values["service_message_countries"]
    if not isinstance(countries, list) or not all(isinstance(c, str) and _COUNTRY.match(c.upper()) for c in countries):
        errors["service_message_countries"] = N_("List two-letter country codes, like US, CA.")
    else:
        out["service_message_countries"] = sorted({c.upper() for c in countries})
    _brand(errors, values, out)
    _stages(errors, raw.get("stages", {}), out["stages"])
    if errors:
        raise SettingsError(errors)
    return out


def _brand(errors: dict, values: dict, out: dict) -> None:
    if not isinstance(values["brand_color"], str) or not _COLOR.match(values["brand_color"]):
        errors["brand_color"] = N_("Enter a colour as #RRGGBB.")
    out["brand_color"] = values["brand_color"]
    sender_name, sender_email = values["sender_name"], values["sender_email"]
    if not isinstance(sender_name, str) or len(sender_name) > 80 or any(c in sender_name for c in "\r\n<>\""):
        errors["sender_name"] = N_("Up to 80 characters, without line breaks, quotes or angle brackets.")
    if not isinstance(sender_email, str) or (sender_email and not _EMAIL.match(sender_email)):
        errors["sender_email"] = N_("Enter an email address, or leave it empty.")
    out["sender_name"], out["sender_email"] = sender_name, sender_email


def _offers(errors: dict, path: str, value: Any) -> list | None:
    if not isinstance(value, list) or not all(isinstance(o, str) for o in value) or not set(value) <= set(OFFERS):
        errors[path] = N_("Choose from %(offers)s.", offers=", ".join(OFFERS))
        return None
    return [o for o in OFFERS if o in value]


def _trial_text(errors: dict, path: str, value: Any) -> str | None:
    if not isinstance(value, str) or len(value) > 200:
        errors[path] = N_("Up to 200 characters.")
        return None
    return value.strip()


_STAGE_FIELDS = {
    "enabled": _bool, "discount_enabled": _bool,
    "start_hours": lambda e, p, v: _int(e, p, v, 0, MAX_HOURS),
    "end_hours": lambda e, p, v: _int(e, p, v, 0, MAX_HOURS),
    "discount_percent": lambda e, p, v: _int(e, p, v, 1, 90),
    "discount_valid_days": lambda e, p, v: _int(e, p, v, 1, 30),
    "last_reminder_lead_hours": lambda e, p, v: _int(e, p, v, 1, 14 * 24),
    "offers": _offers,
    "trial_text": _trial_text,
}


def _stages(errors: dict, raw: Any, stages: dict) -> None:
    if not isinstance(raw, dict):
        errors["stages"] = N_("Send the stages as an object keyed \"1\", \"2\", \"3\".")
        return
    for key, fields in raw.items():
        if key not in stages or not isinstance(fields, dict):
            errors[f"stages.{key}"] = N_("Unknown stage.")
            continue
        stage = stages[key]
        for name, value in fields.items():
            path = f"stages.{key}.{name}"
            check = _STAGE_FIELDS.get(name)
            if name not in stage or check is None:
                errors[path] = N_("Unknown setting.")
            else:
                checked = check(errors, path, value)
                if path not in errors:
                    stage[name] = checked
        start, end = stage.get("start_hours"), stage.get("end_hours")
        if isinstance(start, int) and isinstance(end, int) and start >= end:
            errors[f"stages.{key}.end_hours"] = N_("The stage must end after it starts.")
