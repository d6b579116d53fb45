"""Column types that keep customers' emails, phones and addresses encrypted at rest.

As column types, they encrypt every write and decrypt every read of the column, whether it comes from the
ORM or from a Core insert()/update()/select(), so no writer can forget. Ciphertext is randomised (Fernet), so
SQL cannot compare these columns: lookups go through the `*_hash` blind index beside them, and a comparison
of the column itself raises instead of silently matching nothing.

`blind_indexed` keeps an index column in step with its value for ORM writes (constructor and attribute
assignment). Core statements that write an email or phone set the index themselves (app/field_crypto.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Text, TypeDecorator, event
from sqlalchemy.sql import operators

from app import field_crypto

_REFUSED = {operators.eq, operators.ne, operators.in_op, operators.not_in_op, operators.like_op,
            operators.ilike_op, operators.not_like_op, operators.not_ilike_op, operators.contains_op,
            operators.startswith_op, operators.endswith_op}


class _Comparator(TypeDecorator.Comparator):
    def operate(self, op, *other, **kwargs):
        if op in _REFUSED:
            raise TypeError(f"{self.expr} is encrypted: compare its blind index (the *_hash column) instead")
        return super().operate(op, *other, **kwargs)


class EncryptedText(TypeDecorator):
    """A string stored as a Fernet token. The empty string stays empty: it says nothing about anyone, and
    erasure writes it where the column cannot be NULL."""

    impl = Text
    cache_ok = True
    comparator_factory = _Comparator

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None or value == "":
            return value
        return field_crypto.current().encrypt(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        if value is None or value == "":
            return value
        return field_crypto.current().decrypt(value)


class EncryptedJSON(TypeDecorator):
    """A JSON document (a shipping address, an export) stored as a Fernet token of its text; None is NULL."""

    impl = Text
    cache_ok = True
    comparator_factory = _Comparator

    def process_bind_param(self, value: Any, dialect) -> str | None:
        if value is None:
            return None
        return field_crypto.current().encrypt(json.dumps(value, separators=(",", ":"), ensure_ascii=False))

    def process_result_value(self, value: str | None, dialect) -> Any:
        if value is None:
            return None
        return json.loads(field_crypto.current().decrypt(value))


def blind_indexed(attribute, index_name: str, index: Callable[[str | None], str | None]) -> None:
    """Set `index_name` whenever `attribute` is assigned through the ORM."""

    @event.listens_for(attribute, "set", propagate=True)
    def _set_index(target, value, _old, _initiator):
        setattr(target, index_name, index(value))


def email_indexed(attribute, index_name: str = "email_hash") -> None:
    blind_indexed(attribute, index_name, field_crypto.email_index)


def phone_indexed(attribute, index_name: str = "phone_hash") -> None:
    blind_indexed(attribute, index_name, field_crypto.phone_index)
