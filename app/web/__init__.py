"""Blueprints: health, webhooks, admin (app home) and the app proxy."""

from __future__ import annotations

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

API_PREFIX = "/api/"


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in our URLs is always a key of a BIGINT column (a Shopify id or our own row id): a number
    beyond it is no such thing, so it is not found, rather than a database error and a 500."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002 - werkzeug's parameter name
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def _api_error_as_json(exc: HTTPException):
    # The JSON API is fetched by the admin's script, which reads `error`: an HTML error page (413 for a form
    # field over werkzeug's limit, 404, 405) would be shown to the merchant as a parse failure.
    if exc.code is not None and exc.code >= 400 and request.path.startswith(API_PREFIX):
        return jsonify(error=exc.description), exc.code
    return exc


class RequestJSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a body nested too deeply for Python's parser ("[[[[…" a few thousand times)
    is malformed JSON like any other (ValueError: `get_json(silent=True)` is None), not a RecursionError
    that would escape every view as a 500."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def register_blueprints(app: Flask) -> None:
    provider = RequestJSONProvider(app)
    provider.sort_keys = app.json.sort_keys
    app.json = provider
    # Before any rule is added: rules bind their converter class when they are created.
    app.url_map.converters["int"] = DatabaseIdConverter
    app.register_error_handler(HTTPException, _api_error_as_json)

    from app.web import admin, admin_recovery, admin_warehouses, health, proxy, recovery_links, webhooks

    for module in (health, webhooks, admin, admin_warehouses, admin_recovery, proxy, recovery_links):
        app.register_blueprint(module.bp)

    # Passports: the admin page and API, and the public pages through the app proxy.
    from app.web import admin_traceability, proxy_passport

    for module in (admin_traceability, proxy_passport):
        app.register_blueprint(module.bp)

    # The admin shell's pages: dashboard, recovery, membership and status (English and Chinese).
    from app import i18n
    from app.web import admin_dashboard, admin_membership, admin_recovery_page, admin_status

    i18n.init_app(app)
    for module in (admin_dashboard, admin_recovery_page, admin_membership, admin_status):
        app.register_blueprint(module.bp)

    # Privacy: customer data exports to download, the retention period, the staff access log.
    from app.web import admin_privacy

    app.register_blueprint(admin_privacy.bp)
