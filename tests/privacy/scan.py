"""Scan every column of every table for a person's identifiers: what an auditor would do with psql."""

from __future__ import annotations

import json

from sqlalchemy import JSON, BigInteger, Integer, LargeBinary, String, Text, select, text

from app.extensions import db
from app.models.base import Base


def _as_text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def find_personal(identifiers: list[str], ids: list[int]) -> list[tuple[str, str, str]]:
    """(table, column, what) for every stored value that contains one of `identifiers` (case-insensitive)
    or is one of `ids` (integer columns)."""
    needles = [i.lower() for i in identifiers]
    found = []
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            texts = [c for c in table.c if isinstance(c.type, String | Text | JSON | LargeBinary)]
            numbers = [c for c in table.c if isinstance(c.type, BigInteger | Integer) and c.name != "id"]
            for row in session.execute(select(*texts, *numbers)).mappings():
                for column in texts:
                    value = row[column.name]
                    if value is None:
                        continue
                    text = _as_text(value).lower()
                    found += [(table.name, column.name, n) for n in needles if n in text]
                for column in numbers:
                    if row[column.name] in ids:
                        found.append((table.name, column.name, str(row[column.name])))
    return sorted(set(found))


def find_stored(identifiers: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, what) for every value *as stored* that contains one of `identifiers`
    (case-insensitive): every table of the schema, read with plain SQL, so no column type decrypts anything
    on the way; what a copy of the database or a backup would show."""
    needles = [i.lower() for i in identifiers]
    found = []
    with db.session() as session:
        tables = session.scalars(text("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")).all()
        for table in tables:
            for row in session.execute(text(f'SELECT * FROM "{table}"')).mappings():  # noqa: S608 - catalog names
                for column, value in row.items():
                    if value is None:
                        continue
                    stored = _as_text(value).lower()
                    found += [(table, column, n) for n in needles if n in stored]
    return sorted(set(found))
