"""Bulk operations in the simulator: run the query over the seeded data, write JSONL, tell the app.

As on Shopify, the mutation returns at once with status CREATED; the work happens in the background,
the result is a JSONL file (one object per line, nested connection nodes on their own lines after
their parent with `__parentId`), and `bulk_operations/finish` is posted to the app when it is done.
A test can arm `state.faults["bulk"]` with "FAILED" to make the next operation fail, or set
`shop.data["bulk_delay"]` (seconds) to keep it RUNNING for a while.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
from flask import request

from app.devshop import catalog, sender
from app.devshop.gql_exec import SimGraphQLError, execute, gid
from app.devshop.state import DevShopState, SimShop

log = logging.getLogger(__name__)


def jsonl_lines(data: dict) -> Iterator[dict]:
    """Flatten a bulk query result: the root connection's nodes, each followed by its children."""
    (connection,) = data.values()
    for edge in connection.get("edges", []):
        yield from _flatten(edge["node"], None)


def _flatten(node: dict, parent_id: str | None) -> Iterator[dict]:
    line, children = {}, []
    for key, value in node.items():
        if isinstance(value, dict) and "edges" in value:
            children.append(value)
        else:
            line[key] = value
    if parent_id is not None:
        line["__parentId"] = parent_id
    yield line
    for child in children:
        for edge in child["edges"]:
            yield from _flatten(edge["node"], node.get("id"))


def start(state: DevShopState, shop: SimShop, root_factory, query: str) -> dict:
    """bulkOperationRunQuery: validate, record the operation, run it in the background."""
    running = [op for op in shop.data["bulk_operations"].values() if op["status"] in ("CREATED", "RUNNING")]
    if running:
        return {"bulkOperation": None, "userErrors": [{
            "__typename": "BulkOperationUserError", "field": ["query"], "code": "OPERATION_IN_PROGRESS",
            "message": f"A bulk query operation for this app and shop is already in progress: {running[0]['id']}."}]}
    try:
        execute(query, {}, root_factory(), bulk=True)
    except SimGraphQLError as exc:
        return {"bulkOperation": None, "userErrors": [{
            "__typename": "BulkOperationUserError", "field": ["query"], "code": "INVALID", "message": str(exc)}]}
    now = datetime.now(UTC)
    op = {"__typename": "BulkOperation", "id": gid("BulkOperation", catalog.new_id(shop)), "status": "CREATED",
          "type": "QUERY", "query": query, "errorCode": None, "objectCount": "0", "rootObjectCount": "0",
          "fileSize": None, "url": None, "partialDataUrl": None, "createdAt": now, "completedAt": None}
    shop.data["bulk_operations"][op["id"]] = op
    files_base = request.url_root.rstrip("/")  # keeps a mount prefix (the dev server serves us at /_devshop)
    fault = state.next_fault("bulk")
    timer = threading.Timer(float(shop.data.get("bulk_delay", 0.05)), _run,
                            args=(state, shop, root_factory, op, files_base, fault))
    timer.daemon = True
    timer.start()
    return {"bulkOperation": op, "userErrors": []}


def _run(state: DevShopState, shop: SimShop, root_factory, op: dict, files_base: str, fault) -> None:
    with state.lock:
        op["status"] = "RUNNING"
        try:
            if fault == "FAILED":
                raise SimGraphQLError("simulated failure")
            _op, data = execute(op["query"], {}, root_factory(), bulk=True)
            lines = list(jsonl_lines(data))
        except Exception as exc:  # a failed operation is reported, never raised in a timer thread
            log.info("simulated bulk operation %s failed: %s", op["id"], exc)
            op.update(status="FAILED", errorCode="INTERNAL_SERVER_ERROR", completedAt=datetime.now(UTC))
        else:
            body = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines).encode()
            number = op["id"].rsplit("/", 1)[1]
            shop.data.setdefault("bulk_files", {})[number] = body
            op.update(status="COMPLETED", objectCount=str(len(lines)),
                      rootObjectCount=str(sum(1 for line in lines if "__parentId" not in line)),
                      fileSize=str(len(body)), completedAt=datetime.now(UTC),
                      url=f"{files_base}/{shop.domain}/bulk/{number}.jsonl")
    if state.webhook_target:
        post_finish_webhook(state, shop, op)


def finish_payload(op: dict) -> dict:
    def iso(value):
        return value.astimezone(UTC).isoformat() if value else None

    return {"admin_graphql_api_id": op["id"], "completed_at": iso(op["completedAt"]),
            "created_at": iso(op["createdAt"]), "error_code": (op["errorCode"] or "").lower() or None,
            "status": op["status"].lower(), "type": op["type"].lower()}


def post_finish_webhook(state: DevShopState, shop: SimShop, op: dict) -> None:
    try:
        sender.deliver(state.webhook_target, "bulk_operations/finish", shop.domain, finish_payload(op),
                       state.api_secret)
        state.count("webhook:bulk_operations/finish")
    except httpx.HTTPError as exc:  # Shopify would retry; the app's poll fallback covers a lost delivery
        log.warning("could not deliver bulk_operations/finish to %s: %s", state.webhook_target, exc)
