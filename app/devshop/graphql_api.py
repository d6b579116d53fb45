"""Simulated Admin GraphQL API: `POST /{shop}/admin/api/{version}/graphql.json`.

Checks the access token like Shopify (401 with Shopify's message), charges every query to a real leaky
bucket and reports it in `extensions.cost`, answers THROTTLED (HTTP 200) when the bucket cannot pay,
and can be made to fail on purpose through `state.faults["graphql"]` (see faults.py for the shapes).
Also serves bulk operation result files.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, Response, current_app, jsonify, request
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode

from app.devshop import bulk as sim_bulk
from app.devshop import faults as sim_faults
from app.devshop.admin_mutations import Mutations
from app.devshop.admin_nodes import Nodes, lazy
from app.devshop.admin_perks import PerkMutations
from app.devshop.gql_exec import SimGraphQLError, connection, execute, gid_number
from app.devshop.state import DevShopState, SimShop

bp = Blueprint("devshop_graphql", __name__)
# Shopify answers fields in the order the query asked for them.
bp.record_once(lambda setup: setattr(setup.app.json, "sort_keys", False))

INVALID_TOKEN = sim_faults.INVALID_TOKEN
VERSION_RE = re.compile(r"^(\d{4}-(01|04|07|10)|unstable)$")
MAX_QUERY_COST = 1000
MUTATION_COST = 10


@dataclass
class LeakyBucket:
    """Shopify's calculated-cost limit: `maximum` points, refilled at `restore_rate` points per second."""

    maximum: float = 2000.0
    restore_rate: float = 100.0
    clock: Callable[[], float] = time.monotonic
    available: float = -1.0
    at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _refill(self) -> None:
        now = self.clock()
        if self.available < 0:
            self.available, self.at = self.maximum, now
        self.available = min(self.maximum, self.available + (now - self.at) * self.restore_rate)
        self.at = now

    def take(self, cost: float) -> bool:
        with self.lock:
            self._refill()
            if cost > self.available:
                return False
            self.available -= cost
            return True

    def drain(self) -> None:
        with self.lock:
            self._refill()
            self.available = 0.0

    def refund(self, points: float) -> None:
        with self.lock:
            self.available = min(self.maximum, self.available + max(0.0, points))

    def status(self) -> dict:
        with self.lock:
            self._refill()
            return {"maximumAvailable": self.maximum, "currentlyAvailable": int(self.available),
                    "restoreRate": self.restore_rate}


def bucket_for(shop: SimShop) -> LeakyBucket:
    return shop.data.setdefault("bucket", LeakyBucket())


def query_root(state: DevShopState, shop: SimShop) -> dict:
    nodes = Nodes(shop, state.api_key)
    data = shop.data

    def by_gid(table: str, build):
        return lambda _ctx, id=None: (build(data[table][n]) if (n := gid_number(id)) in data[table] else None)  # noqa: A002

    return {
        "__typename": "QueryRoot", "shop": lazy(nodes.shop_node), "locations": nodes.locations,
        "location": by_gid("locations", nodes.location), "inventoryItem": by_gid("inventory_items",
                                                                                   nodes.inventory_item),
        "inventoryItems": nodes.inventory_items, "products": nodes.products,
        "product": by_gid("products", nodes.product), "productVariant": by_gid("variants", nodes.variant),
        "customers": nodes.customers, "customer": by_gid("customers", nodes.customer), "orders": nodes.orders,
        "order": by_gid("orders", nodes.order), "abandonedCheckouts": nodes.checkouts,
        "segments": connection(lambda: list(data.get("segments", {}).values()), lambda seg: seg,
                               fields=lambda seg: {"name": seg["name"]}),
        "bulkOperation": lambda _ctx, id: data["bulk_operations"].get(id),  # noqa: A002
        "shopLocales": lambda _ctx, published=False: [
            {"__typename": "ShopLocale", "locale": shop.primary_locale, "primary": True, "published": True,
             "name": shop.primary_locale}],
    }


def requested_cost(selection_set, variables: dict, fragments: dict) -> int:
    """Shopify's estimate: objects cost 1, a connection 2 plus its page size times its node's cost."""
    total = 0
    for sel in selection_set.selections:
        if isinstance(sel, InlineFragmentNode | FragmentSpreadNode):
            frag = sel if isinstance(sel, InlineFragmentNode) else fragments[sel.name.value]
            total += requested_cost(frag.selection_set, variables, fragments)
            continue
        if not isinstance(sel, FieldNode) or sel.selection_set is None or sel.name.value == "pageInfo":
            continue
        children = {s.name.value: s for s in sel.selection_set.selections if isinstance(s, FieldNode)}
        node_sel = children.get("nodes") or (children.get("edges") and _edge_node(children["edges"]))
        if node_sel is None:
            total += 1 + requested_cost(sel.selection_set, variables, fragments)
            continue
        size = 1
        for arg in sel.arguments:
            if arg.name.value in ("first", "last"):
                raw = arg.value
                size = int(variables.get(raw.name.value, 1) if hasattr(raw, "name") else raw.value)
        total += 2 + size * (1 + requested_cost(node_sel.selection_set, variables, fragments))
    return total


def _edge_node(edges: FieldNode):
    return next((s for s in edges.selection_set.selections if isinstance(s, FieldNode) and s.name.value == "node"),
                None)


def actual_cost(value) -> int:
    if isinstance(value, list):
        return sum(actual_cost(v) for v in value)
    if not isinstance(value, dict):
        return 0
    if isinstance(value.get("nodes"), list) or isinstance(value.get("edges"), list):
        items = value.get("nodes") or [e.get("node") for e in value.get("edges") or []]
        return 2 + sum(1 + actual_cost(n) for n in items)
    return sum(1 + actual_cost(v) if isinstance(v, dict) else actual_cost(v) for v in value.values())


def _state() -> DevShopState:
    return current_app.extensions["devshop_state"]


def _throttled(bucket: LeakyBucket, cost: int):
    _state().count("graphql:THROTTLED")
    return sim_faults.throttled(bucket, cost)


@bp.post("/<shop_domain>/admin/api/<version>/graphql.json")
def graphql(shop_domain: str, version: str):
    state = _state()
    shop = state.shops.get(shop_domain)
    if shop is None or not VERSION_RE.match(version):
        return jsonify(errors="Not Found"), 404
    if not state.check_access_token(shop_domain, request.headers.get("X-Shopify-Access-Token")):
        return jsonify(errors=INVALID_TOKEN), 401
    bucket = bucket_for(shop)
    state.count("graphql")
    fault = state.next_fault("graphql")
    if fault is not None:
        state.count(f"graphql:fault:{fault.get('status', 'delay') if isinstance(fault, dict) else fault}")
        if fault == "expire_token":  # the hour of the token in use ends as this request arrives
            state.expire_access_tokens(shop_domain)
            return jsonify(errors=INVALID_TOKEN), 401
        answer = sim_faults.http_fault(fault)
        if answer is not None:
            return answer
        sim_faults.wait_if_slow(fault)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return jsonify(errors={"query": "Required parameter missing or invalid"}), 400
    variables = body.get("variables") or {}
    return _run(state, shop, bucket, body["query"], variables, body.get("operationName"),
                throttle=fault == "THROTTLED")


def _run(state: DevShopState, shop: SimShop, bucket: LeakyBucket, query: str, variables: dict, name: str | None,
         *, throttle: bool = False):
    from graphql import parse
    from graphql.language import FragmentDefinitionNode

    from app.devshop.gql_exec import operation_of

    try:
        document = parse(query)
        op = operation_of(document, name)
    except Exception as exc:  # a syntax error, as Shopify reports it: 200 with errors
        return jsonify(errors=[{"message": str(exc)}])
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    is_mutation = op.operation.value == "mutation"
    # Shopify charges each mutation field: a document of 25 aliased tagsAdd costs 25 times one.
    mutations = len(op.selection_set.selections) if is_mutation else 0
    cost = MUTATION_COST * mutations if is_mutation else requested_cost(op.selection_set, variables, fragments)
    if cost > MAX_QUERY_COST:
        return jsonify(errors=[{"message": f"Query cost is {cost}, which exceeds the single query max cost limit "
                                           f"({MAX_QUERY_COST}).", "extensions": {"code": "MAX_COST_EXCEEDED"}}])
    if throttle:
        bucket.drain()  # an injected THROTTLED: as if another app had just spent the whole bucket
    if not bucket.take(cost):
        return _throttled(bucket, cost)
    state.count(f"graphql:{op.name.value if op.name else 'anonymous'}")
    nodes = Nodes(shop, state.api_key)

    def root_factory():
        return query_root(state, shop)

    root = {**Mutations(nodes, lambda q: sim_bulk.start(state, shop, root_factory, q)).root(),
            **PerkMutations(shop).fields()} if is_mutation else root_factory()
    try:
        with state.lock:
            _op, data = execute(query, variables, root, name)
    except SimGraphQLError as exc:
        bucket.refund(cost)
        return jsonify(errors=[exc.as_error()])
    actual = MUTATION_COST * mutations if is_mutation else min(cost, actual_cost(data))
    bucket.refund(cost - actual)
    return jsonify(data=data, extensions={"cost": {"requestedQueryCost": cost, "actualQueryCost": actual,
                                                   "throttleStatus": bucket.status()}})


@bp.get("/<shop_domain>/bulk/<number>.jsonl")
def bulk_file(shop_domain: str, number: str):
    shop = _state().shops.get(shop_domain)
    body = shop and shop.data.get("bulk_files", {}).get(number)
    if body is None:
        return jsonify(errors="Not Found"), 404

    def chunks():
        for start in range(0, len(body), 4096):
            yield body[start:start + 4096]

    return Response(chunks(), mimetype="application/jsonl")
