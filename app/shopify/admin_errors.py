"""What the Admin API client raises: typed failures a job can tell apart (retry later, fix the input, ask
the merchant to re-authorise, or re-read before creating again)."""

from __future__ import annotations

from dataclasses import dataclass


class AdminApiError(Exception):
    """Base of every failure talking to the Admin API."""


class AdminApiUnavailable(AdminApiError):
    """Shopify did not answer usefully after our retries (5xx, 429, timeouts, throttling)."""


class AdminApiOutcomeUnknown(AdminApiUnavailable):
    """A non-idempotent mutation got no clear answer (timeout, 5xx): it may or may not have been applied."""


class AccessDenied(AdminApiError):
    """The token is rejected even after a refresh, or the app lacks a scope for this operation."""


class GraphQLErrors(AdminApiError):
    def __init__(self, errors: list[dict], data: dict | None = None) -> None:
        self.errors = errors
        self.data = data
        super().__init__("; ".join(str(e.get("message", e)) for e in errors) or "GraphQL error")


@dataclass(frozen=True)
class UserError:
    field: tuple[str, ...] | None
    message: str
    code: str | None = None


class UserErrors(AdminApiError):
    """A mutation was understood but refused (`userErrors`): fix the input, retrying will not help."""

    def __init__(self, operation: str, errors: list[UserError]) -> None:
        self.operation = operation
        self.errors = errors
        super().__init__(f"{operation}: " + "; ".join(
            f"{'.'.join(e.field) if e.field else '-'}: {e.message}" for e in errors
        ))
