"""Traceability jobs: publish a product's passport metafield. Takes ids; running it twice writes the same value."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app.extensions import db
from app.models import Shop, ShopStatus
from app.shopify.admin_api import AdminClient
from app.shopify.tokens import ReauthorizationRequired, ShopNotInstalled
from app.traceability.publish import publish

log = logging.getLogger(__name__)


def publish_passport(shop_id: int, product_id: int) -> str:
    with db.session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None or shop.status != ShopStatus.INSTALLED:
            return "skipped"
    client = AdminClient.for_shop(shop)
    try:
        with db.session(shop_id=shop_id) as session:
            written = publish(session, shop, client, product_id, datetime.now(UTC))
        return "published" if written is not None else "no_product"
    except (ShopNotInstalled, ReauthorizationRequired) as exc:
        log.warning("passport of product %s (shop %s) not published: %s", product_id, shop_id, exc)
        return "needs_reauth"
    finally:
        client.close()
