"""A customer's membership tier, as the supply engine sees it: the tier's slug (`gold`).

Membership's own row comes first; a customer without one may still carry a `flexchain-tier-<slug>` tag
(written back by membership before a reinstall, or set by the merchant by hand), which counts too.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.membership.perks import tier_slug
from app.models import Customer, Membership

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
    # One round trip for both sources: this runs on every storefront request of a logged-in shopper.
    member, tags = session.execute(select(
        select(Membership.tier).where(Membership.shop_id == shop_id,
                                      Membership.customer_shopify_id == customer_shopify_id).scalar_subquery(),
        select(Customer.tags).where(Customer.shop_id == shop_id, Customer.shopify_id == customer_shopify_id,
                                    Customer.deleted.is_(False)).scalar_subquery(),
    )).one()
    return tier_slug(member) if member is not None else tier_from_tags(tags)


def customer_tiers(session: Session, shop_id: int, customer_ids: list[int]) -> dict[int, str]:
    """customer_tier for many customers, in two queries."""
    found = {cid: tier_slug(name) for cid, name in session.execute(select(
        Membership.customer_shopify_id, Membership.tier).where(
        Membership.shop_id == shop_id, Membership.customer_shopify_id.in_(customer_ids)))}
    rest = [cid for cid in customer_ids if cid not in found]
    if rest:
        for cid, tags in session.execute(select(Customer.shopify_id, Customer.tags).where(
                Customer.shop_id == shop_id, Customer.shopify_id.in_(rest), Customer.deleted.is_(False))):
            tier = tier_from_tags(tags)
            if tier is not None:
                found[cid] = tier
    return found
