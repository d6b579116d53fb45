"""Blueprints: health, webhooks, admin (app home), proxy, and the dev-only simulator."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from app.web import health

    app.register_blueprint(health.bp)
    from app.web import admin, proxy

    app.register_blueprint(admin.bp)
    app.register_blueprint(proxy.bp)
    app.register_blueprint(__import__("app.web.webhooks", fromlist=["bp"]).bp)
