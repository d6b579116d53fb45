"""The WSGI app the proxy benchmark serves: Flexchain as production builds it, plus the empty JSON endpoint
that the promise route is compared with (same process, same server, same run)."""

from __future__ import annotations

from flask import jsonify

from app import create_app

app = create_app()


@app.get("/bench/empty")
def empty():
    return jsonify(ok=True)
