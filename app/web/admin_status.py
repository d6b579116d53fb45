"""The Status page (`GET /status`): first sync and membership backfill, webhook intake, job queues with this
shop's failed jobs (and a retry), and the Shopify API budget last reported.

A retry moves a failed job of this shop back to its queue (RQ's requeue); retrying one that is no longer
failed answers `requeued: false`, so a double click is harmless. Another shop's job is "not found".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import redis
from flask import Blueprint, current_app, g, jsonify, render_template
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from app import i18n
from app import queue as queues
from app.extensions import redis_handle
from app.i18n import gettext as _
from app.models import MembershipSettings, WebhookEvent
from app.shopify import auth

bp = Blueprint("admin_status", __name__)
bp.record_once(lambda state: auth.init_app(state.app))
bp.record_once(lambda state: i18n.init_app(state.app))

FAILED_SHOWN = 50
# RQ's own rule for a job id; it raises on anything else, which would be a 500 for a made-up id in the URL.
JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def _intake(shop_domain: str, now: datetime) -> dict:
    since = now - timedelta(hours=24)
    counts = dict(g.db.execute(
        select(WebhookEvent.status, func.count()).where(WebhookEvent.shop_domain == shop_domain,
                                                        WebhookEvent.received_at >= since)
        .group_by(WebhookEvent.status)).all())
    oldest = g.db.scalar(select(func.min(WebhookEvent.received_at)).where(
        WebhookEvent.shop_domain == shop_domain, WebhookEvent.status.in_(("received", "queued"))))
    errors = g.db.execute(
        select(WebhookEvent.topic, WebhookEvent.error, WebhookEvent.received_at)
        .where(WebhookEvent.shop_domain == shop_domain, WebhookEvent.status == "failed")
        .order_by(WebhookEvent.received_at.desc()).limit(10)).all()
    return {"counts": counts, "total": sum(counts.values()),
            "oldest_waiting_seconds": (now - oldest).total_seconds() if oldest else None, "failed": errors}


def _queues(shop_id: int) -> tuple[list[dict], list[dict], str | None]:
    """Per queue: waiting, running and failed counts; this shop's failed jobs (newest first)."""
    conn = redis_handle.conn
    stats, failed = [], []
    try:
        for name in queues.QUEUE_NAMES:
            q = queues.get_queue(name)
            registry = FailedJobRegistry(queue=q)
            ids = registry.get_job_ids()
            stats.append({"queue": name, "waiting": q.count, "running": q.started_job_registry.count,
                          "failed": len(ids)})
            for job in Job.fetch_many(ids[-500:], connection=conn):
                if job is not None and job.meta.get("shop_id") == shop_id:
                    failed.append({"id": job.id, "queue": name, "func": job.func_name, "ended_at": job.ended_at,
                                   "error": (job.exc_info or "").strip().splitlines()[-1:] or [""]})
    except redis.RedisError:
        return stats, failed, _("The job queue is unavailable.")
    failed.sort(key=lambda j: j["ended_at"] or datetime.min.replace(tzinfo=UTC), reverse=True)
    return stats, failed[:FAILED_SHOWN], None


def _budget(shop_domain: str) -> dict | None:
    from app.shopify.throttle import default_store

    status = default_store().get(shop_domain)
    if status is None:
        return None
    return {"maximum": status.maximum, "available": status.available, "restore_rate": status.restore_rate,
            "used_share": 1 - status.available / status.maximum if status.maximum else None}


@bp.get("/status")
@auth.require_app_session
def page():
    from app.sync.service import sync_summary

    config = current_app.config["FLEXCHAIN"]
    now = datetime.now(UTC)
    stats, failed, queue_error = _queues(g.shop.id)
    backfill = g.db.scalar(select(MembershipSettings.backfill).where(MembershipSettings.shop_id == g.shop.id))
    return render_template(
        "admin/status.html", shop=g.shop, api_key=config.shopify_api_key, simulator_url=config.shopify_admin_base_url,
        sync=sync_summary(g.db, g.shop.id), backfill=backfill, intake=_intake(g.shop.domain, now), queues=stats,
        failed=failed, queue_error=queue_error, budget=_budget(g.shop.domain))


@bp.post("/api/status/jobs/<job_id>/retry")
@auth.require_app_session
def retry(job_id: str):
    if not JOB_ID.fullmatch(job_id):
        return jsonify(error=_("No such job.")), 404
    try:
        job = Job.fetch(job_id, connection=redis_handle.conn)
    except NoSuchJobError:
        return jsonify(error=_("No such job.")), 404
    except redis.RedisError:
        return jsonify(error=_("The job queue is unavailable; try again in a minute.")), 503
    if job.meta.get("shop_id") != g.shop.id:
        return jsonify(error=_("No such job.")), 404
    registry = FailedJobRegistry(queue=queues.get_queue(job.origin))
    if job.id not in registry.get_job_ids():
        return jsonify(requeued=False, message=_("This job is not failed any more.")), 200
    registry.requeue(job.id)
    return jsonify(requeued=True, message=_("Job queued again.")), 200
