"""Emails, phones and addresses are encrypted at rest; lookups find them by blind index; keys rotate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Text, select, type_coerce

from app import create_app
from app.devshop.sender import build_payload
from app.extensions import db
from app.field_crypto import FieldKeys, email_index, keys_for
from app.models import Customer, DataExport, Order, RecoveryCase, RecoveryMessage, RecoveryOptOut
from app.models.base import utcnow
from app.models.recovery import SendState
from app.privacy.field_rotation import rotate_fields
from app.recovery import links
from tests.conftest import API_SECRET, ENCRYPTION_KEY, make_config
from tests.dashboard.conftest import SHOP as ADMIN_SHOP
from tests.dashboard.conftest import admin, document  # noqa: F401 - the admin fixture, used by name
from tests.privacy import seed as s
from tests.privacy.scan import find_stored
from tests.store.factories import SHOP, make_shop, run_worker
from worker.jobs.privacy import clear_bodies

IN_THE_CLEAR = [s.EMAIL.lower(), s.PHONE, s.PHONE.lstrip("+"), s.ADDRESS1, s.CITY, s.ZIP, s.OTHER_EMAIL]


def test_no_email_phone_or_address_is_stored_in_the_clear(post, shop_id):
    s.seed(post, shop_id)
    request = build_payload("customers/data_request", shop_domain=SHOP,
                            customer={"id": s.CUSTOMER, "email": s.EMAIL, "phone": s.PHONE})
    post("customers/data_request", request, webhook_id="dr")
    run_worker()
    # Processed webhook bodies still hold what Shopify sent until the sweep empties them.
    assert ("webhook_events", "body", s.EMAIL.lower()) in find_stored([s.EMAIL])
    assert clear_bodies(now=utcnow()) == 0  # not before the grace period
    assert clear_bodies(now=utcnow() + timedelta(minutes=10)) > 0

    assert find_stored(IN_THE_CLEAR) == []
    # ... and everything is still there for the app, decrypted on the way out.
    with db.session(shop_id=shop_id) as session:
        customer = session.scalar(select(Customer).where(Customer.shopify_id == s.CUSTOMER))
        assert (customer.email, customer.phone) == (s.EMAIL, s.PHONE)
        order = session.scalar(select(Order).where(Order.shopify_id == s.ORDER))
        assert (order.email, order.shipping_address["city"]) == (s.EMAIL, s.CITY)
        export = session.scalar(select(DataExport))
        assert [c["email"] for c in export.payload["customers"]] == [s.EMAIL]
        assert "email_hash" not in export.payload["customers"][0]
        stored = session.scalar(select(type_coerce(Customer.email, Text)).where(Customer.shopify_id == s.CUSTOMER))
        assert stored.startswith("gAAAA") and s.EMAIL not in stored


def test_field_keys_round_trip_rotate_and_keep_the_blind_index_stable():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = FieldKeys((old,))
    token = before.encrypt("Ann@Example.com")
    assert token != before.encrypt("Ann@Example.com")  # randomised: equal emails do not show as equal tokens
    assert before.decrypt(token) == "Ann@Example.com"
    # The field key is derived for its purpose: the raw ENCRYPTION_KEY (the tokens' key) cannot read it.
    with pytest.raises(Exception):  # noqa: B017,PT011 - cryptography's InvalidToken
        Fernet(old.encode()).decrypt(token.encode())

    during = FieldKeys((new, old))  # a new key in front, the old one still listed
    rotated = during.rotate(token)
    assert during.decrypt(token) == during.decrypt(rotated) == "Ann@Example.com"
    after = FieldKeys((new,))
    assert after.decrypt(rotated) == "Ann@Example.com"
    with pytest.raises(ValueError, match="ENCRYPTION_KEY"):
        after.decrypt(token)

    index = before.email_index("Ann@Example.com")
    assert index == before.email_index("  ann@example.COM ") == during.email_index("ann@example.com")
    # Retiring the oldest key: moved to BLIND_INDEX_KEY, every stored index still matches.
    assert FieldKeys((new,), blind_index_key=old).email_index("ann@example.com") == index
    assert after.email_index("ann@example.com") != index
    assert before.phone_index("+1 (555) 010-4242") == before.phone_index("15550104242")
    assert before.email_index("") is None and before.phone_index(None) is None


def test_rotate_keys_re_encrypts_stored_fields_and_lookups_keep_working(app):
    shop_id = make_shop()
    with db.session(shop_id=shop_id) as session:
        session.add(Customer(shop_id=shop_id, shopify_id=1, email="Ann@Example.com", phone="+1 555 0100"))
        session.add(Order(shop_id=shop_id, shopify_id=2, email="ann@example.com", currency="USD", total_price=5,
                          shipping_address={"city": "Lyon", "country_code": "FR"}))
    index = email_index("ann@example.com")
    new = Fernet.generate_key().decode()
    rotating = make_config(encryption_keys=(new, ENCRYPTION_KEY))
    try:
        create_app(rotating)
        with db.session() as session:
            counts = rotate_fields(session, keys_for(rotating))
        assert counts["customers"] == 1 and counts["orders"] == 1
        create_app(make_config(encryption_keys=(new,), blind_index_key=ENCRYPTION_KEY))  # old key retired
        only_new = FieldKeys((new,))
        with db.session(shop_id=shop_id) as session:
            stored = session.execute(select(type_coerce(Customer.email, Text), Customer.email_hash)).one()
            assert only_new.decrypt(stored[0]) == "Ann@Example.com" and stored[1] == index
            found = session.scalar(select(Customer).where(Customer.email_hash == email_index(" ANN@example.com")))
            assert (found.email, found.phone) == ("Ann@Example.com", "+1 555 0100")
            order = session.scalar(select(Order).where(Order.email_hash == index))
            assert order.shipping_address == {"city": "Lyon", "country_code": "FR"}
    finally:
        create_app(make_config())


def test_comparing_an_encrypted_column_is_refused_rather_than_silently_matching_nothing():
    with pytest.raises(TypeError, match="blind index"):
        select(Customer).where(Customer.email == "ann@example.com")
    with pytest.raises(TypeError, match="blind index"):
        select(RecoveryOptOut).where(RecoveryOptOut.email.in_(["ann@example.com"]))


def test_unsubscribe_cancels_every_message_to_that_address_found_by_its_index(app, post, shop_id):
    s.seed(post, shop_id)  # a scheduled stage-2 message to the customer
    with db.session(shop_id=shop_id) as session:
        session.execute(RecoveryOptOut.__table__.delete())  # not yet unsubscribed
    url = links.unsubscribe_url("http://127.0.0.1:8000", API_SECRET, shop_id, s.EMAIL)
    response = app.test_client().post(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200 and b"Unsubscribed" in response.data
    with db.session(shop_id=shop_id) as session:
        (opt_out,) = session.scalars(select(RecoveryOptOut)).all()
        assert opt_out.email == s.EMAIL.lower() and opt_out.email_hash == email_index(s.EMAIL)
        states = dict(session.execute(select(RecoveryMessage.stage, RecoveryMessage.state)).all())
        assert states == {1: SendState.SENT, 2: SendState.CANCELLED}


def test_repeat_abandoners_and_guest_orders_are_matched_by_email_whatever_its_case(post, shop_id):
    s.seed(post, shop_id)
    with db.session(shop_id=shop_id) as session:
        cases = session.scalars(select(RecoveryCase)).all()
        # Both checkouts carry the customer's email; the case keeps it lower-cased, its index beside it.
        assert {c.email for c in cases} == {s.EMAIL.lower()}
        assert {c.email_hash for c in cases} == {email_index(s.EMAIL)}
    # A guest order with the customer's email in another case and with spaces joins the customer's spend.
    guest = s.order(8880003, s.CUSTOMER, f"  {s.EMAIL.upper()} ", None)
    guest["customer"] = None
    post("orders/paid", guest, webhook_id="o-guest")
    run_worker()
    from app.membership import ledger
    from app.models import Shop

    with db.session(shop_id=shop_id) as session:
        shop = session.get(Shop, shop_id)
        spend = ledger.spend(session, shop, utcnow() - timedelta(days=3650), [s.CUSTOMER])[s.CUSTOMER]
        mine = session.scalar(select(Order.total_price).where(Order.shopify_id == s.ORDER))
        theirs = session.scalar(select(Order.total_price).where(Order.shopify_id == 8880003))
        assert spend == mine + theirs


def test_admin_search_finds_a_customer_by_the_whole_email_in_any_case_not_by_a_part(request):
    client = request.getfixturevalue("admin")  # the dashboard tests' embedded-admin client
    shop_id = client.shop_ids[ADMIN_SHOP]
    with db.session(shop_id=shop_id) as session:
        session.add(Customer(shop_id=shop_id, shopify_id=71, email="Ria.Mendel@example.org", first_name="Ria",
                             last_name="Mendel"))
    whole = document(client, "/membership", q="RIA.MENDEL@example.org ")
    assert whole.status_code == 200 and b"Ria.Mendel@example.org" in whole.data
    part = document(client, "/membership", q="mendel@exam")
    assert part.status_code == 200 and b"Ria.Mendel@example.org" not in part.data
    by_name = document(client, "/membership", q="mendel")
    assert b"Ria.Mendel@example.org" in by_name.data
