"""The merchant's Warehouses page (`GET /warehouses`) and its JSON API (`/api/warehouses/...`).

Saves are JSON requests carrying the App Bridge id token as a Bearer header (no cookies, so embedded
admin works without third-party cookies). Every write is a PUT (or DELETE) keyed by what it describes, so
sending it twice leaves the same state; each is validated field by field and bumps the shop's supply
settings version so cached promises are recomputed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, g, jsonify, render_template, request
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import i18n
from app.i18n import gettext as _
from app.models import IncomingStock, Location, ShippingLane, SupplySettings, Variant, WarehouseProfile
from app.shopify import auth
from app.supply import versions
from app.supply.route_service import settings_for
from app.translatable import N_
from app.web import warehouse_input

bp = Blueprint("admin_warehouses", __name__)
bp.record_once(lambda state: auth.init_app(state.app))
bp.record_once(lambda state: i18n.init_app(state.app))

PROFILE_FIELDS = ("public_name", "latitude", "longitude", "timezone", "handling_days", "handling_hours",
                  "tier_handling", "cutoff", "working_weekdays", "holiday_country", "holiday_subdivision",
                  "safety_stock", "ships_cross_border", "is_default", "enabled")
LANE_FIELDS = ("country", "region", "service_level", "min_days", "max_days", "price", "currency", "mode")
DUPLICATE_LANE = {"service_level": N_("This warehouse already has a lane for that country, region and service "
                                      "level.")}
SETTINGS_FIELDS = ("routing_enabled", "routing_min_gain_days", "routing_always_for_tiers", "routing_service_level")


def _profile(location_id: int) -> WarehouseProfile | None:
    return g.db.scalar(select(WarehouseProfile).where(WarehouseProfile.location_shopify_id == location_id))


def _default_profile(location: Location) -> WarehouseProfile:
    return WarehouseProfile(location_shopify_id=location.shopify_id, handling_days=1, handling_hours=0,
                            tier_handling={}, cutoff="14:00", working_weekdays=[0, 1, 2, 3, 4], safety_stock=0,
                            ships_cross_border=True, is_default=False, enabled=True)


def _lane_json(lane: ShippingLane) -> dict:
    data = {name: getattr(lane, name) for name in LANE_FIELDS}
    data["price"] = None if lane.price is None else format(lane.price.normalize(), "f")
    return {"id": lane.id, **data}


def _incoming_json(row: IncomingStock, skus: dict[int, str | None]) -> dict:
    return {"id": row.id, "variant_id": row.variant_shopify_id, "sku": skus.get(row.variant_shopify_id),
            "quantity": row.quantity, "expected_on": row.expected_on.isoformat(), "note": row.note}


def _health() -> dict[int, object]:
    try:
        from app.supply.health import stock_health
    except ImportError:  # stock health ships with another part of the supply engine
        return {}
    report = stock_health(g.db, g.shop.id, datetime.now(UTC))
    return {w.location_shopify_id: w for w in report.warehouses}


def _warehouses() -> list[dict]:
    locations = g.db.scalars(select(Location).where(Location.active.is_(True)).order_by(Location.shopify_id)).all()
    profiles = {p.location_shopify_id: p for p in g.db.scalars(select(WarehouseProfile))}
    lanes = g.db.scalars(select(ShippingLane).order_by(ShippingLane.country, ShippingLane.region,
                                                       ShippingLane.service_level)).all()
    incoming = g.db.scalars(select(IncomingStock).order_by(IncomingStock.expected_on, IncomingStock.id)).all()
    skus = dict(g.db.execute(select(Variant.shopify_id, Variant.sku).where(
        Variant.shopify_id.in_({row.variant_shopify_id for row in incoming}))).all()) if incoming else {}
    health = _health()
    out = []
    for loc in locations:
        profile = profiles.get(loc.shopify_id) or _default_profile(loc)
        out.append({
            "location_id": loc.shopify_id, "name": loc.name, "city": loc.city, "country": loc.country_code,
            "shopify_latitude": loc.latitude, "shopify_longitude": loc.longitude,
            "profile": {name: getattr(profile, name) for name in PROFILE_FIELDS},
            "lanes": [_lane_json(x) for x in lanes if x.location_shopify_id == loc.shopify_id],
            "incoming": [_incoming_json(x, skus) for x in incoming if x.location_shopify_id == loc.shopify_id],
            "health": health.get(loc.shopify_id),
        })
    return out


def _settings_json() -> dict:
    settings = settings_for(g.db, g.shop.id)
    return {name: getattr(settings, name) for name in SETTINGS_FIELDS}


def _invalid(errors: dict[str, str]):
    # The keys are the form's field names (the page matches on them); the messages read in the staff
    # member's language.
    return jsonify(errors=i18n.localise_all(errors)), 422


def _saved(payload: dict, status: int = 200):
    g.db.commit()
    versions.bump_settings(g.shop.id)
    return jsonify(payload), status


def _location_or_404(location_id: int) -> Location | None:
    # g.db is bound to the verified shop: another shop's location is simply not found here.
    return g.db.scalar(select(Location).where(Location.shopify_id == location_id))


def _not_found(what: str = "warehouse"):
    message = _("No such lane in this store.") if what == "lane" else _("No such warehouse in this store.")
    return jsonify(error=message), 404


@bp.get("/warehouses")
@auth.require_app_session
def page():
    config = current_app.config["FLEXCHAIN"]
    return render_template("admin/warehouses.html", shop=g.shop, api_key=config.shopify_api_key,
                           simulator_url=config.shopify_admin_base_url, warehouses=_warehouses(),
                           settings=_settings_json())


@bp.get("/api/warehouses")
@auth.require_app_session
def api_list():
    warehouses = _warehouses()
    for w in warehouses:
        w["health"] = w["health"] and {"stockouts": w["health"].stockouts, "oversells": w["health"].oversells}
    return jsonify(warehouses=warehouses, settings=_settings_json())


@bp.put("/api/warehouses/<int:location_id>")
@auth.require_app_session
def api_save_profile(location_id: int):
    if _location_or_404(location_id) is None:
        return _not_found()
    values, errors = warehouse_input.profile_input(request.get_json(silent=True))
    if errors:
        return _invalid(errors)
    profile = _profile(location_id)
    if profile is None:
        profile = WarehouseProfile(shop_id=g.shop.id, location_shopify_id=location_id)
        g.db.add(profile)
    if values["is_default"]:
        # One default location per store: choosing this one un-chooses the others.
        g.db.execute(update(WarehouseProfile).where(WarehouseProfile.location_shopify_id != location_id)
                     .values(is_default=False))
    for name, value in values.items():
        setattr(profile, name, value)
    return _saved({"profile": {name: getattr(profile, name) for name in PROFILE_FIELDS}})


def _same_key(location_id: int, values: dict) -> ShippingLane | None:
    # Looked up by hand: the unique constraint cannot see two lanes whose region is NULL (whole country).
    return g.db.scalar(select(ShippingLane).where(
        ShippingLane.location_shopify_id == location_id, ShippingLane.country == values["country"],
        ShippingLane.region.is_(None) if values["region"] is None else ShippingLane.region == values["region"],
        ShippingLane.service_level == values["service_level"]))


def _store_lane(lane: ShippingLane, values: dict):
    with g.db.no_autoflush:
        clash = _same_key(lane.location_shopify_id, values)
    if clash is not None and clash is not lane:
        return _invalid(DUPLICATE_LANE)
    for name, value in values.items():
        setattr(lane, name, value)
    g.db.add(lane)
    try:
        g.db.flush()
    except IntegrityError:
        g.db.rollback()
        return _invalid(DUPLICATE_LANE)
    return _saved({"lane": _lane_json(lane)})


@bp.put("/api/warehouses/<int:location_id>/lanes")
@auth.require_app_session
def api_put_lane(location_id: int):
    """Create or replace the lane for (country, region, service level): the same request twice is one lane."""
    if _location_or_404(location_id) is None:
        return _not_found()
    values, errors = warehouse_input.lane_input(request.get_json(silent=True))
    if errors:
        return _invalid(errors)
    lane = _same_key(location_id, values)
    if lane is None:
        lane = ShippingLane(shop_id=g.shop.id, location_shopify_id=location_id)
    return _store_lane(lane, values)


def _lane(location_id: int, lane_id: int) -> ShippingLane | None:
    return g.db.scalar(select(ShippingLane).where(ShippingLane.id == lane_id,
                                                  ShippingLane.location_shopify_id == location_id))


@bp.put("/api/warehouses/<int:location_id>/lanes/<int:lane_id>")
@auth.require_app_session
def api_edit_lane(location_id: int, lane_id: int):
    lane = _lane(location_id, lane_id)
    if lane is None:
        return _not_found("lane")
    values, errors = warehouse_input.lane_input(request.get_json(silent=True))
    if errors:
        return _invalid(errors)
    return _store_lane(lane, values)


@bp.delete("/api/warehouses/<int:location_id>/lanes/<int:lane_id>")
@auth.require_app_session
def api_delete_lane(location_id: int, lane_id: int):
    lane = _lane(location_id, lane_id)
    if lane is not None:  # deleting what is already gone is a success: DELETE is idempotent
        g.db.delete(lane)
    return _saved({"deleted": lane is not None})


@bp.put("/api/warehouses/<int:location_id>/incoming")
@auth.require_app_session
def api_put_incoming(location_id: int):
    """Set the units of a variant expected at this warehouse on a date (replacing that date's figure)."""
    if _location_or_404(location_id) is None:
        return _not_found()
    values, errors = warehouse_input.incoming_input(request.get_json(silent=True), datetime.now(UTC).date())
    if errors:
        return _invalid(errors)
    ref = values.pop("variant")
    variant = g.db.scalar(select(Variant).where(
        Variant.shopify_id == int(ref) if ref.isdigit() and len(ref) < 19 else Variant.sku == ref).limit(1))
    if variant is None:
        return _invalid({"variant": N_("No product variant with that id or SKU in this store.")})
    row = g.db.scalar(select(IncomingStock).where(
        IncomingStock.location_shopify_id == location_id, IncomingStock.variant_shopify_id == variant.shopify_id,
        IncomingStock.expected_on == values["expected_on"]))
    if row is None:
        row = IncomingStock(shop_id=g.shop.id, location_shopify_id=location_id, variant_shopify_id=variant.shopify_id)
        g.db.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    g.db.flush()
    # A restock date is news for shoppers whose cart waited on this variant: stage 3's restock notice.
    from app.recovery.service import on_stock_changed

    on_stock_changed(g.db, g.shop.id, [variant.shopify_id])
    return _saved({"incoming": _incoming_json(row, {variant.shopify_id: variant.sku})})


@bp.delete("/api/warehouses/<int:location_id>/incoming/<int:row_id>")
@auth.require_app_session
def api_delete_incoming(location_id: int, row_id: int):
    row = g.db.scalar(select(IncomingStock).where(IncomingStock.id == row_id,
                                                  IncomingStock.location_shopify_id == location_id))
    if row is not None:
        g.db.delete(row)
    return _saved({"deleted": row is not None})


@bp.put("/api/supply-settings")
@auth.require_app_session
def api_save_settings():
    values, errors = warehouse_input.settings_input(request.get_json(silent=True))
    if errors:
        return _invalid(errors)
    settings = g.db.scalar(select(SupplySettings))
    if settings is None:
        settings = SupplySettings(shop_id=g.shop.id)
        g.db.add(settings)
    for name, value in values.items():
        setattr(settings, name, value)
    return _saved({"settings": {name: getattr(settings, name) for name in SETTINGS_FIELDS}})
