"""Recovery fixtures: a real SMTP server, the simulator, a small store, and signed checkout/order webhooks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.devshop.sender import build_payload
from app.extensions import db
from app.models import RecoverySettings
from app.recovery.settings import validate
from tests.conftest import make_config
from tests.store.factories import SHOP
from tests.supply.orders_factories import LA, NEWARK, RENO, V1, build_store, iso, poster
from tests.support.smtp import smtp_server

LANES_US = [
    {"location_shopify_id": RENO, "country": "US", "service_level": "standard", "min_days": 1, "max_days": 2,
     "price": Decimal("6.50"), "currency": "USD"},
    {"location_shopify_id": NEWARK, "country": "US", "service_level": "standard", "min_days": 2, "max_days": 5,
     "price": Decimal("9.00"), "currency": "USD"},
]
# Quiet hours are switched off unless a test is about them: the tests run at any time of day.
BASE_SETTINGS = {"holdout_percent": 0, "quiet_start": "00:00", "quiet_end": "00:00"}


@pytest.fixture
def smtp():
    with smtp_server() as (url, inbox):
        yield url, inbox


@pytest.fixture
def inbox(smtp):
    return smtp[1]


@pytest.fixture
def config(migrated_database, redis_url, smtp, simulator):
    return make_config(smtp_url=smtp[0], shopify_admin_base_url=simulator)


@pytest.fixture
def post(app):
    yield from poster(app)


def set_settings(shop_id: int, **values) -> dict:
    merged = validate({**BASE_SETTINGS, **values})
    with db.session() as s:
        row = s.query(RecoverySettings).filter_by(shop_id=shop_id).one_or_none()
        if row is None:
            s.add(RecoverySettings(shop_id=shop_id, values=merged))
        else:
            row.values = merged
    return merged


@pytest.fixture
def store(app):
    shop_id = build_store(lanes=LANES_US)
    set_settings(shop_id)
    return shop_id


def checkout_payload(token: str, *, email: str | None = "shopper@example.com", updated: datetime | None = None,
                     lines=((V1, 1),), address=LA, customer_id: int | None = None, locale: str | None = "en",
                     accepts_marketing: bool = True, total: str = "50.00", **overrides) -> dict:
    updated = updated or datetime.now(UTC) - timedelta(hours=2)
    line_items = [{"variant_id": v, "product_id": 5, "title": "Jacket", "quantity": q, "price": "50.00",
                   "sku": f"SKU-{v}", "key": f"k{v}"} for v, q in lines]
    values = {
        "id": abs(hash(token)) % 10**9, "token": token, "cart_token": f"cart-{token}", "email": email,
        "buyer_accepts_marketing": accepts_marketing, "customer_locale": locale, "currency": "USD",
        "presentment_currency": "USD", "total_price": total, "subtotal_price": total,
        "created_at": iso(updated - timedelta(minutes=5)), "updated_at": iso(updated), "completed_at": None,
        "closed_at": None, "shipping_address": address, "line_items": line_items,
        "abandoned_checkout_url": f"https://{SHOP}/1/checkouts/{token}/recover?key=k-{token}",
        "customer": {"id": customer_id, "email": email} if customer_id else None,
    }
    values.update(overrides)
    return build_payload("checkouts/update", shop_domain=SHOP, **values)

