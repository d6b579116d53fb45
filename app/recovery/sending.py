"""The send-state machine: claim due messages, decide, render, send over SMTP, record the outcome.

scheduled ──claim──▶ sending (claim token, lease) ──SMTP accepted──▶ sent
                        │  ├─ refused 5xx ─────────────────────────▶ failed / bounced
                        │  ├─ 4xx, timeout ─────────────────────────▶ scheduled (later), failed after 5 tries
                        │  └─ not allowed now (caps, quiet hours) ───▶ scheduled (later) / skipped / cancelled
                        └─ worker killed: the lease runs out and the next claim takes the message again

The claim is one `UPDATE` over rows picked `FOR UPDATE SKIP LOCKED`, committed before any mail goes, so two
workers never hold the same message and a second run of a job finds nothing to do. Every later write is
guarded by the claim token: a worker whose lease was taken over cannot overwrite the new owner's outcome.
The one unavoidable gap of SMTP remains: a worker killed after the server accepted the mail but before the
`sent` commit (one UPDATE) leaves a message that looks unsent. Its `sent_at`, committed just before the
hand-over, tells the next claim that an earlier attempt got that far; the message is then resent only when
nothing shows it arrived (no open or click of it, no newer message to the shopper since), so a resend
happens only for mail nobody has seen, once, with the same Message-ID for mailbox providers to fold.
Frequency caps are decided under a per-shopper advisory lock and count messages that are being sent
(`sent_at` set at the decision), so two workers cannot both use one slot.
"""

from __future__ import annotations

import logging
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.mail.smtp import Mailer, PermanentFailure, TransientFailure
from app.models import RecoveryMessage
from app.models.recovery import SendState
from app.recovery import prepare

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
BATCH = 50


@dataclass
class Outcome:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1


def claim(session: Session, shop_id: int, now: datetime, limit: int = BATCH) -> tuple[str, list[int]]:
    """Take up to `limit` due messages (scheduled and due, or sending with a lapsed lease)."""
    token = secrets.token_hex(8)
    ids = list(session.scalars(select(RecoveryMessage.id).where(
        RecoveryMessage.shop_id == shop_id,
        or_(and_(RecoveryMessage.state == SendState.SCHEDULED, RecoveryMessage.scheduled_for <= now),
            and_(RecoveryMessage.state == SendState.SENDING, RecoveryMessage.lease_until < now)))
        .order_by(RecoveryMessage.scheduled_for, RecoveryMessage.id).limit(limit)
        .with_for_update(skip_locked=True)))
    if ids:
        session.execute(update(RecoveryMessage).where(RecoveryMessage.id.in_(ids)).values(
            state=SendState.SENDING, claim_token=token, lease_until=now + LEASE,
            attempts=RecoveryMessage.attempts + 1))
    return token, ids


def lock_shopper(session: Session, shop_id: int, email: str) -> None:
    """Serialise decisions about one shopper across workers (PostgreSQL; SQLite runs one worker)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                        {"k": zlib.crc32(f"recovery:{shop_id}:{email}".encode()) - 2**31})


def _guarded(session: Session, message_id: int, token: str, **values) -> bool:
    result = session.execute(update(RecoveryMessage).where(
        RecoveryMessage.id == message_id, RecoveryMessage.claim_token == token,
        RecoveryMessage.state == SendState.SENDING).values(**values))
    return result.rowcount == 1


def send_claimed(shop_id: int, token: str, ids: list[int], mailer: Mailer, now_fn: Callable[[], datetime],
                 context: prepare.Context) -> Outcome:
    outcome = Outcome()
    requotes = prepare.requotes(shop_id, ids, now_fn())
    for message_id in ids:
        now = now_fn()
        with db.session(shop_id=shop_id) as session:
            ready = prepare.prepare(session, shop_id, message_id, token, now, requotes, context)
            if ready.email is None:
                if ready.state is not None:
                    # `sent` here is a copy an earlier claim delivered: its hand-over time stays its sent_at.
                    _guarded(session, message_id, token, claim_token=None, lease_until=None, state=ready.state,
                             scheduled_for=ready.at or RecoveryMessage.scheduled_for, reason=ready.reason,
                             sent_at=RecoveryMessage.sent_at if ready.state == SendState.SENT else None)
                outcome.add(ready.state or "lost")
                continue
        try:
            mailer.send(ready.email)
        except PermanentFailure as exc:
            state = SendState.BOUNCED if exc.bounced else SendState.FAILED
            _finish(shop_id, message_id, token, state=state, reason=str(exc)[:500], sent_at=None)
            outcome.add(state)
            continue
        except TransientFailure as exc:
            _retry(shop_id, message_id, token, now_fn(), str(exc))
            outcome.add("retry")
            continue
        _finish(shop_id, message_id, token, state=SendState.SENT, lease_until=None)
        outcome.add(SendState.SENT)
    return outcome


def _finish(shop_id: int, message_id: int, token: str, **values) -> None:
    with db.session(shop_id=shop_id) as session:
        if not _guarded(session, message_id, token, **values):
            log.warning("recovery message %s: claim lost before its outcome was recorded", message_id)


def _retry(shop_id: int, message_id: int, token: str, now: datetime, reason: str) -> None:
    with db.session(shop_id=shop_id) as session:
        attempts = session.scalar(select(RecoveryMessage.attempts).where(RecoveryMessage.id == message_id)) or 0
        if attempts >= MAX_ATTEMPTS:
            _guarded(session, message_id, token, state=SendState.FAILED, reason=f"gave up: {reason}"[:500],
                     sent_at=None)
            return
        # 5, 10, 20, 40 minutes: an SMTP outage is ridden out within the stage window when possible.
        _guarded(session, message_id, token, state=SendState.SCHEDULED, claim_token=None, lease_until=None,
                 sent_at=None, reason=reason[:500], scheduled_for=now + timedelta(minutes=5 * 2 ** (attempts - 1)))


def due_count(session: Session, shop_id: int, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(RecoveryMessage).where(
        RecoveryMessage.shop_id == shop_id,
        or_(and_(RecoveryMessage.state == SendState.SCHEDULED, RecoveryMessage.scheduled_for <= now),
            and_(RecoveryMessage.state == SendState.SENDING, RecoveryMessage.lease_until < now)))) or 0


def shops_with_due_messages(session: Session, now: datetime) -> list[int]:
    return list(session.scalars(select(RecoveryMessage.shop_id).where(
        or_(and_(RecoveryMessage.state == SendState.SCHEDULED, RecoveryMessage.scheduled_for <= now),
            and_(RecoveryMessage.state == SendState.SENDING, RecoveryMessage.lease_until < now))).distinct()))
