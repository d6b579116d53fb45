"""The KPI dashboard (`GET /dashboard`), its JSON (`/api/dashboard`) and CSV (`/api/dashboard.csv`).

It reads only the daily tables the dashboard job keeps current (app/dashboard/build.py), so a load costs a
few small GROUP BYs however many orders the shop has.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request

from app import i18n
from app.dashboard import charts, export, read, stats
from app.dashboard.build import local_today
from app.i18n import gettext as _
from app.shopify import auth

bp = Blueprint("admin_dashboard", __name__)
bp.record_once(lambda state: auth.init_app(state.app))
bp.record_once(lambda state: i18n.init_app(state.app))


def _today() -> date:
    return local_today(g.shop, g.db.get_bind().dialect.name, datetime.now(UTC))


def _period() -> tuple[stats.Period, str | None]:
    today = _today()
    try:
        return stats.period_from(request.args, today), None
    except stats.PeriodError as exc:
        return stats.period_from({}, today), _(str(exc))


def _charts(data: dict) -> dict:
    currency = data["currency"]
    series = data["series"]
    return {
        "recovery": charts.lines(
            [i18n.day(s["day"], "short") for s in series],
            [(_("Abandoned"), [s["abandoned"] for s in series]), (_("Recovered"), [s["converted"] for s in series])],
            _("Abandoned and recovered checkouts per day")),
        "offers": charts.bars([(_(o["offer"]), o["revenue"]) for o in data["offers"]], _("Revenue by offer type"),
                              lambda v: i18n.money(v, currency)),
        "tiers": charts.bars([(t["tier"], t["members"]) for t in data["members"]["by_tier"]], _("Members by tier"),
                             i18n.number),
        "accuracy": charts.bars([(str(r["key"]), r["on_time"] or 0) for r in data["accuracy"]["warehouse"]],
                                _("Delivered on time by warehouse"), i18n.percent),
    }


@bp.get("/dashboard")
@auth.require_app_session
def page():
    config = current_app.config["FLEXCHAIN"]
    period, error = _period()
    data = read.dashboard(g.db, g.shop, period)
    keep = {k: v for k, v in request.args.items() if k not in ("id_token", "days", "from", "to")}
    return render_template("admin/dashboard.html", shop=g.shop, api_key=config.shopify_api_key,
                           simulator_url=config.shopify_admin_base_url, d=data, charts=_charts(data),
                           period_error=error, keep=keep, presets=stats.PRESETS,
                           days=request.args.get("days", "30" if not request.args.get("from") else ""),
                           csv_url=_csv_url(period), change=stats.change)


def _csv_url(period: stats.Period) -> str:
    from flask import url_for

    return url_for("admin_dashboard.csv_export", **{"from": period.start.isoformat(), "to": period.end.isoformat()})


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, stats.Period):
        return {"from": value.start.isoformat(), "to": value.end.isoformat(), "days": value.days}
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


@bp.get("/api/dashboard")
@auth.require_app_session
def api():
    try:
        period = stats.period_from(request.args, _today())
    except stats.PeriodError as exc:
        return jsonify(error=_(str(exc)), errors={"period": _(str(exc))}), 400
    return jsonify(_jsonable(read.dashboard(g.db, g.shop, period)))


@bp.get("/api/dashboard.csv")
@auth.require_app_session
def csv_export():
    try:
        period = stats.period_from(request.args, _today())
    except stats.PeriodError as exc:
        return jsonify(error=_(str(exc))), 400
    data = read.dashboard(g.db, g.shop, period)
    name = f"flexchain-dashboard-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(export.to_csv(export.dashboard_sections(data)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
