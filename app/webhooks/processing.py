"""Process one stored webhook event: lock it, dispatch by topic, mark the outcome.

The event row is taken `FOR UPDATE SKIP LOCKED`, so two workers never process one event; the
handler's writes and the `done` mark commit in one transaction, so a crash leaves neither. A payload
that cannot be parsed fails at once (retrying will not fix it); any other error is recorded on the row
and re-raised for RQ to retry, and the last attempt leaves the event `failed` with its error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from rq import get_current_job
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import EventStatus, Shop, ShopStatus, WebhookEvent, utcnow
from app.queue import DEFAULT_RETRY
from app.shopify.payloads import PayloadError, load_json
from app.shopify.webhooks import ALWAYS_RUN_TOPICS
from app.webhooks.handlers import HANDLERS, EventContext
from app.webhooks.intake import PROCESS_JOB

log = logging.getLogger(__name__)

MAX_ATTEMPTS = DEFAULT_RETRY.max + 1
FINISHED = frozenset({EventStatus.DONE, EventStatus.IGNORED, EventStatus.FAILED})


class Outcome:
    DONE = EventStatus.DONE
    IGNORED = EventStatus.IGNORED
    FAILED = EventStatus.FAILED
    ALREADY = "already_finished"
    BUSY = "busy"  # another worker holds the event, or it does not exist


def _is_last_attempt(event_id: int, attempts: int) -> bool:
    # Only the event's own job knows its retries; run from a drain or a batch job, count the attempts.
    job = get_current_job()
    if job is not None and job.func_name == PROCESS_JOB and tuple(job.args) == (event_id,):
        return not (job.retries_left and job.retries_left > 0)
    return attempts >= MAX_ATTEMPTS


def _finish(event: WebhookEvent, status: str, error: str | None = None) -> None:
    event.status = status
    event.error = error
    event.attempts += 1
    event.processed_at = utcnow()


def process_event(event_id: int) -> str:
    """Process the event once; safe to call again (a finished event is left alone)."""
    session = db.new_session()
    try:
        return _process(session, event_id)
    finally:
        session.close()


def _process(session: Session, event_id: int) -> str:
    event = session.scalars(
        select(WebhookEvent).where(WebhookEvent.id == event_id).with_for_update(skip_locked=True)
    ).one_or_none()
    if event is None:
        session.rollback()
        return Outcome.BUSY
    if event.status in FINISHED:
        session.rollback()
        return Outcome.ALREADY
    shop = session.scalars(select(Shop).where(Shop.domain == event.shop_domain)).one_or_none()
    effects: list[Callable[[], None]] = []
    try:
        outcome = dispatch(session, event, shop, effects)
    except HandlerError as exc:
        _record_error(session, event, exc.cause)
        raise exc.cause from None
    session.commit()
    for effect in effects:
        effect()
    return outcome


class HandlerError(Exception):
    """A handler raised: its writes are rolled back, the event is untouched; retrying may help."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def dispatch(session: Session, event: WebhookEvent, shop: Shop | None, effects: list[Callable[[], None]]) -> str:
    """Run the event's handler in a savepoint of the caller's transaction and mark the event; the caller
    commits, then runs `effects` (the handler's after-commit work is appended there only on success).

    Returns DONE, IGNORED (unknown topic, shop not installed) or FAILED (a payload that cannot be parsed:
    retrying will not fix it). Any other error rolls back the handler's writes and raises HandlerError."""
    handler = HANDLERS.get(event.topic)
    if handler is None:
        _finish(event, EventStatus.IGNORED, f"unknown topic {event.topic!r}")
        return Outcome.IGNORED
    if event.topic not in ALWAYS_RUN_TOPICS and (shop is None or shop.status == ShopStatus.UNINSTALLED):
        _finish(event, EventStatus.IGNORED, "shop is not installed" if shop else "unknown shop")
        return Outcome.IGNORED

    ctx = EventContext(session=session, event=event, shop=shop, data={})
    try:
        with session.begin_nested():
            if shop is not None:
                session.info["shop_id"] = shop.id  # from here on every query is scoped to this shop
            ctx.data = load_json(event.body)
            handler(ctx)
    except PayloadError as exc:
        _finish(event, EventStatus.FAILED, f"payload: {exc}")
        log.warning("webhook event %s (%s) failed: %s", event.id, event.topic, exc)
        return Outcome.FAILED
    except Exception as exc:
        raise HandlerError(exc) from exc
    finally:
        session.info.pop("shop_id", None)
    _finish(event, EventStatus.DONE)
    effects.extend(ctx.after_commit)
    return Outcome.DONE


def _record_error(session: Session, event: WebhookEvent, exc: Exception) -> None:
    """Keep the failure visible on the row; on the last attempt the event ends `failed`."""
    error = f"{type(exc).__name__}: {exc}"[:2000]
    try:
        attempts = event.attempts + 1
        if _is_last_attempt(event.id, attempts):
            _finish(event, EventStatus.FAILED, error)
        else:
            event.attempts, event.error = attempts, error
        session.commit()
    except Exception:  # the database itself may be what failed; RQ still retries the job
        session.rollback()
        log.exception("could not record the failure of webhook event %s", event.id)
    log.warning("webhook event %s (%s) attempt failed: %s", event.id, event.topic, error)


def process_events(event_ids: list[int]) -> dict[str, int]:
    """Many events in one job; one failing event does not stop the rest, and the job re-raises at the end."""
    outcomes: dict[str, int] = {}
    errors: list[str] = []
    for event_id in event_ids:
        try:
            outcome = process_event(event_id)
        except Exception as exc:  # recorded on the event's row already
            errors.append(f"{event_id}: {exc}")
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if errors:
        raise RuntimeError(f"{len(errors)} of {len(event_ids)} webhook events failed: " + "; ".join(errors[:5]))
    return outcomes
