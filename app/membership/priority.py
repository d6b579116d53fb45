"""Fulfilment priority for members: their orders carry the tier's priority tag and a line in the order note
that the warehouse reads ("Flexchain Gold member: ship within 48 h").

Queued from `orders/create` once the event commits; the job re-reads the order and the member, so a
replay or a second run adds nothing (tagsAdd keeps one copy of a tag; the note line is added only when
absent). Routing Gold to the fastest complete warehouse is the supply engine's routing rule
(`routing_always_for_tiers`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.membership import perks as perks_mod
from app.membership.service import load_perks
from app.models import Membership, Order
from app.shopify.admin_api import AdminClient

log = logging.getLogger(__name__)

MAX_NOTE = 5000  # Shopify's limit on an order note


def note_line(tier: str, hours: int | None) -> str:
    return f"Flexchain {tier} member: ship within {hours} h" if hours else f"Flexchain {tier} member: priority"


def with_line(note: str | None, line: str) -> str | None:
    """The note with our line appended; None when it is already there (or would not fit)."""
    current = note or ""
    if line in current:
        return None
    combined = f"{current.rstrip()}\n{line}" if current.strip() else line
    return combined if len(combined) <= MAX_NOTE else None


def member_perk(session: Session, shop_id: int, customer_id: int | None):
    """(tier name, perk) of a member whose perks give priority; None otherwise."""
    if customer_id is None:
        return None
    tier = session.scalar(select(Membership.tier).where(Membership.shop_id == shop_id,
                                                        Membership.customer_shopify_id == customer_id))
    if tier is None:
        return None
    perk = load_perks(session, shop_id).for_tier(tier)
    return (tier, perk) if perk.priority else None


def schedule(session: Session, shop_id: int, order_id: int, customer_id: int | None,
             after_commit: list[Callable[[], None]]) -> bool:
    if member_perk(session, shop_id, customer_id) is None:
        return False

    def enqueue() -> None:
        from app.queue import enqueue as put

        try:
            put("worker.jobs.membership.prioritise_order", shop_id, order_id,
                job_id=f"priority-{shop_id}-{order_id}", shop_id=shop_id)
        except redis.RedisError:
            log.warning("could not queue the priority mark of order %s (shop %s)", order_id, shop_id)

    after_commit.append(enqueue)
    return True


def prioritise(session: Session, shop_id: int, client: AdminClient, order_id: int) -> str:
    order = session.scalar(select(Order).where(Order.shop_id == shop_id, Order.shopify_id == order_id))
    if order is None:
        return "unknown order"
    found = member_perk(session, shop_id, order.customer_shopify_id)
    if found is None:
        return "not a priority member"
    tier, perk = found
    order_gid = f"gid://shopify/Order/{order_id}"
    tag = perks_mod.PRIORITY_TAG_PREFIX + perks_mod.tier_slug(tier)
    # The note as Shopify holds it now: the merchant may have edited it since the webhook.
    current = (client.execute("OrderNote", {"id": order_gid}).get("order") or {})
    if not current:
        return "order gone"
    note = with_line(current.get("note"), note_line(tier, perk.handling_hours))
    if note is not None:
        client.execute("OrderPriority", {"id": order_gid, "tags": [tag], "input": {"id": order_gid, "note": note}})
    elif tag not in (current.get("tags") or []):
        client.execute("TagsAdd", {"id": order_gid, "tags": [tag]})
    else:
        return "already marked"
    return "marked"
