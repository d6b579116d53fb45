"""Provenance records (append-only, hash-chained per product), the signed head of each chain, and each
shop's signing keys."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped, utcnow


class ProvenanceRecord(ShopScoped, Base):
    """One step in a product's history. Never updated: a correction is a new record naming the one it
    supersedes. `record_hash` covers every field below and `prev_hash`, so a change made behind the app's
    back breaks the chain."""

    __tablename__ = "provenance_records"
    __table_args__ = (
        UniqueConstraint("shop_id", "product_shopify_id", "seq"),
        # The same step sent twice (a double click, a re-imported CSV) is recorded once.
        UniqueConstraint("shop_id", "product_shopify_id", "content_digest"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    product_shopify_id: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(Integer)
    lot: Mapped[str | None] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(20))
    place: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    # Coordinates and footprint as decimal text: the hash must not depend on float formatting.
    latitude: Mapped[str | None] = mapped_column(String(16))
    longitude: Mapped[str | None] = mapped_column(String(16))
    occurred_on: Mapped[date]
    actor: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    certificates: Mapped[list] = mapped_column(JSON, default=list)
    footprint_kg: Mapped[str | None] = mapped_column(String(20))
    supersedes_seq: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    record_hash: Mapped[str] = mapped_column(String(64))


class PassportHead(ShopScoped, Base):
    """The newest head of a product's chain, signed when it was appended (never re-signed from stored
    hashes, which is what lets a tampered record fail verification)."""

    __tablename__ = "passport_heads"
    __table_args__ = (UniqueConstraint("shop_id", "product_shopify_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    product_shopify_id: Mapped[int] = mapped_column(BigInteger)
    length: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    jws: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SigningKey(ShopScoped, Base):
    """A shop's Ed25519 key. The private half is Fernet-encrypted with ENCRYPTION_KEY, like Admin tokens;
    the public half is published as a JWKS. Retired keys stay published so older passports still verify."""

    __tablename__ = "signing_keys"
    __table_args__ = (UniqueConstraint("shop_id", "kid"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kid: Mapped[str] = mapped_column(String(64))
    private_key_enc: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]
