"""Recovery in the embedded admin: settings (validated), results for the dashboard, previews and test sends.

JSON requests carrying the App Bridge id token, like the rest of the admin API. A test send is queued for
a worker (the web edge never talks to the SMTP server); previews render in the request, from sample data.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import redis
from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import select

from app import i18n
from app import queue as queues
from app.i18n import gettext as _
from app.models import RecoverySettings
from app.recovery import demand_store, report
from app.recovery.preview import render_stage
from app.recovery.service import settings_for
from app.recovery.settings import SettingsError, validate
from app.shopify import auth

bp = Blueprint("admin_recovery", __name__)
bp.record_once(lambda state: auth.init_app(state.app))
bp.record_once(lambda state: i18n.init_app(state.app))

_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


def _bad(message: str, errors: dict | None = None):
    # Field keys stay as the form names them; messages read in the staff member's language.
    return jsonify(error=message, errors=i18n.localise_all(errors or {})), 400


def _stage() -> int | None:
    body = request.get_json(silent=True)
    stage = body.get("stage") if isinstance(body, dict) else None
    return stage if stage in (1, 2, 3) else None


@bp.get("/api/recovery/settings")
@auth.require_app_session
def get_settings():
    return jsonify(settings=settings_for(g.db, g.shop.id))


@bp.put("/api/recovery/settings")
@auth.require_app_session
def put_settings():
    body = request.get_json(silent=True)
    if body is None:
        return _bad(_("Send the settings as a JSON object."))
    row = g.db.scalar(select(RecoverySettings).where(RecoverySettings.shop_id == g.shop.id).with_for_update())
    try:
        values = validate(body, row.values if row else None)
    except SettingsError as exc:
        return _bad(_("Some settings are not valid; nothing was saved."), exc.errors)
    if row is None:
        g.db.add(RecoverySettings(shop_id=g.shop.id, values=values))
    else:
        row.values = values
    g.db.commit()
    return jsonify(settings=values)


@bp.get("/api/recovery/results")
@auth.require_app_session
def get_results():
    raw = request.args.get("days", "90")
    if not raw.isdigit() or not 1 <= int(raw) <= 365:
        return _bad(_("days must be a whole number from 1 to 365."))
    since = datetime.now(UTC) - timedelta(days=int(raw))
    return jsonify(days=int(raw), **report.summary(g.db, g.shop.id, since))


@bp.get("/api/recovery/demand")
@auth.require_app_session
def get_demand():
    """Cart demand per variant and region, and per day: what shoppers put in carts and took out again."""
    raw = request.args.get("days", "30")
    if not raw.isdigit() or not 1 <= int(raw) <= 365:
        return _bad(_("days must be a whole number from 1 to 365."))
    since = (datetime.now(UTC) - timedelta(days=int(raw) - 1)).date()
    return jsonify(days=int(raw), since=since.isoformat(), **demand_store.summary(g.db, g.shop.id, since))


def _context():
    from worker.jobs.recovery import context

    return context()


@bp.post("/api/recovery/preview")
@auth.require_app_session
def preview():
    stage = _stage()
    if stage is None:
        return _bad(_("stage must be 1, 2 or 3."))
    locale = (request.get_json(silent=True) or {}).get("locale")
    if locale is not None and not isinstance(locale, str):
        return _bad(_("locale must be a string such as \"fr\" or \"zh-CN\"."))
    content, text, html, *_rest = render_stage(g.shop.id, stage, locale, _context())
    return jsonify(stage=stage, language=content.language, subject=content.subject, text=text, html=html)


@bp.post("/api/recovery/send-test")
@auth.require_app_session
def send_test():
    stage = _stage()
    body = request.get_json(silent=True) or {}
    to = body.get("email") if isinstance(body, dict) else None
    if stage is None:
        return _bad(_("stage must be 1, 2 or 3."))
    if not isinstance(to, str) or len(to) > 320 or not _EMAIL.match(to):
        return _bad(_("email must be one email address."))
    if not current_app.config["FLEXCHAIN"].smtp_url:
        return jsonify(error=_("Mail is not set up (SMTP_URL).")), 503
    locale = body.get("locale") if isinstance(body.get("locale"), str) else None
    try:
        queues.enqueue("worker.jobs.recovery.send_test", g.shop.id, stage, to, locale, queue=queues.MAIL,
                       shop_id=g.shop.id)
    except redis.RedisError:
        return jsonify(error=_("The job queue is unavailable; try again in a minute.")), 503
    # The page shows `message` as it is: the staff member's language, and where the mail went.
    return jsonify(queued=True, message=_("Test mail queued for %(to)s: it arrives within a minute.", to=to)), 202
