"""The hash chain and the signed passport, checked the way anyone holding the JSON and the JWKS can."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

from cryptography.fernet import Fernet

from app.crypto import TokenCipher
from app.traceability import chain, signing
from app.traceability.passport import current_steps, document, head_claims, metafield_value, verify_document
from app.traceability.records import StepInput

CIPHER = TokenCipher([Fernet.generate_key().decode()])
AT = datetime(2026, 11, 25, 9, 30, 12, 345678, tzinfo=UTC)


def build(steps: list[StepInput]) -> list[dict]:
    records, prev = [], chain.GENESIS
    for seq, step in enumerate(steps, start=1):
        record = chain.link(chain.content(step), seq, AT, prev)
        records.append(record)
        prev = record["hash"]
    return records


STEPS = [StepInput("raw_material", "Biella", date(2026, 3, 2), country="IT", footprint_kg="1.2"),
         StepInput("production", "{{ Porto }} <b>", date(2026, 4, 1), country="PT", footprint_kg="0.8"),
         StepInput("production", "Porto", date(2026, 4, 2), country="PT", supersedes=2)]


def signed(records: list[dict], key=None):
    key = key or signing.generate(CIPHER)
    claims = head_claims("s.myshopify.com", 7, len(records), records[-1]["hash"], 1_700_000_000)
    jws = signing.sign(CIPHER, key.private_key_enc, key.kid, claims)
    return document("s.myshopify.com", 7, "Tee", records, jws, "https://s/jwks.json"), signing.jwks([key.public_jwk])


def test_records_link_and_verify():
    records = build(STEPS)
    assert records[0]["prev_hash"] == chain.GENESIS and records[1]["prev_hash"] == records[0]["hash"]
    assert records[0]["recorded_at"] == "2026-11-25T09:30:12Z"
    assert chain.verify_chain(records) == (None, records[-1]["hash"])


def test_a_signed_passport_verifies_with_only_the_jwks():
    doc, jwks = signed(build(STEPS))
    result = verify_document(doc, jwks)
    assert result.ok and result.length == 3
    assert set(jwks["keys"][0]) >= {"kty", "crv", "x", "kid"} and "d" not in jwks["keys"][0]


def test_any_change_fails_even_with_hashes_recomputed():
    doc, jwks = signed(build(STEPS))
    edited = copy.deepcopy(doc)
    edited["records"][0]["place"] = "Somewhere nicer"
    assert verify_document(edited, jwks).problem == "record 1 was changed after it was recorded"
    # Recompute every hash: the chain is consistent again, but the signed head is not this one.
    rebuilt = build([StepInput("raw_material", "Somewhere nicer", date(2026, 3, 2), country="IT",
                               footprint_kg="1.2"), *STEPS[1:]])
    forged = {**doc, "records": rebuilt}
    assert verify_document(forged, jwks).problem == "the signed head does not match the records"
    dropped = {**doc, "records": doc["records"][:2]}
    assert not verify_document(dropped, jwks).ok


def test_another_key_or_a_garbled_signature_fails():
    doc, _ = signed(build(STEPS))
    other = signing.jwks([signing.generate(CIPHER).public_jwk])
    assert verify_document(doc, other).problem == "the signing key is not in the published key set"
    _, jwks = signed(build(STEPS))
    for bad in ("", "a.b", "x.y.z", doc["signature"][:-4] + "AAAA", None):
        assert not verify_document({**doc, "signature": bad}, jwks).ok
    assert not verify_document({"format": "other"}, jwks).ok


def test_private_keys_are_encrypted_at_rest():
    key = signing.generate(CIPHER)
    assert "PRIVATE KEY" not in key.private_key_enc
    assert CIPHER.decrypt(key.private_key_enc).startswith("-----BEGIN PRIVATE KEY-----")


def test_corrections_replace_what_they_supersede():
    records = build(STEPS)
    steps = current_steps(records)
    assert [s["place"] for s in steps] == ["Biella", "Porto"]
    assert steps[1]["corrects"] == 2
    value = metafield_value(7, records, True, 0.456)
    assert value["origin"] == {"place": "Biella", "country": "IT"}
    assert value["footprint"] == {"production_kg": "1.2", "shipping_kg": "0.46"}
    assert [s["place"] for s in value["steps"]] == ["Biella", "Porto"]
