"""Recording provenance in the database: append-only chain, duplicates, corrections, shop isolation, tampering
behind the app's back, keys encrypted at rest, and the metafield published through the simulator."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import PassportHead, ProvenanceRecord, Shop, SigningKey
from app.queue import get_queue
from app.traceability import service
from app.traceability.records import InvalidStep, StepInput
from tests.traceability.conftest import OTHER, PRODUCT, SHOP
from worker.jobs.traceability import publish_passport

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
RAW = StepInput("raw_material", "Biella", date(2026, 3, 2), country="IT", footprint_kg="1.5")
MADE = StepInput("production", "Porto", date(2026, 4, 1), country="PT", footprint_kg="0.75")


def append(shop_domain, steps, config):
    with db.session() as s:
        shop = s.scalar(select(Shop).where(Shop.domain == shop_domain))
    with db.session(shop_id=shop.id) as s:
        return service.append_steps(s, shop, config, PRODUCT, steps, NOW)


def passport(shop_domain):
    with db.session() as s:
        shop = s.scalar(select(Shop).where(Shop.domain == shop_domain))
    with db.session(shop_id=shop.id) as s:
        return service.passport(s, shop, PRODUCT, "https://x/jwks.json")


def test_appends_chain_sign_and_verify(web, config):
    first = append(SHOP, [RAW, MADE], config)
    assert (first.added, first.duplicates, first.length) == ([1, 2], [], 2)
    found = passport(SHOP)
    assert found.verification.ok and found.verification.head == first.head
    assert [r["seq"] for r in found.document["records"]] == [1, 2]
    # One job per product publishes the metafield once the records are committed.
    assert get_queue().fetch_job(f"passport-{web.shop_ids[SHOP]}-{PRODUCT}") is not None


def test_the_same_step_twice_is_recorded_once(web, config):
    append(SHOP, [RAW], config)
    again = append(SHOP, [RAW, MADE, MADE], config)
    assert (again.added, again.duplicates, again.length) == ([2], [1, 2], 2)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(ProvenanceRecord)) == 2


def test_a_correction_is_a_new_record(web, config):
    append(SHOP, [RAW, MADE], config)
    fix = StepInput("production", "Braga", date(2026, 4, 1), country="PT", footprint_kg="0.5", supersedes=2)
    assert append(SHOP, [fix], config).added == [3]
    found = passport(SHOP)
    assert found.verification.ok
    assert [r["place"] for r in found.document["records"]] == ["Biella", "Porto", "Braga"]
    with pytest.raises(InvalidStep) as refused:
        append(SHOP, [StepInput("packing", "Lyon", date(2026, 5, 1), supersedes=9)], config)
    assert "earlier record" in refused.value.errors["supersedes"]


def test_an_unknown_product_is_refused(web, config):
    with db.session() as s:
        shop = s.scalar(select(Shop).where(Shop.domain == SHOP))
    with db.session(shop_id=shop.id) as s, pytest.raises(service.UnknownProduct):
        service.append_steps(s, shop, config, 999, [RAW], NOW)


def test_shops_have_separate_chains_and_keys(web, config):
    append(SHOP, [RAW], config)
    append(OTHER, [RAW], config)
    mine, theirs = passport(SHOP), passport(OTHER)
    assert mine.document["records"] == theirs.document["records"]  # same step, same day: same hash
    assert mine.document["signature"] != theirs.document["signature"]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(SigningKey)) == 2
    with db.session(shop_id=web.shop_ids[OTHER]) as s:
        other_keys = service.key_set(s)
    from app.traceability.passport import verify_document
    assert verify_document(mine.document, other_keys).problem == "the signing key is not in the published key set"


def test_a_record_changed_behind_the_apps_back_fails_verification(web, config):
    append(SHOP, [RAW, MADE], config)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE provenance_records SET place = 'Milano' WHERE seq = 1"))
    assert passport(SHOP).verification.problem == "record 1 was changed after it was recorded"
    # Even recomputing that record's hash and every link after it does not help: the head was signed.
    from app.traceability import chain
    with db.session(shop_id=web.shop_ids[SHOP]) as s:
        prev = chain.GENESIS
        for row in s.scalars(select(ProvenanceRecord).order_by(ProvenanceRecord.seq)):
            body = {k: v for k, v in service.published(row).items() if k != "hash"}
            body["prev_hash"] = prev
            row.prev_hash, row.record_hash = prev, chain.digest(body)
            prev = row.record_hash
    assert passport(SHOP).verification.problem == "the signed head does not match the records"


def test_private_key_is_encrypted_and_rotates(web, config):
    append(SHOP, [RAW], config)
    with db.session() as s:
        key = s.scalar(select(SigningKey))
        assert "PRIVATE KEY" not in key.private_key_enc and "d" not in key.public_jwk
        before = key.private_key_enc
        assert service.rotate_key_encryption(s, config) == 1
        assert key.private_key_enc != before
    assert passport(SHOP).verification.ok


def test_publishing_writes_the_app_owned_metafield_and_is_safe_twice(web, config):
    append(SHOP, [RAW, MADE], config)
    with web.application.app_context():
        assert publish_passport(web.shop_ids[SHOP], PRODUCT) == "published"
        assert publish_passport(web.shop_ids[SHOP], PRODUCT) == "published"
    sim = web.sim_state.shops[SHOP]
    stored = [m for (owner, ns, key), m in sim.data["metafields"].items()
              if owner == f"gid://shopify/Product/{PRODUCT}" and key == "passport"]
    assert len(stored) == 1 and stored[0]["namespace"] == f"app--{web.sim_state.api_key}"
    value = json.loads(stored[0]["value"])
    assert value["verified"] is True and value["records"] == 2
    assert [s["place"] for s in value["steps"]] == ["Biella", "Porto"]
    assert value["footprint"]["production_kg"] == "2.25"
    with db.session() as s:
        assert s.scalar(select(PassportHead.length)) == 2
