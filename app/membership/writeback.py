"""Writing each member's tier back to Shopify: the tier tag (old tier tags removed) and the app-owned
`$app.membership` customer metafield (declared in shopify.app.toml), for many members per Admin API request.

Which members need it is the database's `writeback_due` flag, set whenever the tier or the spend changes.
A batch is read without locks (no row stays locked while Shopify answers), written, and its flags are
cleared only where the row still holds what was written; a member that changed meanwhile stays due and
goes in a later batch. Writing the same values twice changes nothing in Shopify, so a job killed
mid-batch or run twice is harmless. A customer Shopify no longer has is marked with the error and not
retried until its membership changes again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.membership import perks as perks_mod
from app.membership.service import load_settings
from app.models import Customer, Membership, Shop, utcnow
from app.shopify.admin_api import AdminClient, GraphQLErrors

log = logging.getLogger(__name__)

BATCH = 25  # metafieldsSet takes at most 25 metafields per call
METAFIELD_NAMESPACE = "$app"  # the namespace shopify.app.toml's [customer.metafields.app.*] declares
METAFIELD_KEY = "membership"

_TAGS_FIELDS = "node { id } userErrors { field message }"


@dataclass(frozen=True)
class Pending:
    membership_id: int
    customer_id: int
    tier: str
    since: datetime
    spend: Decimal
    add: str  # the tier tag
    remove: tuple[str, ...]  # other tier tags the customer may still carry
    metafield: str  # JSON


def build_document(batch: list[Pending]) -> tuple[str, dict]:
    """One mutation with an aliased tagsAdd (and tagsRemove where needed) per member and one metafieldsSet."""
    params, fields, variables = ["$metafields: [MetafieldsSetInput!]!"], [], {"metafields": []}
    for n, item in enumerate(batch):
        owner = f"gid://shopify/Customer/{item.customer_id}"
        params += [f"$id{n}: ID!", f"$add{n}: [String!]!"]
        fields.append(f"add{n}: tagsAdd(id: $id{n}, tags: $add{n}) {{ {_TAGS_FIELDS} }}")
        variables[f"id{n}"], variables[f"add{n}"] = owner, [item.add]
        if item.remove:
            params.append(f"$rm{n}: [String!]!")
            fields.append(f"rm{n}: tagsRemove(id: $id{n}, tags: $rm{n}) {{ {_TAGS_FIELDS} }}")
            variables[f"rm{n}"] = list(item.remove)
        variables["metafields"].append({"ownerId": owner, "namespace": METAFIELD_NAMESPACE, "key": METAFIELD_KEY,
                                        "type": "json", "value": item.metafield})
    fields.append("meta: metafieldsSet(metafields: $metafields) { metafields { id } "
                  "userErrors { field message code } }")
    document = f"mutation MembershipWriteBack({', '.join(params)}) {{\n  " + "\n  ".join(fields) + "\n}"
    return document, variables


def failures(batch: list[Pending], data: dict) -> dict[int, str]:
    """Member index -> the first error Shopify gave for any of that member's writes."""
    found: dict[int, str] = {}
    for alias, payload in data.items():
        errors = (payload or {}).get("userErrors") or []
        if not errors:
            continue
        if alias == "meta":
            for error in errors:
                field = error.get("field") or []
                index = int(field[1]) if len(field) > 1 and str(field[1]).isdigit() else None
                targets = [index] if index is not None and index < len(batch) else range(len(batch))
                for k in targets:
                    found.setdefault(k, error.get("message", "metafield refused"))
        else:
            found.setdefault(int(alias.lstrip("admr")), errors[0].get("message", "tags refused"))
    return found


def due_batch(session: Session, shop: Shop, limit: int = BATCH) -> list[Pending]:
    settings = load_settings(session, shop.id)
    all_tags = {perks_mod.tag_for(t.name) for t in settings.tiers}
    rows = session.execute(
        select(Membership, Customer.tags).outerjoin(Customer, (Customer.shop_id == Membership.shop_id) & (
            Customer.shopify_id == Membership.customer_shopify_id))
        .where(Membership.shop_id == shop.id, Membership.writeback_due.is_(True))
        .order_by(Membership.id).limit(limit)).all()
    batch = []
    for row, tags in rows:
        add = perks_mod.tag_for(row.tier)
        carried = {t.strip().lower() for t in (tags or "").split(",") if t.strip()} if tags is not None else None
        # Without our copy of the customer's tags, remove every other tier tag: removing an absent tag is a no-op.
        others = (all_tags if carried is None else {t for t in carried if t.startswith(perks_mod.TAG_PREFIX)})
        remove = tuple(sorted(t for t in others if t and t != add))
        value = perks_mod.member_metafield(settings.tiers, row.tier, row.tier_since, row.trailing_spend,
                                           shop.currency or "USD")
        batch.append(Pending(row.id, row.customer_shopify_id, row.tier, row.tier_since, row.trailing_spend, add,
                             remove, json.dumps(value, separators=(",", ":"))))
    return batch


def _settle(session: Session, shop_id: int, item: Pending, error: str | None, now: datetime) -> None:
    # Only if the row still says what we wrote: a change made meanwhile keeps it due for the next batch.
    session.execute(
        update(Membership).where(Membership.shop_id == shop_id, Membership.id == item.membership_id,
                                 Membership.tier == item.tier, Membership.trailing_spend == item.spend,
                                 Membership.tier_since == item.since)
        .values(writeback_due=False, writeback_error=error[:255] if error else None,
                **({} if error else {"written_tier": item.tier, "written_at": now}))
        .execution_options(synchronize_session=False))


def write_batch(session: Session, shop: Shop, client: AdminClient, batch: list[Pending],
                now: datetime | None = None) -> tuple[int, int]:
    """Write one batch; returns (written, refused). A batch Shopify refuses as a whole is split, so one bad
    customer id cannot hold back the others. Transient failures propagate (the job retries)."""
    now = now or utcnow()
    document, variables = build_document(batch)
    try:
        # Idempotent by design (tagsAdd, tagsRemove, metafieldsSet of fixed values): safe to resend after a
        # timeout or a 5xx even if Shopify applied the first attempt.
        data = client.request(document, variables, "MembershipWriteBack", idempotent=True)
    except GraphQLErrors as exc:
        if len(batch) == 1:
            _settle(session, shop.id, batch[0], f"Shopify refused the write: {exc}", now)
            return 0, 1
        half = len(batch) // 2
        first = write_batch(session, shop, client, batch[:half], now)
        second = write_batch(session, shop, client, batch[half:], now)
        return first[0] + second[0], first[1] + second[1]
    refused = failures(batch, data)
    if (data.get("meta") or {}).get("userErrors") and len(batch) > 1:
        # metafieldsSet saves all or nothing: write the others again without the members it named (or, when
        # it named none, in halves until the culprit is alone).
        named = [n for n in refused if n < len(batch)]
        if not named or len(named) == len(batch):
            half = len(batch) // 2
            first = write_batch(session, shop, client, batch[:half], now)
            second = write_batch(session, shop, client, batch[half:], now)
            return first[0] + second[0], first[1] + second[1]
        for n in named:
            _settle(session, shop.id, batch[n], refused[n], now)
        rest = write_batch(session, shop, client, [item for n, item in enumerate(batch) if n not in refused], now)
        return rest[0], rest[1] + len(named)
    for n, item in enumerate(batch):
        _settle(session, shop.id, item, refused.get(n), now)
    return len(batch) - len(refused), len(refused)


def write_back(session: Session, shop: Shop, client: AdminClient, *, limit: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Write every due member (or up to `limit`), committing after each batch so progress survives a crash."""
    written = refused = 0
    while limit is None or written + refused < limit:
        batch = due_batch(session, shop, BATCH if limit is None else min(BATCH, limit - written - refused))
        if not batch:
            break
        done, bad = write_batch(session, shop, client, batch)
        session.commit()
        written, refused = written + done, refused + bad
        if progress is not None:
            progress(written + refused, remaining(session, shop.id))
    return written, refused


def remaining(session: Session, shop_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Membership).where(
        Membership.shop_id == shop_id, Membership.writeback_due.is_(True))) or 0
