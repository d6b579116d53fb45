"""Public passports through the app proxy: the page (Liquid, inside the shop's theme), the signed JSON,
the QR code and the shop's JWKS.

The page is sent as `application/liquid` so Shopify renders it inside the theme, which means Shopify
evaluates it as Liquid: everything a merchant typed is HTML-escaped and its braces turned into
character references, so `{{` or `{%` in a place name stays text. Nothing from the request is echoed
(a lot is shown only when it is one of the product's recorded lots).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from babel.dates import format_date
from flask import Blueprint, current_app, g, request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from app.models import Shop
from app.shopify import auth
from app.shopify.proxy import proxy_session, require_proxy_signature
from app.supply.geo import normalise_country
from app.supply.sentences import pick_locale
from app.traceability import page_texts, service, urls
from app.traceability import passport as rules
from app.traceability.publish import shipping_kg
from app.traceability.qr import qr_svg

bp = Blueprint("proxy_passport", __name__, url_prefix="/proxy")
bp.record_once(lambda state: auth.init_app(state.app))


def _liquid_safe(value: object) -> Markup:
    """HTML-escaped, with braces as character references: inert both as HTML and as Liquid."""
    if value is None:
        return Markup("")
    if isinstance(value, Markup):
        return value
    # The text is escaped on the line above, so marking the result safe adds nothing unescaped.
    return Markup(str(escape(value)).replace("{", "&#123;").replace("}", "&#125;"))  # noqa: S704


_pages = Environment(loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates" / "proxy"),
                     autoescape=select_autoescape(default=True), finalize=_liquid_safe)


def _answer(body: bytes | str, status: int = 200, mimetype: str = "application/json", **headers: str):
    response = current_app.response_class(body, status=status, mimetype=mimetype)
    response.headers.update(headers)
    return response


def _error(message: str, status: int):
    return _answer(json.dumps({"error": message}), status, **{"Cache-Control": "no-store"})


def _installed():
    if g.proxy.shop_id is None:
        return None
    return proxy_session().get(Shop, g.proxy.shop_id)


@bp.get("/jwks.json")
@require_proxy_signature
def jwks():
    shop = _installed()
    if shop is None:
        return _error("this shop does not have Flexchain installed", 404)
    body = json.dumps(service.key_set(proxy_session()), separators=(",", ":"))
    return _answer(body, **{"Cache-Control": "public, max-age=300"})


def _passport(product_id: int):
    shop = _installed()
    if shop is None:
        return None, None
    return shop, service.passport(proxy_session(), shop, product_id, urls.jwks_uri(shop.domain))


@bp.get("/passport/<int:product_id>.json")
@require_proxy_signature
def passport_json(product_id: int):
    shop, found = _passport(product_id)
    if found is None or not found.document["records"]:
        return _error("no passport for this product", 404)
    body = json.dumps(found.document, ensure_ascii=False, indent=2)
    return _answer(body, **{"Cache-Control": "public, max-age=60",
                            "Content-Disposition": f'attachment; filename="passport-{product_id}.json"'})


@bp.get("/passport/<int:product_id>/qr.svg")
@require_proxy_signature
def passport_qr(product_id: int):
    shop, found = _passport(product_id)
    if found is None:
        return _error("no passport for this product", 404)
    headers = {"Cache-Control": "public, max-age=86400"}
    if request.args.get("download") == "1":
        headers["Content-Disposition"] = f'attachment; filename="passport-{product_id}-qr.svg"'
    return _answer(qr_svg(urls.passport_url(shop.domain, product_id)), mimetype="image/svg+xml", **headers)


@bp.get("/certificates/<digest>")
@require_proxy_signature
def certificate_file(digest: str):
    """A certificate a passport links to: always a download, never rendered as a page on the shop's domain."""
    from app.traceability import certificates

    shop = _installed()
    found = certificates.load(proxy_session(), shop.id, digest) if shop is not None else None
    if found is None:
        return _error("no such certificate", 404)
    return _answer(found.data, mimetype=found.content_type, **{
        "Content-Disposition": f'attachment; filename="{found.filename}"', "X-Content-Type-Options": "nosniff",
        "Cache-Control": "public, max-age=31536000, immutable"})


@bp.get("/passport/<int:product_id>")
@require_proxy_signature
def passport_page(product_id: int):
    shop, found = _passport(product_id)
    if found is None:
        return _error("no passport for this product", 404)
    records = found.document["records"]
    lot = request.args.get("lot")
    lot = lot if lot in rules.lots(records) else None
    language, locale = pick_locale(request.args.get("locale"))
    words = page_texts.texts(language)
    steps = rules.current_steps(records, lot)
    # The shopper's country when the storefront passes it (`?country=FR`), so the route is theirs.
    country = normalise_country(request.args.get("country") or "") if request.args.get("country") else None
    shipping = shipping_kg(proxy_session(), shop.id, product_id, datetime.now(UTC), country)
    production = rules.production_kg(steps)
    html = _pages.get_template("passport.html").render(
        shop=shop, product=found.product, product_id=product_id, lot=lot, steps=steps,
        places=_places(steps), certificates=rules.certifications(steps), verification=found.verification,
        production_kg=production, shipping_kg=None if shipping is None else f"{shipping:.2f}",
        total_kg=_total(production, shipping), day=lambda iso: format_date(date.fromisoformat(iso), "medium",
                                                                           locale=locale),
        language=language, jwks_uri=urls.jwks_uri(shop.domain), t=words, stage_keys=page_texts.STAGE_KEYS,
        # The shop's name goes between the two parts of the sentence, escaped like every other value.
        verified_parts=words["verified"].replace("{n}", str(found.verification.length or 0)).split("{shop}", 1))
    return _answer(html, mimetype="application/liquid", **{"Cache-Control": "public, max-age=60"})


def _places(steps: list[dict]) -> list[dict]:
    seen: dict[tuple, dict] = {}
    for step in steps:
        key = (step["place"], step.get("country"))
        seen.setdefault(key, {"place": step["place"], "country": step.get("country"),
                              "latitude": step.get("latitude"), "longitude": step.get("longitude")})
    return list(seen.values())


def _total(production: str | None, shipping: float | None) -> str | None:
    if production is None and shipping is None:
        return None
    return f"{float(production or 0) + (shipping or 0):.2f}"
