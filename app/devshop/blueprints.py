"""The simulator's endpoints, one module each."""

from __future__ import annotations

from flask import Flask


def register(sim: Flask) -> None:
    from app.devshop import launch

    sim.register_blueprint(launch.bp)
    from app.devshop import oauth

    sim.register_blueprint(oauth.bp)
    from app.devshop import graphql_api

    sim.register_blueprint(graphql_api.bp)
    from app.devshop import storefront

    sim.register_blueprint(storefront.bp)
    from app.devshop import faults

    sim.register_blueprint(faults.bp)
