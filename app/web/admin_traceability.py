"""The merchant's Passports page (`GET /traceability`) and its JSON API (`/api/traceability/...`).

Recording is append-only: a POST adds steps to a product's chain (an identical step already recorded is
reported, not added again, so a retried request changes nothing) and a correction is a new step that
names the one it supersedes. A CSV import is checked row by row first; one bad row records nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, g, jsonify, render_template, request
from sqlalchemy import func, select

from app import i18n
from app.i18n import gettext as _
from app.models import Product, ProvenanceRecord
from app.shopify import auth
from app.traceability import service, urls
from app.traceability.csv_import import InvalidCsv, RowError, parse_csv
from app.traceability.records import STAGES, InvalidStep, parse_step
from app.translatable import N_

bp = Blueprint("admin_traceability", __name__)
bp.record_once(lambda state: auth.init_app(state.app))
bp.record_once(lambda state: i18n.init_app(state.app))

MAX_STEPS_PER_REQUEST = 100
STAGE_NAMES = dict(zip(STAGES, (N_("Raw material"), N_("Production"), N_("Quality check"), N_("Packing"),
                                N_("Shipping")), strict=True))


def _localised(errors: object) -> object:
    """Messages in the staff member's language; field names, row numbers and step indexes as they are."""
    if isinstance(errors, dict):
        return {key: _localised(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_localised(item) for item in errors]
    return i18n.localise(errors)


def _row_errors(errors: list[RowError]) -> list[dict]:
    return [{**e.as_dict(), "message": i18n.localise(e.message)} for e in errors[:200]]


def _bad(message: str, errors: object = None, status: int = 400):
    body: dict = {"error": message}
    if errors is not None:
        body["errors"] = _localised(errors)
    return jsonify(body), status


def _products() -> list[dict]:
    counts = dict(g.db.execute(select(ProvenanceRecord.product_shopify_id, func.count())
                               .group_by(ProvenanceRecord.product_shopify_id)).all())
    rows = g.db.scalars(select(Product).where(Product.deleted.is_(False)).order_by(Product.title, Product.id))
    return [{"id": p.shopify_id, "title": p.title, "records": counts.get(p.shopify_id, 0)} for p in rows]


def _passport_json(product_id: int) -> dict | None:
    found = service.passport(g.db, g.shop, product_id, urls.jwks_uri(g.shop.domain))
    if found is None:
        return None
    base = urls.passport_url(g.shop.domain, product_id)
    return {"product": {"id": product_id, "title": found.product.title},
            "records": found.document["records"],
            "verification": {"ok": found.verification.ok, "problem": found.verification.problem,
                             "length": found.verification.length},
            "passport_url": base, "json_url": f"{base}.json", "qr_url": f"{base}/qr.svg?download=1"}


@bp.get("/traceability")
@auth.require_app_session
def page():
    config = current_app.config["FLEXCHAIN"]
    products = _products()
    wanted = request.args.get("product", "")
    selected_id = int(wanted) if wanted.isascii() and wanted.isdigit() else None
    if selected_id is None and products:
        selected_id = products[0]["id"]
    selected = _passport_json(selected_id) if selected_id is not None else None
    return render_template("admin/traceability.html", shop=g.shop, api_key=config.shopify_api_key,
                           simulator_url=config.shopify_admin_base_url, products=products, selected=selected,
                           stage_names={stage: _(label.msgid) for stage, label in STAGE_NAMES.items()})


@bp.get("/api/traceability/products/<int:product_id>/records")
@auth.require_app_session
def api_records(product_id: int):
    found = _passport_json(product_id)
    if found is None:
        return _bad(_("No such product in this store."), status=404)
    return jsonify(found)


@bp.post("/api/traceability/products/<int:product_id>/records")
@auth.require_app_session
def api_append(product_id: int):
    """Body: one step, or {"steps": [...]} for several in order."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _bad(_("The body must be a JSON object."))
    raw_steps = body.get("steps", [body])
    if not isinstance(raw_steps, list) or not 1 <= len(raw_steps) <= MAX_STEPS_PER_REQUEST:
        return _bad(_("steps must be a list of 1 to %(max)s steps.", max=MAX_STEPS_PER_REQUEST))
    today = datetime.now(UTC).date()
    steps, errors = [], {}
    for index, raw in enumerate(raw_steps):
        try:
            if not isinstance(raw, dict):
                raise InvalidStep({"step": N_("must be a JSON object")})
            steps.append(parse_step(raw, today))
        except InvalidStep as exc:
            errors[str(index)] = exc.errors
    if errors:
        return _bad(_("Some fields were refused; nothing was recorded."),
                    errors if len(raw_steps) > 1 else errors["0"])
    try:
        result = service.append_steps(g.db, g.shop, current_app.config["FLEXCHAIN"], product_id, steps,
                                      datetime.now(UTC))
    except service.UnknownProduct:
        return _bad(_("No such product in this store."), status=404)
    except InvalidStep as exc:
        return _bad(_("Some fields were refused; nothing was recorded."), exc.errors)
    g.db.commit()
    return jsonify(added=result.added, duplicates=result.duplicates, length=result.length,
                   head=result.head), 201 if result.added else 200


@bp.post("/api/traceability/import")
@auth.require_app_session
def api_import():
    """Body: the CSV itself (text/csv) or a multipart form with a `file` field."""
    upload = request.files.get("file")
    data = upload.read() if upload is not None else request.get_data()
    try:
        rows = parse_csv(data, datetime.now(UTC).date())
    except InvalidCsv as exc:
        return _bad(_("The file was not imported; fix these rows and send it again."), _row_errors(exc.errors))
    by_product: dict[int, list] = {}
    for product_id, step in rows:
        by_product.setdefault(product_id, []).append(step)
    unknown = [pid for pid in by_product if service.product_or_none(g.db, pid) is None]
    if unknown:
        return _bad(_("The file was not imported; fix these rows and send it again."), _row_errors([
            RowError(0, "product_id", N_("product %(id)s is not in this store", id=pid)) for pid in unknown]))
    now = datetime.now(UTC)
    added = duplicates = 0
    try:
        for product_id, steps in by_product.items():
            result = service.append_steps(g.db, g.shop, current_app.config["FLEXCHAIN"], product_id, steps, now)
            added, duplicates = added + len(result.added), duplicates + len(result.duplicates)
    except InvalidStep as exc:
        g.db.rollback()
        return _bad(_("The file was not imported; fix these rows and send it again."),
                    _row_errors([RowError(0, k, v) for k, v in exc.errors.items()]))
    g.db.commit()
    return jsonify(products=len(by_product), added=added, duplicates=duplicates), 201 if added else 200


@bp.post("/api/traceability/certificates")
@auth.require_app_session
def api_certificate_upload():
    """Multipart `file` (PDF, PNG or JPEG, up to 4 MB): stored once by its SHA-256; answers the address to
    put in a record's certificate link. Uploading the same file again answers the same address."""
    from app.traceability import certificates

    upload = request.files.get("file")
    if upload is None:
        return _bad(_("Send the certificate as a multipart form field named file."))
    data = upload.read(certificates.MAX_BYTES + 1)
    try:
        stored = certificates.store(g.db, g.shop.id, g.shop.domain, data, upload.filename)
    except certificates.BadFile as exc:
        return _bad(i18n.localise(exc.args[0] if exc.args else str(exc)))
    g.db.commit()
    return jsonify(url=stored.url, sha256=stored.sha256, filename=stored.filename,
                   content_type=stored.content_type, size=stored.size), 201


@bp.post("/api/traceability/products/<int:product_id>/publish")
@auth.require_app_session
def api_publish(product_id: int):
    """Re-publish the storefront metafield now (it is also published after every append)."""
    if service.product_or_none(g.db, product_id) is None:
        return _bad(_("No such product in this store."), status=404)
    service.queue_publish(g.shop.id, product_id)
    return jsonify(queued=True), 202

