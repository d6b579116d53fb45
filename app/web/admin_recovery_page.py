"""The Recovery page (`GET /recovery`): settings, previews in every language, test sends, and a searchable
list of abandoned checkouts with each one's timeline. Saves, previews and test sends go through the
recovery JSON API (app/web/admin_recovery.py); this module only reads.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from flask import Blueprint, current_app, g, render_template, request
from sqlalchemy import func, or_, select

from app import i18n
from app.field_crypto import email_index
from app.i18n import gettext as _
from app.models import Checkout, RecoveryCase, RecoveryMessage
from app.models.recovery import SendState
from app.privacy.access import log_customer_access
from app.recovery import settings as recovery_settings
from app.recovery.service import settings_for
from app.recovery.texts import TEXTS
from app.shopify import auth

bp = Blueprint("admin_recovery_page", __name__)
bp.record_once(lambda state: auth.init_app(state.app))
bp.record_once(lambda state: i18n.init_app(state.app))

PAGE_SIZE = 25
STATUSES = ("pending", "abandoned", "converted", "closed")


def timeline(case: RecoveryCase, messages: list[RecoveryMessage]) -> list[tuple[datetime, str, str]]:
    """(when, kind, detail) in time order: abandoned, then per message quoted/messaged/opened/clicked or why
    it was not sent, then converted; a holdout case says so instead of being messaged."""
    events: list[tuple[datetime, str, str]] = []
    if case.abandoned_at:
        events.append((case.abandoned_at, "abandoned", ""))
        if case.group == "holdout":
            events.append((case.abandoned_at, "held_out", ""))
    for m in messages:
        if m.state == SendState.SENT and m.sent_at:
            if m.details:
                events.append((m.sent_at, "quoted", m.offer or ""))
            events.append((m.sent_at, "messaged", f"{m.stage}"))
            if m.opened_at:
                events.append((m.opened_at, "opened", f"{m.stage}"))
            if m.clicked_at:
                events.append((m.clicked_at, "clicked", f"{m.stage}"))
        elif m.state in (SendState.SKIPPED, SendState.CANCELLED, SendState.FAILED, SendState.BOUNCED):
            events.append((m.updated_at or m.scheduled_for, m.state, m.reason or ""))
        else:
            events.append((m.scheduled_for, "scheduled", f"{m.stage}"))
    if case.converted_at:
        events.append((case.converted_at, "converted", ""))
    return sorted(events, key=lambda e: e[0])


def _cases(q: str, status: str, page: int):
    stmt = select(RecoveryCase, Checkout.token).join(Checkout, Checkout.id == RecoveryCase.checkout_id)
    if q:
        like = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # Emails are encrypted at rest: found whole, by their blind index; checkout tokens by any part.
        stmt = stmt.where(or_(RecoveryCase.email_hash == email_index(q),
                              func.lower(Checkout.token).like(like, escape="\\")))
    if status in STATUSES:
        stmt = stmt.where(RecoveryCase.status == status)
    stmt = stmt.order_by(RecoveryCase.abandoned_at.desc().nulls_last(), RecoveryCase.id.desc())
    return g.db.execute(stmt.limit(PAGE_SIZE + 1).offset(page * PAGE_SIZE)).all()


@bp.get("/recovery")
@auth.require_app_session
def page():
    config = current_app.config["FLEXCHAIN"]
    q = request.args.get("q", "").strip()[:100]
    status = request.args.get("status", "")
    page_raw = request.args.get("page", "0")
    page_no = min(int(page_raw), 10_000) if page_raw.isascii() and page_raw.isdigit() else 0
    rows = _cases(q, status, page_no)[: PAGE_SIZE + 1]
    shown = rows[:PAGE_SIZE]
    log_customer_access(g.shop.id, g.shopify_user_id, "recovery.cases",
                        [c.customer_shopify_id for c, _t in shown],
                        [c.id for c, _t in shown if c.customer_shopify_id is None])
    by_case: dict[int, list[RecoveryMessage]] = defaultdict(list)
    if shown:
        for m in g.db.scalars(select(RecoveryMessage).where(RecoveryMessage.case_id.in_([c.id for c, _t in shown]))
                              .order_by(RecoveryMessage.stage)):
            by_case[m.case_id].append(m)
    keep = {k: v for k, v in request.args.items() if k not in ("id_token", "q", "status", "page")}
    return render_template(
        "admin/recovery.html", shop=g.shop, api_key=config.shopify_api_key,
        simulator_url=config.shopify_admin_base_url, s=settings_for(g.db, g.shop.id), offers=recovery_settings.OFFERS,
        languages=list(TEXTS), rows=[(c, token, timeline(c, by_case[c.id])) for c, token in shown],
        more=len(rows) > PAGE_SIZE, q=q, status=status, statuses=STATUSES, page_no=page_no, keep=keep,
        smtp=bool(config.smtp_url), event_names=_event_names())


def _event_names() -> dict[str, str]:
    return {"abandoned": _("Abandoned"), "held_out": _("Held out (no message, for comparison)"),
            "quoted": _("Quoted"), "messaged": _("Messaged"), "opened": _("Opened"), "clicked": _("Clicked"),
            "converted": _("Converted"), "scheduled": _("Scheduled"), "skipped": _("Skipped"),
            "cancelled": _("Cancelled"), "failed": _("Failed"), "bounced": _("Bounced")}
