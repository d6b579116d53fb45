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

    # The admin shell's pages: dashboard, recovery, membership and status (English and Chinese).
    from app import i18n
    from app.web import admin_dashboard, admin_membership, admin_recovery_page, admin_status

    i18n.init_app(app)
    for module in (admin_dashboard, admin_recovery_page, admin_membership, admin_status):
        app.register_blueprint(module.bp)

    # Privacy: customer data exports to download, the retention period, the staff access log.
    from app.web import admin_privacy

    app.register_blueprint(admin_privacy.bp)
