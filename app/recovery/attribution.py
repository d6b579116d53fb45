"""Credit for a conversion: the last message sent before it, within the window, once (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Sent:
    message_id: int
    stage: int
    offer: str | None
    sent_at: datetime


def attribute(converted_at: datetime, sent: list[Sent], window_days: int) -> Sent | None:
    """The message that preceded the order (the latest one sent before it) if the order came within
    `window_days` of it; None: the conversion is not credited to recovery (it still counts as converted)."""
    before = [m for m in sent if m.sent_at <= converted_at]
    if not before:
        return None
    last = max(before, key=lambda m: (m.sent_at, m.message_id))
    return last if converted_at - last.sent_at <= timedelta(days=window_days) else None
