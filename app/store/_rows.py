"""Row-level upsert with last-write-wins, safe under concurrent workers.

The existing row is read `FOR UPDATE`, so two workers updating one order take turns; a first insert
runs in a savepoint, and losing an insert race to another worker turns into an update of its row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

T = TypeVar("T")


def is_stale(incoming: datetime | None, stored: datetime | None) -> bool:
    """An event older than what we hold must not overwrite it; without both times we cannot tell, so apply."""
    return incoming is not None and stored is not None and incoming < stored


def locked(session: Session, model: type[T], shop_id: int, key: dict[str, Any]) -> T | None:
    stmt = select(model).where(model.shop_id == shop_id)  # type: ignore[attr-defined]
    for name, value in key.items():
        stmt = stmt.where(getattr(model, name) == value)
    return session.scalars(stmt.with_for_update()).one_or_none()


def upsert(
    session: Session,
    model: type[T],
    shop_id: int,
    key: dict[str, Any],
    values: dict[str, Any],
    version_attr: str | None = "shopify_updated_at",
) -> tuple[T, bool]:
    """Insert or update the row with `key`; returns (row, written). Not written when `values` is older."""
    row = locked(session, model, shop_id, key)
    if row is None:
        row = model(shop_id=shop_id, **key, **values)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            row = locked(session, model, shop_id, key)
            if row is None:
                raise
        else:
            return row, True
    if version_attr and is_stale(values.get(version_attr), getattr(row, version_attr)):
        return row, False
    for name, value in values.items():
        setattr(row, name, value)
    return row, True

