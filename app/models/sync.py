"""Progress of a shop's first sync (and re-syncs), one row per step so a re-run resumes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, BigId, ShopScoped, Timestamps


class SyncStatus:
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class SyncStep(ShopScoped, Timestamps, Base):
    __tablename__ = "sync_steps"
    __table_args__ = (UniqueConstraint("shop_id", "step"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    step: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default=SyncStatus.PENDING)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    cursor: Mapped[str | None] = mapped_column(Text)
    bulk_operation_id: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
