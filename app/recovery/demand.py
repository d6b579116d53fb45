"""Cart demand signals (pure): what a cart update added and took away, per variant.

Carts carry no contact details, so they never become recovery cases; what they say is demand: units put in
carts and units dropped again, counted per day, variant and region (see `demand_store`).
"""

from __future__ import annotations

from collections.abc import Iterable

UNKNOWN_REGION = "ZZ"  # CLDR's "unknown region": the cart never reached a checkout with an address


def quantities(lines: Iterable[tuple[int | None, int]]) -> dict[int, int]:
    """Units per variant; lines without a variant (custom items) say nothing about the catalogue."""
    out: dict[int, int] = {}
    for variant, quantity in lines:
        if variant is not None and quantity > 0:
            out[variant] = out.get(variant, 0) + quantity
    return out


def changes(before: dict[int, int], after: dict[int, int]) -> dict[int, tuple[int, int]]:
    """(carted, dropped) units per variant between two versions of one cart; unchanged variants are left out."""
    out: dict[int, tuple[int, int]] = {}
    for variant in before.keys() | after.keys():
        diff = after.get(variant, 0) - before.get(variant, 0)
        if diff > 0:
            out[variant] = (diff, 0)
        elif diff < 0:
            out[variant] = (0, -diff)
    return out


def region_of(address: dict | None) -> str:
    code = (address or {}).get("country_code")
    return code.upper() if isinstance(code, str) and len(code) == 2 and code.isalpha() else UNKNOWN_REGION
