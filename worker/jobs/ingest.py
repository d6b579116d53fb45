"""Webhook ingest jobs: thin wrappers, so RQ imports little and the logic stays testable in app/."""

from __future__ import annotations

from app.webhooks.drain import drain as _drain
from app.webhooks.processing import process_event as _process_event
from app.webhooks.processing import process_events as _process_events
from app.webhooks.relay import relay_pending


def drain() -> dict[str, int]:
    """Process every stored event waiting, in batches (queued by the ingest doorbell)."""
    return _drain()


def process_event(event_id: int) -> str:
    return _process_event(event_id)


def process_events(event_ids: list[int]) -> dict[str, int]:
    return _process_events(event_ids)


def relay(limit: int = 1000) -> int:
    """Periodic: queue stored events that never reached Redis."""
    return relay_pending(limit=limit)
