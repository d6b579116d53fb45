"""Traceability jobs: publish a product's passport metafield. Takes ids; running it twice writes the same value."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app.traceability.publish import publish
from worker.jobs.shop_client import with_shop_client

log = logging.getLogger(__name__)


def publish_passport(shop_id: int, product_id: int) -> str:
    def work(session, shop, client):
        written = publish(session, shop, client, product_id, datetime.now(UTC))
        return "published" if written is not None else "no_product"

    return with_shop_client("passport publish", shop_id, work)
