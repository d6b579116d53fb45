"""Faults the simulator's Admin API can be made to answer, in the shapes Shopify answers them.

Armed per target on the state (`state.arm("graphql", 503, times=2)`, `state.arm_for("graphql", "THROTTLED",
seconds=1.5)`) or over HTTP (`POST /_faults`, below) by a test or a developer running `flexchain dev`.
A GraphQL fault is one of:

- "THROTTLED": HTTP 200 with `errors[].extensions.code == "THROTTLED"` and the bucket's
  `extensions.cost.throttleStatus`. The bucket is drained first (as another app sharing it would), so the
  reported status is honest: waiting `cost / restoreRate` seconds really is enough.
- 429, or {"status": 429, "retry_after": seconds}: Too Many Requests with a `Retry-After` header.
- 500: Shopify's JSON `{"errors": "Internal Server Error"}`; 502, 503, 504: the edge's HTML error page.
- 401: `[API] Invalid API key or access token`, as for an expired or revoked token.
- "expire_token": every access token of the shop expires as this request arrives (401 now, and for every
  later request that still carries one of them), as an expiring offline token does in the middle of a job.
- "timeout" or {"delay": seconds}: the answer comes late (2 s for "timeout") but the request is still
  carried out, like a mutation Shopify applied after the client gave up waiting; the worst case for
  anything that resends.

Token faults are state, not answers: `state.expire_access_tokens(shop)` (the Admin API answers 401 until a
refresh) and `state.revoke_refresh_tokens(shop)` (the token endpoint answers 400 invalid_grant).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from app.devshop.state import DevShopState

bp = Blueprint("devshop_faults", __name__)

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"  # noqa: S105
TOO_MANY = "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
EDGE_PAGES = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
TARGETS = ("graphql", "oauth", "bulk", "storefront_proxy")


def delay_of(fault: Any) -> float | None:
    """Seconds to wait before answering normally, for a slow-answer fault; None for any other fault."""
    if fault == "timeout":
        return 2.0
    if isinstance(fault, dict) and "delay" in fault:
        return float(fault["delay"])
    return None


def http_fault(fault: Any) -> tuple[Response, int] | None:
    """The HTTP answer for a status fault (429, 5xx, 401); None for THROTTLED and slow answers."""
    status = fault.get("status") if isinstance(fault, dict) else fault
    if not isinstance(status, int):
        return None
    if status == 401:
        return jsonify(errors=INVALID_TOKEN), 401
    if status == 429:
        response = jsonify(errors=TOO_MANY)
        retry_after = fault.get("retry_after", 1.0) if isinstance(fault, dict) else 1.0
        response.headers["Retry-After"] = f"{float(retry_after):.1f}"
        return response, 429
    if status in EDGE_PAGES:
        page = f"<!DOCTYPE html><html><head><title>{EDGE_PAGES[status]}</title></head><body><h1>{status} " \
               f"{EDGE_PAGES[status]}</h1></body></html>"
        return Response(page, mimetype="text/html"), status
    return jsonify(errors="Internal Server Error"), status


def throttled(bucket: Any, cost: int) -> Response:
    """Shopify's THROTTLED answer: HTTP 200, nothing executed, the bucket's status to plan the wait on."""
    return jsonify(errors=[{"message": "Throttled", "extensions": {
        "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
        extensions={"cost": {"requestedQueryCost": cost, "actualQueryCost": None,
                             "throttleStatus": bucket.status()}})


def wait_if_slow(fault: Any) -> bool:
    """Sleep for a slow-answer fault; True when the request should then be answered normally."""
    delay = delay_of(fault)
    if delay is None:
        return False
    time.sleep(delay)
    return True


# -- control over HTTP -------------------------------------------------------------------------------


def _state() -> DevShopState:
    return current_app.extensions["devshop_state"]


@bp.post("/_faults")
def arm():
    """`{"target": "graphql", "fault": 503, "times": 3}` or `{..., "seconds": 2.5}` (a window)."""
    body = request.get_json(silent=True) or {}
    target, fault = body.get("target", "graphql"), body.get("fault")
    if target not in TARGETS or fault is None:
        return jsonify(error=f"target must be one of {', '.join(TARGETS)} and fault must be given"), 400
    if body.get("seconds") is not None:
        _state().arm_for(target, fault, float(body["seconds"]))
    else:
        _state().arm(target, fault, times=max(1, int(body.get("times", 1))))
    return jsonify(armed=True)


@bp.delete("/_faults")
def clear():
    _state().clear_faults()
    return jsonify(cleared=True)


@bp.post("/<shop_domain>/_faults/expire-access-tokens")
def expire_access_tokens(shop_domain: str):
    return jsonify(expired=_state().expire_access_tokens(shop_domain))


@bp.post("/<shop_domain>/_faults/revoke-refresh-tokens")
def revoke_refresh_tokens(shop_domain: str):
    return jsonify(revoked=_state().revoke_refresh_tokens(shop_domain))
