"""The Membership page (`GET /membership`) and its JSON API (`/api/membership/...`).

Saves are PUTs of the whole setting (tiers, perks) or of a member's pin, so sending one twice leaves the
same state. Each number is checked here field by field (the answer names the field, for the page to show
next to it); the rules across fields (order of thresholds, names used twice) are the membership package's,
and their message is shown next to the part it is about. A saved change of tiers queues a recompute: the
web edge never walks every customer.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import redis
from flask import Blueprint, current_app, g, jsonify, render_template, request
from sqlalchemy import func, or_, select

from app import i18n
from app import queue as queues
from app.field_crypto import email_index
from app.i18n import gettext as _
from app.membership import ledger, perks, rfm, service, tiers
from app.models import Customer, Membership, SpendEntry, TierChange
from app.privacy.access import log_customer_access
from app.shopify import auth

bp = Blueprint("admin_membership", __name__)
bp.record_once(lambda state: auth.init_app(state.app))
bp.record_once(lambda state: i18n.init_app(state.app))

PAGE_SIZE = 25
RULE_FIELDS = ("new_days", "dormant_days", "churned_days", "potential_min_orders", "potential_max_orders",
               "high_value_min_score")


def _invalid(errors: dict[str, str]):
    return jsonify(error=_("Some settings are not valid; nothing was saved."), errors=i18n.localise_all(errors)), 422


def _message(exc: Exception) -> object:
    """The rule's own message (a Translatable, localised by `_invalid`), not str(exc)'s plain English."""
    return exc.args[0] if exc.args else str(exc)


def _whole(errors: dict, name: str, raw: object, low: int, high: int) -> int | None:
    text = str(raw).strip() if raw is not None and not isinstance(raw, bool) else ""
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        errors[name] = _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
        return None
    return int(text)


def _tiers_input(body: dict, errors: dict) -> list[dict]:
    raw = body.get("tiers")
    if not isinstance(raw, list) or not raw:
        errors["tiers"] = _("Add at least one tier.")
        return []
    out = []
    for n, item in enumerate(raw[: tiers.MAX_TIERS + 1]):
        item = item if isinstance(item, dict) else {}
        name = str(item.get("name") or "").strip()
        if not name or len(name) > tiers.MAX_NAME:
            errors[f"tiers.{n}.name"] = _("A name of 1 to %(max)s characters.", max=tiers.MAX_NAME)
        try:
            threshold = Decimal(str(item.get("threshold", "")).strip())
            if not threshold.is_finite() or threshold < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[f"tiers.{n}.threshold"] = _("Enter an amount of zero or more.")
            threshold = Decimal(0)
        out.append({"name": name, "threshold": str(threshold), "over": bool(item.get("over", False))})
    return out


@bp.put("/api/membership/settings")
@auth.require_app_session
def save_settings():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error=_("Send the settings as a JSON object.")), 400
    errors: dict[str, str] = {}
    tier_rows = _tiers_input(body, errors)
    grace = _whole(errors, "grace_days", body.get("grace_days", 30), 0, 365)
    window = body.get("spend_window", ledger.TRAILING)
    if window not in ledger.WINDOWS:
        errors["spend_window"] = _("Choose a spend window.")
    rules_raw = body.get("rules") or {}
    rules = {name: _whole(errors, f"rules.{name}", rules_raw.get(name, getattr(rfm.SegmentRules(), name)), 1, 3650)
             for name in RULE_FIELDS} if isinstance(rules_raw, dict) else {}
    if errors:
        return _invalid(errors)
    try:
        service.save_settings(g.db, g.shop.id, tiers_raw=tier_rows, window=window, grace_days=grace, rules_raw=rules)
    except tiers.TierConfigError as exc:
        return _invalid({"tiers": _message(exc)})
    except rfm.SegmentRuleError as exc:
        return _invalid({"rules": _message(exc)})
    except ValueError as exc:
        return _invalid({"grace_days": _message(exc)})
    g.db.commit()
    queued = _queue_recompute()
    return jsonify(saved=True, recompute_queued=queued,
                   message=_("Saved. Members are being re-tiered.") if queued else _("Saved."))


def _queue_recompute() -> bool:
    try:
        queues.enqueue("worker.jobs.admin.recompute_membership", g.shop.id,
                       job_id=f"membership-recompute-{g.shop.id}", shop_id=g.shop.id, timeout=1800)
    except redis.RedisError:
        return False
    return True


@bp.put("/api/membership/perks")
@auth.require_app_session
def save_perks():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error=_("Send the perks as a JSON object.")), 400
    errors: dict[str, str] = {}
    raw_tiers = body.get("tiers") if isinstance(body.get("tiers"), dict) else {}
    clean: dict[str, dict] = {}
    for name, item in raw_tiers.items():
        item = item if isinstance(item, dict) else {}
        hours_raw = str(item.get("handling_hours") or "").strip()
        hours = _whole(errors, f"perks.{name}.handling_hours", hours_raw, 1, perks.MAX_HANDLING_HOURS) \
            if hours_raw else None
        clean[name] = {"discount_percent": item.get("discount_percent") or None,
                       "free_shipping": bool(item.get("free_shipping")),
                       "shipping_cap": item.get("shipping_cap") or None,
                       "handling_hours": hours, "priority": bool(item.get("priority"))}
    if errors:
        return _invalid(errors)
    try:
        service.save_perks(g.db, g.shop.id, {"discounts_enabled": bool(body.get("discounts_enabled")), "tiers": clean})
    except perks.PerkError as exc:
        name = str(exc).split(":", 1)[0]
        return _invalid({f"perks.{name}": _message(exc)} if name in clean else {"perks": _message(exc)})
    g.db.commit()
    return jsonify(saved=True, message=_("Saved."))


@bp.put("/api/membership/customers/<int:customer_id>/pin")
@auth.require_app_session
def pin(customer_id: int):
    body = request.get_json(silent=True)
    tier = body.get("tier") if isinstance(body, dict) else None
    if tier is not None and not isinstance(tier, str):
        return jsonify(error=_("tier must be a tier's name or null.")), 400
    if g.db.scalar(select(Customer.id).where(Customer.shopify_id == customer_id)) is None:
        return jsonify(error=_("No such customer in this store.")), 404
    try:
        service.pin_member(g.db, g.shop, customer_id, tier or None)
    except tiers.TierConfigError:
        return _invalid({"tier": _("Choose one of your tiers.")})
    g.db.commit()
    row = g.db.scalar(select(Membership).where(Membership.customer_shopify_id == customer_id))
    return jsonify(tier=row.tier if row else None, pinned_tier=row.pinned_tier if row else None,
                   message=_("Saved."))


def _customers(q: str, tier: str, segment: str, page: int) -> list[tuple]:
    stmt = (select(Customer, Membership).outerjoin(Membership, Membership.customer_shopify_id == Customer.shopify_id)
            .where(Customer.deleted.is_(False)))
    if q:
        like = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # Emails are encrypted at rest: found whole, by their blind index; names still by any part.
        stmt = stmt.where(or_(Customer.email_hash == email_index(q),
                              func.lower(func.coalesce(Customer.first_name, "") + " " +
                                         func.coalesce(Customer.last_name, "")).like(like, escape="\\")))
    if tier:
        stmt = stmt.where(Membership.tier == tier)
    if segment:
        stmt = stmt.where(Membership.segment == segment)
    stmt = stmt.order_by(Membership.trailing_spend.desc().nulls_last(), Customer.shopify_id)
    return g.db.execute(stmt.limit(PAGE_SIZE + 1).offset(page * PAGE_SIZE)).all()


def _detail(customer_id: int) -> dict | None:
    customer = g.db.scalar(select(Customer).where(Customer.shopify_id == customer_id))
    if customer is None:
        return None
    member = g.db.scalar(select(Membership).where(Membership.customer_shopify_id == customer_id))
    changes = g.db.scalars(select(TierChange).where(TierChange.customer_shopify_id == customer_id)
                           .order_by(TierChange.at.desc()).limit(20)).all()
    spend = g.db.scalars(select(SpendEntry).where(SpendEntry.customer_shopify_id == customer_id)
                         .order_by(SpendEntry.occurred_at.desc()).limit(20)).all()
    return {"customer": customer, "member": member, "changes": changes, "spend": spend}


@bp.get("/membership")
@auth.require_app_session
def page():
    config = current_app.config["FLEXCHAIN"]
    settings = service.load_settings(g.db, g.shop.id)
    perk_settings = service.load_perks(g.db, g.shop.id)
    q = request.args.get("q", "").strip()[:100]
    tier, segment = request.args.get("tier", "")[:40], request.args.get("segment", "")[:20]
    page_raw = request.args.get("page", "0")
    page_no = min(int(page_raw), 10_000) if page_raw.isascii() and page_raw.isdigit() else 0
    rows = _customers(q, tier, segment, page_no)
    wanted = request.args.get("customer", "")
    detail = _detail(int(wanted)) if wanted.isascii() and wanted.isdigit() and len(wanted) < 19 else None
    log_customer_access(g.shop.id, g.shopify_user_id, "membership.list", [c.shopify_id for c, _m in rows[:PAGE_SIZE]])
    if detail:
        log_customer_access(g.shop.id, g.shopify_user_id, "membership.customer", [detail["customer"].shopify_id])
    keep = {k: v for k, v in request.args.items() if k not in ("id_token", "q", "tier", "segment", "page", "customer")}
    return render_template(
        "admin/membership.html", shop=g.shop, api_key=config.shopify_api_key,
        simulator_url=config.shopify_admin_base_url, settings=settings, perks=perk_settings,
        rules=settings.rules, rule_fields=RULE_FIELDS, segments=rfm.SEGMENTS, windows=ledger.WINDOWS,
        rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE, q=q, tier=tier, segment=segment, page_no=page_no,
        detail=detail, keep=keep, currency=g.shop.currency or "USD",
        tier_options=[(t.name, t.name) for t in settings.tiers])
