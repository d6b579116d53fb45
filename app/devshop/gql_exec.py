"""A small GraphQL executor for the simulator: walks the query's selection set over plain dicts.

Nodes are dicts keyed by Shopify field names; a value may be a callable taking the field's arguments
(connections, `quantities(names:)`, ...). Only requested fields are returned, aliases and fragments are
honoured, and an unknown field is an error, as on Shopify. Types are not checked here: our operations
are checked against Shopify's real schema in the tests.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from graphql import parse
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
)
from graphql.utilities import value_from_ast_untyped

MAX_PAGE = 250


class SimGraphQLError(Exception):
    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code

    def as_error(self) -> dict:
        err: dict[str, Any] = {"message": str(self)}
        if self.code:
            err["extensions"] = {"code": self.code}
        return err


class Context:
    def __init__(self, document: DocumentNode, variables: dict, *, bulk: bool = False) -> None:
        self.variables = variables
        self.bulk = bulk
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def operation_of(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        ops = [op for op in ops if op.name and op.name.value == name]
    if len(ops) != 1:
        raise SimGraphQLError(f"could not determine the operation to run ({name or 'unnamed'})")
    return ops[0]


def execute(query: str, variables: dict | None, root: dict, operation_name: str | None = None,
            *, bulk: bool = False) -> tuple[OperationDefinitionNode, dict]:
    try:
        document = parse(query)
    except Exception as exc:  # graphql-core raises GraphQLSyntaxError
        raise SimGraphQLError(f"syntax error: {exc}") from exc
    op = operation_of(document, operation_name)
    ctx = Context(document, variables or {}, bulk=bulk)
    return op, select(root, op.selection_set, ctx)


def select(obj: dict, selection_set, ctx: Context) -> dict:
    out: dict[str, Any] = {}
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            name = sel.name.value
            key = sel.alias.value if sel.alias else name
            if name == "__typename":
                out[key] = obj.get("__typename")
                continue
            if name not in obj:
                raise SimGraphQLError(f"Field '{name}' doesn't exist on type '{obj.get('__typename', '?')}'",
                                      "undefinedField")
            value = obj[name]
            if callable(value):
                args = {a.name.value: value_from_ast_untyped(a.value, ctx.variables) for a in sel.arguments}
                value = value(ctx, **args)
            out[key] = render(value, sel.selection_set, ctx)
        elif isinstance(sel, InlineFragmentNode | FragmentSpreadNode):
            frag = sel if isinstance(sel, InlineFragmentNode) else ctx.fragments[sel.name.value]
            cond = frag.type_condition.name.value if frag.type_condition else None
            if cond is None or cond == obj.get("__typename") or cond in obj.get("__implements", ()):
                out.update(select(obj, frag.selection_set, ctx))
    return out


def render(value: Any, selection_set, ctx: Context) -> Any:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [render(v, selection_set, ctx) for v in value]
    if selection_set is not None:
        return select(value, selection_set, ctx)
    return scalar(value)


def scalar(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def gid(kind: str, number: int | str) -> str:
    return f"gid://shopify/{kind}/{number}"


def gid_number(value: str | None) -> int | None:
    match = re.fullmatch(r"gid://shopify/\w+/(\d+)(\?.*)?", value or "")
    return int(match.group(1)) if match else None


# -- connections ------------------------------------------------------------------------------------

_TERM = re.compile(r"(\w+):(>=|<=|>|<)?('[^']*'|\"[^\"]*\"|\S+)")


def parse_search(query: str | None) -> list[tuple[str, str, str]]:
    """Shopify search syntax, the part we use: `field:value`, `field:>=value`, joined by spaces/AND."""
    return [(f, op or "=", v.strip("'\"")) for f, op, v in _TERM.findall(query or "")]


def matches(node_fields: dict[str, Any], terms: list[tuple[str, str, str]]) -> bool:
    for field, op, raw in terms:
        if field not in node_fields:
            continue  # Shopify ignores filters it does not know (and says so in a warning)
        have = node_fields[field]
        want: Any = raw
        if isinstance(have, datetime):
            want = _parse_time(raw)
        elif isinstance(have, int) and not isinstance(have, bool):
            want = int(raw)
        elif isinstance(have, str):
            have, want = have.lower(), raw.lower()
        ok = {"=": have == want, ">=": have >= want, "<=": have <= want, ">": have > want, "<": have < want}[op]
        if not ok:
            return False
    return True


def _parse_time(raw: str) -> datetime:
    value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)[1])
    except (ValueError, IndexError) as exc:
        raise SimGraphQLError("Invalid cursor for current pagination sort.", "BAD_REQUEST") from exc


def connection(
    items: Callable[[], Iterable[Any]],
    to_node: Callable[[Any], dict],
    *,
    fields: Callable[[Any], dict[str, Any]] = lambda item: {},
    sort_keys: dict[str, Callable[[Any], Any]] | None = None,
    default_sort: Callable[[Any], Any] = lambda item: item["id"],
) -> Callable[..., dict]:
    """A connection field: filters with `query`, sorts by `sortKey`, pages with `first`/`after`."""

    def resolve(ctx: Context, first: int | None = None, after: str | None = None, query: str | None = None,
                sortKey: str | None = None, reverse: bool = False, **_ignored: Any) -> dict:  # noqa: N803
        if not ctx.bulk:
            if first is None:
                raise SimGraphQLError("you must provide one of first or last", "BAD_REQUEST")
            if first > MAX_PAGE:
                raise SimGraphQLError(f"The first argument must not exceed {MAX_PAGE}", "BAD_REQUEST")
        terms = parse_search(query)
        chosen = [i for i in items() if matches(fields(i), terms)]
        key = (sort_keys or {}).get(sortKey or "", default_sort)
        chosen.sort(key=key, reverse=bool(reverse))
        start = _offset(after)
        end = len(chosen) if ctx.bulk else start + first
        page = chosen[start:end]
        nodes = [to_node(i) for i in page]
        edges = [{"__typename": "Edge", "node": n, "cursor": _cursor(start + k + 1)} for k, n in enumerate(nodes)]
        return {
            "__typename": "Connection",
            "__connection": True,
            "nodes": nodes,
            "edges": edges,
            "pageInfo": {
                "__typename": "PageInfo",
                "hasNextPage": end < len(chosen),
                "hasPreviousPage": start > 0,
                "startCursor": _cursor(start + 1) if nodes else None,
                "endCursor": _cursor(start + len(nodes)) if nodes else None,
            },
        }

    return resolve
