"""Blueprints: health, webhooks, admin (app home) and the app proxy."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.web import admin, admin_recovery, admin_warehouses, health, proxy, recovery_links, webhooks

    for module in (health, webhooks, admin, admin_warehouses, admin_recovery, proxy, recovery_links):
        app.register_blueprint(module.bp)

    # Passports: the admin page and API, and the public pages through the app proxy.
    from app.web import admin_traceability, proxy_passport

    for module in (admin_traceability, proxy_passport):
        app.register_blueprint(module.bp)
