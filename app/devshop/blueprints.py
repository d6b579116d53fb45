"""The simulator's endpoints, one module each."""

from __future__ import annotations

from flask import Flask


def register(sim: Flask) -> None:
    from app.devshop import oauth

    sim.register_blueprint(oauth.bp)
