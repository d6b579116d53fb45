"""A gate in front of the Shopify simulator (WSGI middleware, the simulator itself unchanged), so a test knows
exactly where a worker is before it kills it: it keeps every Admin API write the simulator applied, and can
hold one chosen request — a write before Shopify sees it, or a bulk result file part-way through — until
the test releases it."""

from __future__ import annotations

import io
import json
import threading
from collections import Counter


class AdminGate:
    def __init__(self, app) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.seen: Counter = Counter()  # requests by operation name (or "bulk-file")
        self.applied: list[tuple[str, dict]] = []  # (operation, variables) the simulator answered with data
        self.hold: tuple[str, int] | None = None  # (operation, n): hold the n-th such request
        self.hold_after_lines = 0  # for a bulk file: lines sent before holding
        self.arrived = threading.Event()
        self.release = threading.Event()

    def hold_request(self, operation: str, nth: int, *, after_lines: int = 0) -> None:
        self.hold, self.hold_after_lines = (operation, nth), after_lines

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        operation = "bulk-file" if environ.get("PATH_INFO", "").endswith(".jsonl") else _operation(body)
        with self.lock:
            self.seen[operation] += 1
            held = self.hold == (operation, self.seen[operation])
        if held and operation != "bulk-file":
            self.arrived.set()  # the worker is waiting on Shopify's answer; Shopify has not seen the write
            self.release.wait(120)
            start_response("502 Bad Gateway", [("Content-Type", "application/json")])
            return [b'{"errors":"Bad Gateway"}']
        captured = {}

        def keep(status, headers, exc_info=None):
            captured["status"] = status
            return start_response(status, headers, exc_info)

        answer = b"".join(self.app(environ, keep))
        if held:
            return self._part_then_hold(answer)
        if operation and captured.get("status", "").startswith("200") and body:
            try:
                data = json.loads(answer)
            except ValueError:
                data = {}
            if data.get("data") is not None and not data.get("errors"):
                with self.lock:
                    self.applied.append((operation, json.loads(body).get("variables") or {}))
        return [answer]

    def _part_then_hold(self, answer: bytes):
        lines = answer.splitlines(keepends=True)
        yield b"".join(lines[:self.hold_after_lines])
        self.arrived.set()
        self.release.wait(120)  # the rest never comes: the worker reading it is killed meanwhile

    def writes_per_customer(self, operation: str) -> tuple[Counter, Counter]:
        """(tag writes, metafield writes) per customer gid, over the applied `operation` requests."""
        tags: Counter = Counter()
        metafields: Counter = Counter()
        for name, variables in self.applied:
            if name == operation:
                tags.update(v for k, v in variables.items() if k.startswith("id"))
                metafields.update(m["ownerId"] for m in variables.get("metafields", []))
        return tags, metafields


def _operation(body: bytes) -> str | None:
    try:
        doc = json.loads(body)
    except ValueError:
        return None
    return doc.get("operationName") if isinstance(doc, dict) else None
