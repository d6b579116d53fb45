"""The embedded app home (`GET /`) and its JSON API, behind App Bridge id-token verification."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template
from sqlalchemy import func, select

from app.models import Checkout, Customer, Location, Order
from app.shopify import auth

bp = Blueprint("admin", __name__)
bp.record_once(lambda state: auth.init_app(state.app))


def _shop_json() -> dict:
    shop = g.shop
    return {
        "domain": shop.domain,
        "name": shop.name or shop.domain,
        "status": shop.status,
        "status_reason": shop.status_reason,
        "installed_at": shop.installed_at.isoformat() if shop.installed_at else None,
        "scopes": [s for s in shop.scopes.split(",") if s],
    }


@bp.get("/")
@auth.require_app_session
def home():
    config = current_app.config["FLEXCHAIN"]
    return render_template(
        "admin/home.html",
        shop=g.shop,
        api_key=config.shopify_api_key,
        # App Bridge comes from Shopify's CDN; the simulator setup (dev, tests) has no internet.
        simulator_url=config.shopify_admin_base_url,
    )


@bp.get("/api/session")
@auth.require_app_session
def api_session():
    return jsonify(shop=_shop_json(), user_id=g.shopify_user_id)


@bp.get("/api/summary")
@auth.require_app_session
def api_summary():
    # g.db is bound to the verified shop: each count is filtered to it by the session itself.
    counts = {
        name: g.db.scalar(select(func.count()).select_from(model))
        for name, model in (("orders", Order), ("checkouts", Checkout), ("customers", Customer),
                            ("locations", Location))
    }
    return jsonify(shop=g.shop.domain, counts=counts)


@bp.get("/api/sync")
@auth.require_app_session
def api_sync():
    from app.sync.service import sync_summary

    return jsonify(sync_summary(g.db, g.shop.id))


@bp.post("/api/sync")
@auth.require_app_session
def api_sync_restart():
    """Start or resume the full sync (e.g. after a failed step); the job id makes a double click harmless."""
    import redis

    from app.queue import SYNC, enqueue, sync_job_id

    try:
        enqueue("worker.jobs.sync.first_sync", g.shop.id, queue=SYNC, job_id=sync_job_id(g.shop.id),
                shop_id=g.shop.id)
    except redis.RedisError:
        return jsonify(error="The job queue is unavailable; try again in a minute."), 503
    return jsonify(queued=True), 202


@bp.get(auth.PATCH_ID_TOKEN_PATH)
def patch_id_token():
    return auth.patch_id_token_response()
