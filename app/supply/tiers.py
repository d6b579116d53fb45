"""A customer's membership tier, as the supply engine sees it.

Until the membership feature keeps its own ledger, the tier is the Shopify customer tag
`flexchain-tier-<name>` that membership writes. This is the one place that reads it, so when membership
gets its own table only this function changes.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Customer

TIER_TAG_PREFIX = "flexchain-tier-"
# Tier names end up in cache keys and in shopper-facing text: only plain slugs count as tiers.
_TIER_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def tier_from_tags(tags: str | None) -> str | None:
    """The first well-formed `flexchain-tier-<name>` tag's name (lower case); None when there is none.

    Shopify treats tags case-insensitively and separates them with commas."""
    for raw in (tags or "").split(","):
        tag = raw.strip().lower()
        if tag.startswith(TIER_TAG_PREFIX):
            name = tag[len(TIER_TAG_PREFIX):]
            if _TIER_NAME.match(name):
                return name
    return None


def customer_tier(session: Session, shop_id: int, customer_shopify_id: int | None) -> str | None:
    """The tier of this shop's customer, or None (anonymous, unknown, deleted or not a member)."""
    if customer_shopify_id is None:
        return None
    tags = session.scalar(select(Customer.tags).where(
        Customer.shop_id == shop_id, Customer.shopify_id == customer_shopify_id, Customer.deleted.is_(False)))
    return tier_from_tags(tags)
