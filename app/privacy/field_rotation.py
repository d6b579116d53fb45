"""Re-encrypt every encrypted customer field under the newest ENCRYPTION_KEY and recompute blind indexes.

Run by `flexchain rotate-keys` after a new key is put in front of ENCRYPTION_KEY (the old one stays listed
until this has finished, so every value stays readable throughout). Indexes are recomputed from the
decrypted values under the current blind index key, so the same command completes a change of
BLIND_INDEX_KEY; until it has, lookups by a changed key miss (see PRIVACY.md). Batches commit one by one,
and running it twice is harmless.
"""

from __future__ import annotations

from sqlalchemy import Table, Text, and_, bindparam, or_, select, text, type_coerce, update
from sqlalchemy.orm import Session

from app.field_crypto import FieldKeys
from app.models.base import Base
from app.models.encrypted import EncryptedJSON, EncryptedText


def encrypted_columns() -> list[tuple[Table, list[str]]]:
    """Every table with encrypted columns, and those columns (found by type, so a new one is never missed)."""
    found = []
    for table in Base.metadata.sorted_tables:
        names = [c.name for c in table.c if isinstance(c.type, EncryptedText | EncryptedJSON)]
        if names:
            found.append((table, names))
    return found


def _index(keys: FieldKeys, column: str, plaintext: str | None) -> str | None:
    return keys.phone_index(plaintext) if column == "phone" else keys.email_index(plaintext)


def rotate_fields(session: Session, keys: FieldKeys, batch: int = 1000) -> dict[str, int]:
    """Rows rewritten per table. The columns are read and written as plain text (type_coerce): their types
    would decrypt on read and encrypt again on write, where this wants the stored token in and out."""
    counts: dict[str, int] = {}
    for table, columns in encrypted_columns():
        hashed = [c for c in columns if f"{c}_hash" in table.c]
        raw = [type_coerce(table.c[c], Text).label(c) for c in columns]
        anyset = or_(*[and_(table.c[c].is_not(None), type_coerce(table.c[c], Text) != "") for c in columns])
        values = {c: type_coerce(bindparam(f"v_{c}"), Text) for c in columns}
        values |= {f"{c}_hash": bindparam(f"v_{c}_hash") for c in hashed}
        stmt = update(table).where(table.c.id == bindparam("v_id")).values(values)
        last, done = 0, 0
        while True:
            rows = session.execute(select(table.c.id, *raw).where(table.c.id > last, anyset)
                                   .order_by(table.c.id).limit(batch)).all()
            if not rows:
                break
            last = rows[-1][0]
            out = []
            for row in rows:
                params: dict[str, object] = {"v_id": row[0]}
                for column, stored in zip(columns, row[1:], strict=True):
                    params[f"v_{column}"] = keys.rotate(stored) if stored else stored
                    if column in hashed:
                        params[f"v_{column}_hash"] = _index(keys, column, keys.decrypt(stored) if stored else None)
                out.append(params)
            session.connection().execute(stmt, out)
            session.commit()
            done += len(out)
        counts[table.name] = done
    # The ledger holds only the index of its order's email: take it again from the order.
    session.execute(text(
        "UPDATE spend_entries SET email_hash = (SELECT o.email_hash FROM orders o WHERE o.shop_id = "
        "spend_entries.shop_id AND o.shopify_id = spend_entries.order_shopify_id) WHERE email_hash IS NOT NULL "
        "AND EXISTS (SELECT 1 FROM orders o WHERE o.shop_id = spend_entries.shop_id "
        "AND o.shopify_id = spend_entries.order_shopify_id)"))
    session.commit()
    return counts
