"""Store a verified delivery (deduplicated in PostgreSQL), then tell the workers it is waiting.

Storing goes through the process's group committer: concurrent requests share one INSERT ... ON
CONFLICT DO NOTHING and one commit, and each is answered only once its row is durable. A redelivery of
the same (shop, webhook id) inserts nothing, so it is answered without being processed again. After the
commit the batch rings the ingest doorbell (one Redis call, see bell.py); if Redis is down the rows stay
`received` and the relay announces them later.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from app.config import active_config
from app.extensions import db
from app.models import EventStatus, utcnow
from app.shopify.webhooks import Delivery
from app.webhooks import bell
from app.webhooks.group_commit import GroupCommitter

log = logging.getLogger(__name__)

PROCESS_JOB = "worker.jobs.ingest.process_event"

_committers: dict[int, GroupCommitter] = {}
_committers_lock = threading.Lock()


def job_id_for(event_id: int) -> str:
    """Stable per event, so the relay and a retry never queue one event twice."""
    return f"ingest-{event_id}"


_ringer = bell.Ringer()


def announce(event_ids: list[int]) -> None:
    """Tell the workers that stored events wait (see bell.Ringer). A Redis outage is logged, not raised: the
    rows are stored (the request still answers 200) and the relay announces them once Redis is back."""
    _ringer.every = active_config().ingest_ring_window
    _ringer.announce(len(event_ids))


def _committer() -> GroupCommitter:
    engine = db.engine
    if engine is None:
        raise RuntimeError("database is not initialised")
    committer = _committers.get(id(engine))
    if committer is None or committer.engine is not engine:
        with _committers_lock:
            committer = _committers.get(id(engine))
            if committer is None or committer.engine is not engine:
                committer = _committers[id(engine)] = GroupCommitter(engine, announce)
    return committer


def store_event(
    delivery: Delivery, body: bytes, *, status: str = EventStatus.RECEIVED, error: str | None = None,
    received_at: datetime | None = None,
) -> int | None:
    """Store the event durably; returns its id, or None when this delivery was already stored.

    A new `received` event is announced to the workers once its batch has committed."""
    values = {  # every column of group_commit.COLUMNS
        "shop_domain": delivery.shop_domain,
        "topic": delivery.topic or "",
        "webhook_id": delivery.webhook_id,
        "event_id": delivery.event_id,
        "api_version": delivery.api_version,
        "triggered_at": delivery.triggered_at,
        "received_at": received_at or utcnow(),
        "body": body,
        "status": status,
        "attempts": 0,
        "error": error,
    }
    return _committer().store(values, announce=status == EventStatus.RECEIVED)
