"""Admin GraphQL client: one per shop, pinned to ADMIN_API_VERSION.

Operations live in `graphql/<OperationName>.graphql` and are validated against Shopify's schema in the
tests. The client waits before Shopify's leaky bucket runs dry (using the last throttle status any
process saw for the shop), retries what is worth retrying (THROTTLED, 429, 5xx, timeouts) with a
capped exponential backoff, refreshes the token once on 401, and raises typed errors for the rest.

Resending is only safe when it cannot do a thing twice. Queries are always safe. THROTTLED, 429, 401 and a
connection never made mean Shopify did not run the request, so any mutation is resent. After a timeout, a
dropped connection or a 5xx Shopify may have applied it: only idempotent mutations are resent then (our
writes are idempotent by design: tags add/remove, metafieldsSet, order notes, updates and deletes by id land
in the same state however often they run). A create could make a second object, so it raises
AdminApiOutcomeUnknown instead and the job, which re-reads what exists before creating, decides.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from app.config import ADMIN_API_VERSION
from app.shopify.admin_errors import (
    AccessDenied,
    AdminApiError,
    AdminApiOutcomeUnknown,
    AdminApiUnavailable,
    GraphQLErrors,
    UserError,
    UserErrors,
)
from app.shopify.throttle import ThrottleStore, default_store, parse_throttle_status
from app.shopify.urls import graphql_url

log = logging.getLogger(__name__)

OPERATIONS_DIR = Path(__file__).resolve().parent / "graphql"
TokenProvider = Callable[[bool], str]
# Cost assumed for an operation never sent before; replaced by Shopify's requestedQueryCost once known.
DEFAULT_COST = 50.0
# A Retry-After beyond this is not waited out inside one job: the job gives up and is retried later.
RETRY_AFTER_CAP = 60.0
# Stored mutations that land in the same state when applied twice (see the module docstring).
IDEMPOTENT_MUTATIONS = frozenset({
    "TagsAdd", "TagsRemove", "MetafieldsSet", "OrderPriority", "SegmentUpdate", "DiscountAutomaticBasicUpdate",
    "DiscountAutomaticFreeShippingUpdate", "DiscountAutomaticDelete",
})

# The errors are re-exported: callers catch them from here.
__all__ = ["AccessDenied", "AdminApiError", "AdminApiOutcomeUnknown", "AdminApiUnavailable", "AdminClient",
           "GraphQLErrors", "UserError", "UserErrors", "load_operation"]


@cache
def load_operation(name: str) -> str:
    if not name.isidentifier():
        raise ValueError(f"not an operation name: {name!r}")
    path = OPERATIONS_DIR / f"{name}.graphql"
    if not path.is_file():
        raise ValueError(f"no GraphQL operation file for {name!r}")
    return path.read_text()


class _Retry(Exception):  # noqa: N818 - internal control flow, never escapes the client
    def __init__(self, reason: str, delay: float | None = None, *, maybe_applied: bool = False) -> None:
        self.reason = reason
        self.delay = delay
        # True when Shopify may have run the request before the failure (timeout, 5xx, dropped connection).
        self.maybe_applied = maybe_applied


class AdminClient:
    def __init__(
        self,
        shop_domain: str,
        token_provider: TokenProvider,
        base_url: str | None = None,
        *,
        version: str = ADMIN_API_VERSION,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        throttle_store: ThrottleStore | None = None,
        max_attempts: int = 6,
        backoff_base: float = 1.0,
        backoff_cap: float = 30.0,
        reserve: float = 1.0,
    ) -> None:
        self.shop_domain = shop_domain
        self.url = graphql_url(shop_domain, base_url, version)
        self.token_provider = token_provider
        self.http = http or httpx.Client(timeout=timeout)
        self.sleep = sleep
        self.clock = clock
        self.throttle = throttle_store if throttle_store is not None else default_store()
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.reserve = reserve
        self._costs: dict[str, float] = {}

    @classmethod
    def for_shop(cls, shop: Any, **kwargs: Any) -> AdminClient:
        """A client for an installed shop row, with tokens from app.shopify.tokens (refreshed as needed) and
        the timeout and retry budget from the config."""
        from app.shopify.tokens import current_config, offline_access_token

        config = kwargs.pop("config", None) or current_config()
        base_url = kwargs.pop("base_url", config.shopify_admin_base_url)
        kwargs.setdefault("timeout", config.admin_api_timeout)
        kwargs.setdefault("max_attempts", config.admin_api_max_attempts)
        kwargs.setdefault("backoff_base", config.admin_api_backoff_base)
        kwargs.setdefault("backoff_cap", config.admin_api_backoff_cap)
        shop_id = shop.id
        return cls(shop.domain, lambda force: offline_access_token(shop_id, force_refresh=force, config=config),
                   base_url, **kwargs)

    def close(self) -> None:
        self.http.close()

    # -- public API ----------------------------------------------------------------------------------

    def execute(self, operation_name: str, variables: dict | None = None) -> dict:
        """Run a stored operation; returns `data`. Mutations with userErrors raise UserErrors."""
        document = load_operation(operation_name)
        mutation = _is_mutation(document)
        data = self.request(document, variables or {}, operation_name,
                            idempotent=not mutation or operation_name in IDEMPOTENT_MUTATIONS)
        if mutation:
            _raise_user_errors(operation_name, data)
        return data

    def paginate(
        self, operation_name: str, path: str | tuple[str, ...], variables: dict | None = None, *, page_size: int = 100
    ) -> Iterator[dict]:
        """Yield every node of the connection at `path` (e.g. "locations" or "location.inventoryLevels")."""
        keys = tuple(path.split(".")) if isinstance(path, str) else path
        variables = {"first": page_size, **(variables or {}), "after": (variables or {}).get("after")}
        while True:
            data = self.execute(operation_name, variables)
            connection = data
            for key in keys:
                connection = connection.get(key) if isinstance(connection, dict) else None
            if connection is None:
                return
            nodes = connection.get("nodes")
            if nodes is None:
                nodes = [edge["node"] for edge in connection.get("edges", [])]
            yield from nodes
            info = connection.get("pageInfo") or {}
            if not info.get("hasNextPage") or not info.get("endCursor"):
                return
            variables = {**variables, "after": info["endCursor"]}

    def request(self, document: str, variables: dict, operation_name: str | None = None, *,
                idempotent: bool | None = None) -> dict:
        """Send a document; `idempotent` says whether a mutation may be resent when its outcome is unknown
        (None: only if it is a query)."""
        if idempotent is None:
            idempotent = not _is_mutation(document)
        refreshed = False
        token = self.token_provider(False)
        name = operation_name or "anonymous"
        for attempt in range(self.max_attempts):
            self._wait_for_budget(name)
            try:
                return self._send(document, variables, operation_name, token)
            except _Unauthorized as exc:
                if refreshed:
                    raise AccessDenied(f"{self.shop_domain}: access token rejected after a refresh") from exc
                refreshed = True
                token = self.token_provider(True)
            except _Retry as retry:
                if retry.maybe_applied and not idempotent:
                    raise AdminApiOutcomeUnknown(
                        f"{self.shop_domain}: {name} may or may not have been applied ({retry.reason}); "
                        "not resent, as it is not idempotent") from None
                if attempt + 1 >= self.max_attempts:
                    raise AdminApiUnavailable(
                        f"{self.shop_domain}: {name} failed after {self.max_attempts} attempts ({retry.reason})"
                    ) from None
                delay = retry.delay if retry.delay is not None else self._backoff(attempt)
                log.info("admin api %s on %s: %s; retrying in %.2fs", name, self.shop_domain, retry.reason, delay)
                self.sleep(delay)
        raise AdminApiUnavailable(f"{self.shop_domain}: {name} gave up")

    # -- internals -----------------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff_cap, self.backoff_base * (2**attempt))

    def _wait_for_budget(self, name: str) -> None:
        status = self.throttle.get(self.shop_domain)
        if status is None:
            return
        cost = self._costs.get(name, DEFAULT_COST)
        now = self.clock()
        wait = status.wait_for(cost, now, self.reserve)
        if wait > 0:
            log.info("admin api bucket for %s low; waiting %.2fs before %s", self.shop_domain, wait, name)
            self.sleep(wait)
        # Book the points now, so other workers reading the shared status do not spend them too.
        self.throttle.put(self.shop_domain, status.spend(cost, now + wait))

    def _send(self, document: str, variables: dict, operation_name: str | None, token: str) -> dict:
        body: dict[str, Any] = {"query": document, "variables": variables}
        if operation_name:
            body["operationName"] = operation_name
        headers = {"X-Shopify-Access-Token": token, "Content-Type": "application/json",
                   "Accept": "application/json"}
        try:
            response = self.http.post(self.url, json=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise _Retry(f"no connection: {exc.__class__.__name__}") from exc  # nothing reached Shopify
        except httpx.TimeoutException as exc:
            raise _Retry(f"timeout: {exc.__class__.__name__}", maybe_applied=True) from exc
        except httpx.TransportError as exc:
            raise _Retry(f"transport error: {exc}", maybe_applied=True) from exc
        return self._handle(response, operation_name or "anonymous")

    def _handle(self, response: httpx.Response, name: str) -> dict:
        status = response.status_code
        if status == 401:
            raise _Unauthorized()
        if status == 403:
            raise AccessDenied(f"{self.shop_domain}: {name} forbidden (403): {response.text[:200]}")
        if status == 429:
            raise _Retry("429 Too Many Requests", _retry_after(response))
        if status >= 500:
            raise _Retry(f"HTTP {status}", maybe_applied=True)
        if status != 200:
            raise AdminApiUnavailable(f"{self.shop_domain}: {name} answered HTTP {status}: {response.text[:200]}")
        try:
            payload = response.json()
        except ValueError as exc:
            raise _Retry("response body is not JSON", maybe_applied=True) from exc
        self._record_cost(name, payload.get("extensions"))
        errors = payload.get("errors")
        if errors:
            self._raise_for_errors(name, errors, payload.get("data"))
        data = payload.get("data")
        if data is None:
            raise GraphQLErrors([{"message": "response has no data"}])
        return data

    def _raise_for_errors(self, name: str, errors: list | str, data: dict | None) -> None:
        if isinstance(errors, str):
            errors = [{"message": errors}]
        codes = {((e.get("extensions") or {}).get("code")) for e in errors if isinstance(e, dict)}
        if "THROTTLED" in codes:
            raise _Retry("THROTTLED", self._throttled_delay(name))
        if "ACCESS_DENIED" in codes:
            raise AccessDenied(f"{self.shop_domain}: {name}: {errors[0].get('message')}")
        if "INTERNAL_SERVER_ERROR" in codes:
            raise _Retry("INTERNAL_SERVER_ERROR", maybe_applied=True)
        raise GraphQLErrors(errors, data)

    def _record_cost(self, name: str, extensions: dict | None) -> None:
        now = self.clock()
        status = parse_throttle_status(extensions, now)
        if status is not None:
            self.throttle.put(self.shop_domain, status)
        with contextlib.suppress(KeyError, TypeError, ValueError):
            self._costs[name] = float(extensions["cost"]["requestedQueryCost"])

    def _throttled_delay(self, name: str) -> float:
        status = self.throttle.get(self.shop_domain)
        if status is None:
            return self.backoff_base
        # Shopify's throttleStatus says how far the bucket is from this cost and how fast it refills: wait
        # exactly that (with the same reserve as before any call), never a blind backoff.
        return max(status.wait_for(self._costs.get(name, DEFAULT_COST), self.clock(), self.reserve), 0.05)


class _Unauthorized(Exception):  # noqa: N818 - internal control flow
    pass


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return min(RETRY_AFTER_CAP, max(0.0, float(response.headers.get("Retry-After", ""))))
    except ValueError:
        return None


def _is_mutation(document: str) -> bool:
    return document.lstrip().startswith("mutation") or "\nmutation " in document


def _raise_user_errors(operation_name: str, data: dict) -> None:
    for payload in data.values():
        if not isinstance(payload, dict):
            continue
        raw = payload.get("userErrors") or []
        if raw:
            raise UserErrors(operation_name, [
                UserError(tuple(e["field"]) if e.get("field") else None, e.get("message", ""), e.get("code"))
                for e in raw
            ])
