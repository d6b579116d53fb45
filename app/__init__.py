"""Flexchain: the Flask application factory (config, extensions, blueprints; nothing else)."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SessionInterface

from app.config import Config, load_config, set_active_config
from app.extensions import db, redis_handle


def create_app(config: Config | None = None) -> Flask:
    config = config or load_config()
    set_active_config(config)
    app = Flask(__name__, instance_path=str(_instance_path()))
    app.config["FLEXCHAIN"] = config
    app.config["SECRET_KEY"] = config.shopify_api_secret
    # Webhook bodies over 5 MB are refused with 413 before they are read.
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    app.json.sort_keys = False
    app.session_interface = _NoSessions()

    db.init(config.database_url)
    redis_handle.init(config.redis_url)

    from app.web import register_blueprints

    register_blueprints(app)
    return app


class _NoSessions(SessionInterface):
    """Flexchain keeps no cookie session: the admin proves itself with Shopify's id token on every request
    (a third-party cookie would not reach the embedded iframe anyway), webhooks and the app proxy are
    signed. Flask's signed-cookie session would still be opened and saved on every request."""

    def open_session(self, app, request):
        return None  # Flask then uses its (empty, unsaved) null session

    def save_session(self, app, session, response):
        return None


def _instance_path():
    from app.config import INSTANCE_DIR

    return INSTANCE_DIR
