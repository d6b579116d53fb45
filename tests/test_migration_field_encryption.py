"""0017_field_encryption on a database with rows: encrypts what is there, indexes it, and decrypts it back."""

from __future__ import annotations

import json

from sqlalchemy import create_engine, text

from app.config import set_active_config
from app.field_crypto import keys_for
from app.migrate import downgrade, upgrade
from tests.conftest import make_config
from tests.support.scratch_db import scratch_database

ADDRESS = {"address1": "12 Rue des Lilas", "city": "Lyon", "zip": "69003", "country_code": "FR"}


SEED = [
    "INSERT INTO shops (id, domain, status, scopes, timezone, currency, created_at, updated_at) "
    "VALUES (1, 'm.myshopify.com', 'installed', '', 'UTC', 'USD', now(), now())",
    "INSERT INTO customers (id, shop_id, shopify_id, email, phone, tags, deleted, created_at, updated_at) "
    "VALUES (1, 1, 11, 'Ann@Example.com', '+33 6 12 34 56 78', '', false, now(), now())",
    "INSERT INTO orders (id, shop_id, shopify_id, email, currency, total_price, total_refunded, tags, test, "
    "shipping_address, created_at, updated_at) VALUES (1, 1, 21, 'ann@example.com', 'USD', 10, 0, '', false, "
    "CAST(:address AS json), now(), now())",
    "INSERT INTO orders (id, shop_id, shopify_id, email, currency, total_price, total_refunded, tags, test, "
    "shipping_address, created_at, updated_at) VALUES (2, 1, 22, NULL, 'USD', 10, 0, '', false, 'null', now(), now())",
    "INSERT INTO checkouts (id, shop_id, token, email, phone, buyer_accepts_marketing, buyer_accepts_sms_marketing, "
    "currency, total_price, shipping_address, created_at, updated_at) VALUES (1, 1, 'tok', 'ANN@example.com', "
    "'+33612345678', false, false, 'USD', 10, CAST(:address AS json), now(), now())",
    "INSERT INTO recovery_cases (id, shop_id, checkout_id, status, email, repeat_abandoner, high_value, created_at, "
    "updated_at) VALUES (1, 1, 1, 'abandoned', 'ann@example.com', false, false, now(), now())",
    "INSERT INTO recovery_messages (id, shop_id, case_id, stage, kind, email, state, scheduled_for, not_after, "
    "attempts, created_at, updated_at) VALUES (1, 1, 1, 1, 'timed', 'ann@example.com', 'sent', now(), now(), 1, "
    "now(), now()), (2, 1, 1, 2, 'timed', '', 'cancelled', now(), now(), 0, now(), now())",
    "INSERT INTO recovery_opt_outs (id, shop_id, email, created_at) VALUES (1, 1, 'ann@example.com', now())",
    "INSERT INTO spend_entries (id, shop_id, kind, source_id, order_shopify_id, email, amount, currency, "
    "occurred_at, created_at) VALUES (1, 1, 'paid', 21, 21, 'ann@example.com', 10, 'USD', now(), now())",
    "INSERT INTO data_exports (id, shop_id, request_id, payload, created_at) "
    "VALUES (1, 1, 'r1', '{\"customers\": [{\"email\": \"Ann@Example.com\"}]}', now())",
]


def _dump(conn) -> str:
    tables = ("customers", "orders", "checkouts", "recovery_cases", "recovery_messages", "recovery_opt_outs",
              "spend_entries", "data_exports")
    return " ".join(str(row) for t in tables for row in conn.execute(text(f"SELECT * FROM {t}")))  # noqa: S608


def test_upgrade_encrypts_existing_rows_and_downgrade_decrypts_them():
    url = scratch_database("fieldenc")
    config = make_config(database_url=url)
    set_active_config(config)  # the migration takes its keys from the app's settings
    try:
        _round_trip(url, keys_for(config))
    finally:
        set_active_config(make_config())


def _round_trip(url: str, keys) -> None:
    upgrade(url, "0016_lane_region_key")
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in SEED:
            conn.execute(text(statement), {"address": json.dumps(ADDRESS)} if ":address" in statement else {})

    upgrade(url, "0017_field_encryption")
    with engine.connect() as conn:
        dump = _dump(conn).lower()
        assert "ann@example.com" not in dump and "lyon" not in dump and "12 34 56" not in dump
        email, email_hash, phone, phone_hash = conn.execute(text(
            "SELECT email, email_hash, phone, phone_hash FROM customers")).one()
        assert keys.decrypt(email) == "Ann@Example.com" and email_hash == keys.email_index("ann@example.com")
        assert keys.decrypt(phone) == "+33 6 12 34 56 78" and phone_hash == keys.phone_index("+33612345678")
        address, = conn.execute(text("SELECT shipping_address FROM orders WHERE id = 1")).one()
        assert json.loads(keys.decrypt(address)) == ADDRESS
        assert conn.execute(text("SELECT shipping_address FROM orders WHERE id = 2")).scalar() is None
        # Every table's index of one address agrees, so lookups join across them.
        hashes = {conn.execute(text(f"SELECT email_hash FROM {t} WHERE id = 1")).scalar()  # noqa: S608
                  for t in ("customers", "orders", "checkouts", "recovery_cases", "recovery_messages",
                            "recovery_opt_outs", "spend_entries")}
        assert hashes == {keys.email_index("ann@example.com")}
        assert conn.execute(text("SELECT email, email_hash FROM recovery_messages WHERE id = 2")).one() == ("", None)

    downgrade(url, "0016_lane_region_key")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT email, phone FROM customers")).one() == ("Ann@Example.com",
                                                                                "+33 6 12 34 56 78")
        assert conn.execute(text("SELECT shipping_address FROM checkouts")).scalar() == ADDRESS
        assert conn.execute(text("SELECT email FROM spend_entries")).scalar() == "ann@example.com"
        assert conn.execute(text("SELECT payload FROM data_exports")).scalar() == {
            "customers": [{"email": "Ann@Example.com"}]}
        assert conn.execute(text("SELECT email FROM recovery_opt_outs")).scalar() == "ann@example.com"
    engine.dispose()
