"""Privacy in the admin (JSON): customer data exports to download, the retention period, the access log.

Exports hold customer data, so downloading one is itself logged in the access log.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy import select

from app.models import CustomerAccess, DataExport
from app.privacy import retention
from app.privacy.access import log_customer_access
from app.shopify import auth

bp = Blueprint("admin_privacy", __name__)
bp.record_once(lambda state: auth.init_app(state.app))

LOG_SHOWN = 200


def _bad(message: str):
    return jsonify(error=message), 400


@bp.get("/api/privacy/exports")
@auth.require_app_session
def exports():
    rows = g.db.execute(select(DataExport.id, DataExport.request_id, DataExport.customer_shopify_id,
                               DataExport.created_at, DataExport.emailed_at)
                        .order_by(DataExport.created_at.desc()).limit(100)).all()
    return jsonify(exports=[{"id": r.id, "request_id": r.request_id, "customer_id": r.customer_shopify_id,
                             "created_at": r.created_at.isoformat(),
                             "emailed_at": r.emailed_at.isoformat() if r.emailed_at else None} for r in rows])


@bp.get("/api/privacy/exports/<int:export_id>.json")
@auth.require_app_session
def download(export_id: int):
    export = g.db.scalar(select(DataExport).where(DataExport.id == export_id))
    if export is None:
        return jsonify(error="No such export in this store."), 404
    log_customer_access(g.shop.id, g.shopify_user_id, "privacy.export", [export.customer_shopify_id])
    body = json.dumps(export.payload, indent=2, ensure_ascii=False, sort_keys=True)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="customer-data-{int(export.id)}.json"',
        "Cache-Control": "no-store"})


@bp.get("/api/privacy/settings")
@auth.require_app_session
def settings():
    return jsonify(retention_days=retention.retention_days(g.db, g.shop.id),
                   min_days=retention.MIN_DAYS, max_days=retention.MAX_DAYS)


@bp.put("/api/privacy/settings")
@auth.require_app_session
def save_settings():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "retention_days" not in body:
        return _bad("Send a JSON object with retention_days.")
    try:
        retention.set_retention_days(g.db, g.shop.id, body["retention_days"])
    except ValueError as exc:
        return _bad(str(exc))
    g.db.commit()
    return jsonify(retention_days=retention.retention_days(g.db, g.shop.id))


@bp.get("/api/privacy/access-log")
@auth.require_app_session
def access_log():
    rows = g.db.scalars(select(CustomerAccess).order_by(CustomerAccess.at.desc(), CustomerAccess.id.desc())
                        .limit(LOG_SHOWN)).all()
    return jsonify(entries=[{"staff_user_id": r.staff_user_id, "view": r.view, "customer_id": r.customer_shopify_id,
                             "recovery_case_id": r.recovery_case_id, "at": r.at.isoformat()} for r in rows])
