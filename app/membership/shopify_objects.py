"""The Shopify objects tier perks live in: one customer segment per tier (members carry the tier tag), and
per tier an automatic percentage discount and a free-shipping discount restricted to that segment.

They are made from the tiers and perks the merchant saved. A digest of those settings tells whether
anything must change; each object's id is committed as soon as Shopify returns it, so a run that dies
half-way resumes without creating a second segment or discount, and a segment whose creation got no clear
answer is found by its name before another is made. Turning a perk off deletes its discount.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.membership import perks as perks_mod
from app.membership.service import load_settings, settings_row
from app.models import MembershipSettings, Shop, utcnow
from app.shopify.admin_api import AdminApiOutcomeUnknown, AdminApiUnavailable, AdminClient, UserErrors

log = logging.getLogger(__name__)

SEGMENT_NAME = "Flexchain {tier}"


def desired(settings, perk_settings: perks_mod.PerkSettings) -> dict:
    """What Shopify should hold, by tier slug (pure)."""
    out = {}
    for tier in settings.tiers:
        perk = perk_settings.for_tier(tier.name)
        on = perk_settings.discounts_enabled
        out[perks_mod.tier_slug(tier.name)] = {
            "name": tier.name,
            "query": f"customer_tags CONTAINS '{perks_mod.tag_for(tier.name)}'",
            "percent": str(perk.discount_percent) if on and perk.discount_percent else None,
            "shipping": ({"cap": None if perk.shipping_cap is None else str(perk.shipping_cap)}
                         if on and perk.free_shipping else None),
        }
    return out


def digest(wanted: dict) -> str:
    return hashlib.sha256(json.dumps(wanted, sort_keys=True).encode()).hexdigest()


def _remember(session: Session, row: MembershipSettings, ids: dict) -> None:
    row.shopify_ids = json.loads(json.dumps(ids))  # a new object, so the JSON column sees the change
    session.commit()


def sync(session: Session, shop: Shop, client: AdminClient, now: datetime | None = None) -> str:
    """Bring segments and discounts in line with the saved settings; "current" when nothing had to change."""
    now = now or utcnow()
    settings = load_settings(session, shop.id)
    row = settings_row(session, shop.id)
    wanted = desired(settings, perks_mod.parse_perks(settings.tiers, row.perks))
    if row.shopify_digest == digest(wanted):
        return "current"
    ids = json.loads(json.dumps(row.shopify_ids or {}))
    ids.setdefault("segments", {})
    ids.setdefault("discounts", {})
    for slug, want in wanted.items():
        segment = _segment(client, ids["segments"].get(slug), want)
        if ids["segments"].get(slug) != segment:
            ids["segments"][slug] = segment
            _remember(session, row, ids)
        held = ids["discounts"].setdefault(slug, {})
        for kind in ("percent", "shipping"):
            new_id = _discount(client, kind, held.get(kind), want, segment, shop, now)
            if held.get(kind) != new_id:
                held[kind] = new_id
                _remember(session, row, ids)
    for slug in [s for s in ids["discounts"] if s not in wanted]:  # a tier the merchant removed
        for kind in ("percent", "shipping"):
            _delete(client, ids["discounts"][slug].get(kind))
        del ids["discounts"][slug]
        _remember(session, row, ids)
    row.shopify_digest = digest(wanted)
    _remember(session, row, ids)
    return "updated"


def _segment(client: AdminClient, segment_id: str | None, want: dict) -> str:
    name = SEGMENT_NAME.format(tier=want["name"])
    if segment_id is not None:
        try:
            client.execute("SegmentUpdate", {"id": segment_id, "name": name, "query": want["query"]})
            return segment_id
        except UserErrors as exc:
            log.info("tier segment %s could not be updated (%s); creating it again", segment_id, exc)
    try:
        data = client.execute("SegmentCreate", {"name": name, "query": want["query"]})
        return data["segmentCreate"]["segment"]["id"]
    except UserErrors as exc:
        # The name is Shopify's unique key: a segment of ours from an earlier install, or from a run whose
        # answer was lost, holds it. It is adopted, not doubled under another name.
        if "taken" not in str(exc).lower():
            raise
        refusal: Exception = exc
    except AdminApiOutcomeUnknown as exc:
        refusal = exc  # Shopify may have made it: look before making another
    found = _segment_named(client, name)
    if found is None:
        raise AdminApiUnavailable(f"segment {name!r}: {refusal}; not found by name, retried later") from refusal
    client.execute("SegmentUpdate", {"id": found, "name": name, "query": want["query"]})
    return found


def _segment_named(client: AdminClient, name: str) -> str | None:
    quoted = name.replace("\\", "\\\\").replace("'", "\\'")
    data = client.execute("SegmentsByName", {"query": f"name:'{quoted}'"})
    # Shopify's search is loose (case, words): only the exact name is ours.
    return next((n["id"] for n in data["segments"]["nodes"] if n["name"] == name), None)


def _discount(client: AdminClient, kind: str, existing: str | None, want: dict, segment: str, shop: Shop,
              now: datetime) -> str | None:
    value = want[kind]
    if value is None:
        _delete(client, existing)
        return None
    context = {"customerSegments": {"add": [segment]}}
    if kind == "percent":
        operation = "DiscountAutomaticBasic"
        payload = {"title": f"{want['name']} members: {value}% off", "context": context,
                   "customerGets": {"value": {"percentage": float(Decimal(value) / 100)}, "items": {"all": True}},
                   "combinesWith": {"shippingDiscounts": True}}
    else:
        operation = "DiscountAutomaticFreeShipping"
        payload = {"title": f"{want['name']} members: free shipping", "context": context,
                   "destination": {"all": True}, "combinesWith": {"productDiscounts": True}}
        if value["cap"] is not None:
            payload["maximumShippingPrice"] = value["cap"]
    root = "discountAutomaticBasic" if kind == "percent" else "discountAutomaticFreeShipping"
    if existing is not None:
        try:
            client.execute(f"{operation}Update", {"id": existing, "discount": payload})
            return existing
        except UserErrors as exc:
            # Deleted by the merchant in Shopify admin, most likely: the perk is still on, so make it again.
            log.info("tier discount %s could not be updated (%s); creating it again", existing, exc)
    data = client.execute(f"{operation}Create", {"discount": {**payload, "startsAt": now.isoformat()}})
    return data[f"{root}Create"]["automaticDiscountNode"]["id"]


def _delete(client: AdminClient, discount_id: str | None) -> None:
    if discount_id is None:
        return
    try:
        client.execute("DiscountAutomaticDelete", {"id": discount_id})
    except UserErrors as exc:
        # Already deleted by the merchant in Shopify admin: the goal is reached.
        log.info("tier discount %s was already gone (%s)", discount_id, exc)
