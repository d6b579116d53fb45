"""What each tier gets, pure: the merchant's perk settings, their defaults, and what Shopify is told.

A tier's slug (lower-case letters, digits and dashes) is how every other part names it: the customer tag
`flexchain-tier-<slug>`, the order priority tag, the warehouse's per-tier handling and the storefront cache.
Display names stay the merchant's own ("Gold", "Or", "金卡").
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from app.membership.tiers import Tier, earned
from app.translatable import N_

TAG_PREFIX = "flexchain-tier-"
PRIORITY_TAG_PREFIX = "flexchain-priority-"
MAX_DISCOUNT_PERCENT = Decimal(90)
MAX_HANDLING_HOURS = 24 * 30


class PerkError(ValueError):
    """A perk setting we cannot use; the message names the tier and the field."""


def tier_slug(name: str) -> str:
    """A stable ASCII slug from the name alone: accents folded, anything else becomes a dash; a name with
    no letter or digit we can keep (金卡) gets a short digest of itself, the same on every call."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:32].strip("-")
    return slug or "tier-" + hashlib.sha256(name.encode()).hexdigest()[:8]


def tag_for(name: str) -> str:
    return TAG_PREFIX + tier_slug(name)


@dataclass(frozen=True)
class Perk:
    discount_percent: Decimal | None = None  # a Shopify automatic discount for the tier's segment
    free_shipping: bool = False  # a Shopify free-shipping discount for the tier's segment...
    shipping_cap: Decimal | None = None  # ...covering rates up to this price (None: any rate)
    handling_hours: int | None = None  # the fulfilment target; None: the warehouse's standard
    priority: bool = False  # orders tagged and noted for the warehouse


# Defaults from the product brief: discounts exist but are off until the merchant enables them.
DEFAULT_BY_LEVEL_FROM_TOP = (
    Perk(discount_percent=Decimal(8), free_shipping=True, handling_hours=48, priority=True),  # top (Gold)
    Perk(discount_percent=Decimal(5), handling_hours=72, priority=True),  # next (Silver)
)


@dataclass(frozen=True)
class PerkSettings:
    by_tier: Mapping[str, Perk]
    discounts_enabled: bool = False

    def for_tier(self, name: str | None) -> Perk:
        return self.by_tier.get(name or "", Perk())


def default_perks(tiers: Sequence[Tier]) -> PerkSettings:
    ranked = list(reversed(tiers))
    by_tier = {}
    for n, tier in enumerate(ranked[:-1] if len(ranked) > 1 else []):
        if n < len(DEFAULT_BY_LEVEL_FROM_TOP):
            by_tier[tier.name] = DEFAULT_BY_LEVEL_FROM_TOP[n]
    return PerkSettings(by_tier)


def parse_perks(tiers: Sequence[Tier], raw: Mapping | None) -> PerkSettings:
    """{"discounts_enabled": bool, "tiers": {name: {...}}} as stored or submitted; None = the defaults."""
    if raw is None:
        return default_perks(tiers)
    if not isinstance(raw, Mapping):
        raise PerkError(N_("perks must be an object"))
    names = {t.name for t in tiers}
    given = raw.get("tiers") or {}
    if not isinstance(given, Mapping):
        raise PerkError(N_("perks.tiers must be an object keyed by tier name"))
    unknown = sorted(set(given) - names)
    if unknown:
        raise PerkError(N_("no tier named '%(name)s'", name=unknown[0]))
    by_tier = {name: _perk(name, item) for name, item in given.items()}
    return PerkSettings(by_tier, bool(raw.get("discounts_enabled", False)))


def _perk(name: str, item: object) -> Perk:
    if not isinstance(item, Mapping):
        raise PerkError(N_("%(tier)s: perks must be an object", tier=name))
    percent = _decimal(item.get("discount_percent"), N_("%(tier)s: discount", tier=name), Decimal(0),
                       MAX_DISCOUNT_PERCENT)
    cap = _decimal(item.get("shipping_cap"), N_("%(tier)s: shipping cap", tier=name), Decimal(0), Decimal(10**6))
    hours = item.get("handling_hours")
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, int)
                              or not 1 <= hours <= MAX_HANDLING_HOURS):
        raise PerkError(N_("%(tier)s: handling target is a whole number of hours from 1 to %(max)s", tier=name,
                            max=MAX_HANDLING_HOURS))
    return Perk(percent if percent else None, bool(item.get("free_shipping", False)), cap, hours,
                bool(item.get("priority", False)))


def _decimal(value: object, label: str, low: Decimal, high: Decimal) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise PerkError(N_("%(label)s must be a number", label=label)) from None
    if not number.is_finite() or not low <= number <= high:
        raise PerkError(N_("%(label)s must be from %(low)s to %(high)s", label=label, low=low, high=high))
    return number


def perks_json(settings: PerkSettings) -> dict:
    def one(perk: Perk) -> dict:
        out = asdict(perk)
        for key in ("discount_percent", "shipping_cap"):
            out[key] = None if out[key] is None else str(out[key])
        return out

    return {"discounts_enabled": settings.discounts_enabled,
            "tiers": {name: one(perk) for name, perk in settings.by_tier.items()}}


def member_metafield(tiers: Sequence[Tier], tier: str, since: datetime, spend: Decimal, currency: str) -> dict:
    """The customer metafield the storefront and Shopify Flow read: where the member stands and what the
    next tier needs. Amounts are strings in shop currency, as Shopify writes money."""
    level = earned(tiers, spend)
    current = next((n for n, t in enumerate(tiers) if t.name == tier), level)
    following = tiers[current + 1] if current + 1 < len(tiers) else None
    # "Over" a threshold needs one more cent than reaching it.
    step = Decimal("0.01") if following is not None and following.over else Decimal(0)
    to_next = None if following is None else max(Decimal(0), following.threshold - spend + step)
    return {
        "tier": tier,
        "tier_slug": tier_slug(tier),
        "since": since.isoformat(),
        "trailing_spend": str(spend.quantize(Decimal("0.01"))),
        "currency": currency,
        "next_tier": following.name if following else None,
        "to_next_tier": None if to_next is None else str(to_next.quantize(Decimal("0.01"))),
    }
