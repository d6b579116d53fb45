"""Primitive readers for Shopify webhook JSON: ids, money bags, timestamps, addresses, lines.

Bodies are parsed with `json.loads(..., parse_float=Decimal)`, so ids stay exact ints and amounts are
never floats. Every reader raises PayloadError with the field's path when the value is unusable.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.shopify.records import Address, LineRecord, Money

_GID_RE = re.compile(r"^gid://shopify/[A-Za-z]+/(\d+)(?:\?.*)?$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class PayloadError(ValueError):
    """The webhook body is not what the topic promises; retrying will not fix it."""


def load_json(body: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"body is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PayloadError("body is not a JSON object")
    return data


def obj(data: Any, key: str, *, required: bool = False) -> dict[str, Any] | None:
    value = data.get(key) if isinstance(data, dict) else None
    if value is None:
        if required:
            raise PayloadError(f"{key} is missing")
        return None
    if not isinstance(value, dict):
        raise PayloadError(f"{key} must be an object")
    return value


def items(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise PayloadError(f"{key} must be a list of objects")
    return value


def text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PayloadError(f"{key} must be a string")
    return str(value)


def flag(data: dict[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise PayloadError(f"{key} must be true or false")
    return value


def as_int(value: Any, where: str) -> int:
    """An id or count: an int, or a string of digits; never a float (it would have lost digits)."""
    if isinstance(value, bool):
        raise PayloadError(f"{where} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    if isinstance(value, str) and _GID_RE.match(value):
        return gid_number(value)
    raise PayloadError(f"{where} must be an integer, got {type(value).__name__}")


def opt_int(data: dict[str, Any], key: str) -> int | None:
    value = data.get(key)
    return None if value is None or value == "" else as_int(value, key)


def gid_number(gid: str) -> int:
    match = _GID_RE.match(gid or "")
    if not match:
        raise PayloadError(f"not a Shopify GID: {gid!r}")
    return int(match.group(1))


def resource_id(data: dict[str, Any], key: str = "id") -> int:
    """The resource id, from `admin_graphql_api_id` when present (exact even where a JSON tool rounded `id`)."""
    gid = data.get("admin_graphql_api_id")
    if isinstance(gid, str) and _GID_RE.match(gid):
        return gid_number(gid)
    if data.get(key) is None:
        raise PayloadError(f"{key} is missing")
    return as_int(data[key], key)


def decimal(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise PayloadError(f"{where} must be a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise PayloadError(f"{where} must be a number, got {value!r}") from exc
    if not amount.is_finite():
        raise PayloadError(f"{where} must be finite")
    return amount


def currency(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _CURRENCY_RE.match(value.upper()):
        raise PayloadError(f"{where} must be a three-letter currency code")
    return value.upper()


def money(data: dict[str, Any], key: str, fallback_currency: str | None = None) -> Money | None:
    """Shop money from `<key>_set.shop_money`; else the bare `<key>` amount in the fallback currency."""
    bag = obj(data, f"{key}_set")
    if bag is not None:
        shop = obj(bag, "shop_money", required=True)
        return Money(decimal(shop.get("amount"), f"{key}_set.shop_money.amount"),
                     currency(shop.get("currency_code"), f"{key}_set.shop_money.currency_code"))
    if data.get(key) is None:
        return None
    if fallback_currency is None:
        raise PayloadError(f"{key} has no currency")
    return Money(decimal(data[key], key), currency(fallback_currency, "currency"))


def timestamp(data: dict[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{key} must be an ISO 8601 timestamp")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise PayloadError(f"{key} is not an ISO 8601 timestamp: {value!r}") from exc
    if parsed.tzinfo is None:
        raise PayloadError(f"{key} has no UTC offset: {value!r}")
    return parsed.astimezone(UTC)


def address(data: dict[str, Any] | None) -> Address | None:
    if not data:
        return None

    def coord(key: str) -> float | None:
        value = data.get(key)
        return None if value is None else float(decimal(value, key))

    return Address(
        address1=text(data, "address1"), city=text(data, "city"), province_code=text(data, "province_code"),
        country_code=text(data, "country_code"), zip=text(data, "zip"),
        latitude=coord("latitude"), longitude=coord("longitude"),
    )


def lines(data: dict[str, Any], fallback_currency: str | None, key: str = "line_items") -> tuple[LineRecord, ...]:
    out = []
    for i, line in enumerate(items(data, key)):
        where = f"{key}[{i}]"
        price = money(line, "price", fallback_currency)
        if price is None:
            raise PayloadError(f"{where}.price is missing")
        quantity = line.get("quantity")
        if quantity is None:
            raise PayloadError(f"{where}.quantity is missing")
        line_id = line.get("id")
        out.append(LineRecord(
            shopify_id=resource_id(line) if isinstance(line_id, int) or line.get("admin_graphql_api_id") else None,
            variant_id=opt_int(line, "variant_id"),
            product_id=opt_int(line, "product_id"),
            sku=text(line, "sku"),
            title=text(line, "title") or "",
            quantity=as_int(quantity, f"{where}.quantity"),
            price=price,
        ))
    return tuple(out)


def tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(t).strip() for t in value if str(t).strip())
    if not isinstance(value, str):
        raise PayloadError("tags must be a string")
    return tuple(t.strip() for t in value.split(",") if t.strip())
