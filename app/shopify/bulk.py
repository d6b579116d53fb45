"""Bulk operations: start a bulk query, follow its status, stream its JSONL result in bounded memory.

Shopify writes one JSON object per line; the nodes of a nested connection come as their own lines
after their parent, pointing to it with `__parentId`. `grouped()` gives each root object with its
descendants, keeping only the current root's subtree in memory.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import httpx

from app.shopify.admin_api import AdminClient, load_operation

log = logging.getLogger(__name__)

FINISHED = frozenset({"COMPLETED", "FAILED", "CANCELED", "EXPIRED"})
# One root object with more descendants than this is not something our queries produce; stop, don't swell.
MAX_DESCENDANTS = 50_000


class BulkOperationFailed(RuntimeError):
    def __init__(self, status: BulkStatus) -> None:
        self.status = status
        super().__init__(f"bulk operation {status.id} ended {status.status} ({status.error_code or 'no code'})")


class BulkFormatError(RuntimeError):
    """A result line could not be read, or a child line came without its parent before it."""


@dataclass(frozen=True)
class BulkStatus:
    id: str
    status: str
    error_code: str | None = None
    url: str | None = None
    partial_data_url: str | None = None
    object_count: int = 0
    root_object_count: int = 0

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


@dataclass
class RootObject:
    node: dict
    children: list[dict] = field(default_factory=list)

    def of_type(self, kind: str) -> list[dict]:
        """Descendants whose GID is of `kind` (e.g. "ProductVariant", "LineItem")."""
        return [c for c in self.children if str(c.get("id", "")).startswith(f"gid://shopify/{kind}/")]


def bulk_query(operation_name: str, **substitutions: str) -> str:
    """The stored bulk query, with placeholders (e.g. QUERY_FILTER) replaced by escaped strings."""
    query = load_operation(operation_name)
    for placeholder, value in substitutions.items():
        escaped = json.dumps(value)[1:-1]  # a GraphQL string literal escapes like JSON
        query = query.replace(placeholder, escaped)
    return query


def start(client: AdminClient, operation_name: str, **substitutions: str) -> str:
    """Start a bulk query; returns the operation's GID. UserErrors (e.g. OPERATION_IN_PROGRESS) propagate."""
    data = client.execute("BulkOperationRunQuery", {"query": bulk_query(operation_name, **substitutions)})
    return data["bulkOperationRunQuery"]["bulkOperation"]["id"]


def status(client: AdminClient, bulk_gid: str) -> BulkStatus:
    node = client.execute("BulkOperationStatus", {"id": bulk_gid})["bulkOperation"]
    if node is None:
        return BulkStatus(id=bulk_gid, status="EXPIRED", error_code="NOT_FOUND")
    return BulkStatus(
        id=node["id"], status=node["status"], error_code=node.get("errorCode"), url=node.get("url"),
        partial_data_url=node.get("partialDataUrl"), object_count=int(node.get("objectCount") or 0),
        root_object_count=int(node.get("rootObjectCount") or 0),
    )


def wait(client: AdminClient, bulk_gid: str, *, timeout: float, interval: float = 2.0, max_interval: float = 15.0,
         sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic) -> BulkStatus:
    """Poll until the operation finishes or `timeout` passes (the fallback when no webhook arrives)."""
    deadline = clock() + timeout
    current = status(client, bulk_gid)
    while not current.finished and clock() < deadline:
        sleep(min(interval, max(0.0, deadline - clock())))
        interval = min(max_interval, interval * 1.5)
        current = status(client, bulk_gid)
    return current


def stream_lines(url: str, *, http: httpx.Client | None = None, timeout: float = 60.0) -> Iterator[dict]:
    """Each JSONL line as a dict, read from the network as it arrives (never the whole file at once)."""
    own = http is None
    http = http or httpx.Client(timeout=timeout)
    try:
        with http.stream("GET", url) as response:
            response.raise_for_status()
            for number, line in enumerate(response.iter_lines(), start=1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise BulkFormatError(f"line {number} of the bulk result is not JSON") from exc
    finally:
        if own:
            http.close()


def grouped(lines: Iterator[dict], *, max_descendants: int = MAX_DESCENDANTS) -> Iterator[RootObject]:
    """Root objects with their descendants. Memory: one root's subtree at a time."""
    current: RootObject | None = None
    ids: set[str] = set()
    for line in lines:
        parent = line.pop("__parentId", None)
        if parent is None:
            if current is not None:
                yield current
            current = RootObject(line)
            ids = {line["id"]} if "id" in line else set()
            continue
        if current is None or parent not in ids:
            raise BulkFormatError(f"child {line.get('id')} arrived without its parent {parent} just before it")
        if len(current.children) >= max_descendants:
            raise BulkFormatError(f"{current.node.get('id')} has more than {max_descendants} descendants")
        current.children.append(line)
        if "id" in line:
            ids.add(line["id"])
    if current is not None:
        yield current
