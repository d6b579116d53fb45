"""Keep a product's app-owned passport metafield current (Admin GraphQL `metafieldsSet`).

The value is rebuilt from the database each time, so publishing twice, or out of order, leaves the
metafield equal to the chain as it is now.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Shop, Variant
from app.shopify.admin_api import AdminClient
from app.supply.types import Destination
from app.traceability import service, urls
from app.traceability.passport import metafield_value

log = logging.getLogger(__name__)

NAMESPACE = "$app"  # Shopify resolves it to this app's reserved namespace
KEY = "passport"


def shipping_kg(session: Session, shop_id: int, product_id: int, now: datetime,
                country: str | None = None) -> float | None:
    """The supply engine's estimate for the product's first variant to the shopper's country when it is
    known (an ISO code), else to the shop's own country."""
    from app.supply import service as supply

    variant_id = session.scalar(select(Variant.shopify_id).join(Variant.product)
                                .where(Variant.product.has(shopify_id=product_id)).order_by(Variant.shopify_id))
    if variant_id is None:
        return None
    try:
        destination = Destination(country=country) if country else None
        answer = supply.storefront_answer(session, shop_id, variant_id, 1, destination, tier=None, now=now)
    except supply.UnknownVariant:
        return None
    return answer.kg_co2e


def publish(session: Session, shop: Shop, client: AdminClient, product_id: int, now: datetime) -> dict | None:
    """Write the metafield; returns the value written (None when the product is gone)."""
    found = service.passport(session, shop, product_id, urls.jwks_uri(shop.domain))
    if found is None:
        return None
    value = metafield_value(product_id, found.document["records"], found.verification.ok,
                            shipping_kg(session, shop.id, product_id, now))
    if not found.verification.ok:
        log.error("passport of product %s (shop %s) does not verify: %s", product_id, shop.id,
                  found.verification.problem)
    client.execute("MetafieldsSet", {"metafields": [{
        "ownerId": f"gid://shopify/Product/{product_id}", "namespace": NAMESPACE, "key": KEY, "type": "json",
        "value": json.dumps(value, ensure_ascii=False, separators=(",", ":")),
    }]})
    return value
