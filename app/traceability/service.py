"""Provenance over the database: append steps to a product's chain, sign its head, build and verify its
passport, and keep the product's app-owned metafield current.

Appends to one product's chain are serialised (a transaction-scoped advisory lock on PostgreSQL; the
unique `(shop, product, seq)` is the final guard everywhere), so two merchants saving at once each get a
place in the chain. The caller commits; the metafield is published by a job queued after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import redis
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.config import Config
from app.crypto import TokenCipher
from app.extensions import after_commit
from app.models import PassportHead, Product, ProvenanceRecord, Shop, SigningKey
from app.traceability import chain, signing
from app.traceability.passport import Verification, document, head_claims, verify_document
from app.traceability.records import InvalidStep, StepInput
from app.translatable import N_

log = logging.getLogger(__name__)


class UnknownProduct(LookupError):
    pass


@dataclass
class AppendResult:
    product_id: int
    added: list[int] = field(default_factory=list)  # seq numbers recorded now
    duplicates: list[int] = field(default_factory=list)  # seq numbers of identical steps recorded before
    length: int = 0
    head: str = chain.GENESIS


def product_or_none(session: Session, product_id: int) -> Product | None:
    if not 0 < product_id < 2**63:  # no Shopify id (a BIGINT), whatever a URL says
        return None
    return session.scalar(select(Product).where(Product.shopify_id == product_id, Product.deleted.is_(False)))


def append_steps(session: Session, shop: Shop, config: Config, product_id: int, steps: Sequence[StepInput],
                 now: datetime) -> AppendResult:
    """Append `steps` in order. A step identical to one already recorded is not recorded again (its seq is
    reported in `duplicates`), so a retried request or a re-imported file changes nothing."""
    if product_or_none(session, product_id) is None:
        raise UnknownProduct(product_id)
    _lock_chain(session, shop.id, product_id)
    rows = list(session.scalars(select(ProvenanceRecord).where(ProvenanceRecord.product_shopify_id == product_id)
                                .order_by(ProvenanceRecord.seq)))
    by_digest = {r.content_digest: r.seq for r in rows}
    result = AppendResult(product_id)
    prev = rows[-1].record_hash if rows else chain.GENESIS
    seq = len(rows)
    recorded_at = now.replace(microsecond=0)
    for step in steps:
        step_digest = chain.content_digest(step)
        if step_digest in by_digest:
            result.duplicates.append(by_digest[step_digest])
            continue
        if step.supersedes is not None and step.supersedes > seq:
            raise InvalidStep({"supersedes": N_("must be the number of an earlier record of this product")})
        seq += 1
        record = chain.link(chain.content(step), seq, recorded_at, prev)
        session.add(_row(shop.id, product_id, step, record, step_digest, recorded_at))
        by_digest[step_digest] = seq
        result.added.append(seq)
        prev = record["hash"]
    result.length, result.head = seq, prev
    if result.added:
        session.flush()
        _sign_head(session, shop, config, product_id, seq, prev, now)
        after_commit(session, lambda: queue_publish(shop.id, product_id))
    return result


def _lock_chain(session: Session, shop_id: int, product_id: int) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                        {"key": f"provenance:{shop_id}:{product_id}"})


def _row(shop_id: int, product_id: int, step: StepInput, record: dict, step_digest: str,
         recorded_at: datetime) -> ProvenanceRecord:
    return ProvenanceRecord(
        shop_id=shop_id, product_shopify_id=product_id, seq=record["seq"], lot=step.lot, stage=step.stage,
        place=step.place, country=step.country, latitude=step.latitude, longitude=step.longitude,
        occurred_on=step.occurred_on, actor=step.actor, description=step.description,
        certificates=record["certificates"], footprint_kg=step.footprint_kg, supersedes_seq=step.supersedes,
        recorded_at=recorded_at, content_digest=step_digest, prev_hash=record["prev_hash"],
        record_hash=record["hash"])


def published(row: ProvenanceRecord) -> dict:
    """A stored record in its published form, rebuilt from its columns (never from its stored hash alone)."""
    return {
        "stage": row.stage, "place": row.place, "occurred_on": row.occurred_on.isoformat(), "lot": row.lot,
        "country": row.country, "latitude": row.latitude, "longitude": row.longitude, "actor": row.actor,
        "description": row.description,
        "certificates": [{"name": c.get("name"), "url": c.get("url")} for c in row.certificates or []],
        "footprint_kg": row.footprint_kg, "supersedes": row.supersedes_seq, "seq": row.seq,
        "recorded_at": chain.stamp(row.recorded_at), "prev_hash": row.prev_hash, "hash": row.record_hash,
    }


def records(session: Session, product_id: int) -> list[dict]:
    rows = session.scalars(select(ProvenanceRecord).where(ProvenanceRecord.product_shopify_id == product_id)
                           .order_by(ProvenanceRecord.seq))
    return [published(r) for r in rows]


def active_key(session: Session, shop_id: int, config: Config) -> SigningKey:
    """The shop's current signing key, made on first use."""
    key = session.scalar(select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.id.desc()))
    if key is None:
        made = signing.generate(TokenCipher(config.encryption_keys))
        key = SigningKey(shop_id=shop_id, kid=made.kid, private_key_enc=made.private_key_enc,
                         public_jwk=made.public_jwk)
        session.add(key)
        session.flush()
    return key


def _sign_head(session: Session, shop: Shop, config: Config, product_id: int, length: int, head: str,
               now: datetime) -> None:
    key = active_key(session, shop.id, config)
    claims = head_claims(shop.domain, product_id, length, head, int(now.timestamp()))
    jws = signing.sign(TokenCipher(config.encryption_keys), key.private_key_enc, key.kid, claims)
    row = session.scalar(select(PassportHead).where(PassportHead.product_shopify_id == product_id))
    if row is None:
        session.add(PassportHead(shop_id=shop.id, product_shopify_id=product_id, length=length, head_hash=head,
                                 jws=jws, signed_at=now))
    else:
        row.length, row.head_hash, row.jws, row.signed_at = length, head, jws, now


def key_set(session: Session) -> dict:
    """The shop's JWKS (the session is bound to the shop): every key it ever signed with."""
    return signing.jwks([k.public_jwk for k in session.scalars(select(SigningKey).order_by(SigningKey.id))])


def rotate_key_encryption(session: Session, config: Config) -> int:
    """Re-encrypt every shop's private signing key under the newest ENCRYPTION_KEY."""
    cipher = TokenCipher(config.encryption_keys)
    keys = list(session.scalars(select(SigningKey)))
    for key in keys:
        key.private_key_enc = cipher.rotate(key.private_key_enc)
    return len(keys)


@dataclass(frozen=True)
class Passport:
    product: Product
    document: dict
    verification: Verification


def passport(session: Session, shop: Shop, product_id: int, jwks_uri: str) -> Passport | None:
    product = product_or_none(session, product_id)
    if product is None:
        return None
    head = session.scalar(select(PassportHead).where(PassportHead.product_shopify_id == product_id))
    doc = document(shop.domain, product_id, product.title, records(session, product_id),
                   head.jws if head else None, jwks_uri)
    return Passport(product, doc, verify_document(doc, key_set(session)))


def queue_publish(shop_id: int, product_id: int) -> None:
    from app.queue import enqueue

    try:
        enqueue("worker.jobs.traceability.publish_passport", shop_id, product_id,
                job_id=f"passport-{shop_id}-{product_id}", shop_id=shop_id)
    except redis.RedisError:
        # The records are safe; the metafield catches up at the next append or publish.
        log.warning("could not queue the passport metafield of product %s (shop %s)", product_id, shop_id)
