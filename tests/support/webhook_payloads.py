"""Distinct Shopify payloads in bulk, from the simulator's samples: every order, line, checkout and
customer gets ids of its own, so many deliveries make many records (tests, benchmarks, faults)."""

from __future__ import annotations

from typing import Any

from app.devshop.sender import build_payload


def _gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def order(n: int, *, customer: int | None = None, lines: int = 2, topic: str = "orders/paid",
          updated_at: str = "2026-03-01T10:00:00Z") -> dict[str, Any]:
    """Order `n` (ids from 10^9 up, a real paid order, not a test one), `lines` lines, placed by customer
    `customer` (default: one of its own)."""
    payload = build_payload(topic)
    order_id = 10**9 + n
    sample_lines = payload["line_items"]
    payload.update(id=order_id, admin_graphql_api_id=_gid("Order", order_id), name=f"#B{n}", order_number=n,
                   checkout_token=f"bench-checkout-{n}", updated_at=updated_at, processed_at=updated_at,
                   test=False, financial_status="paid",
                   line_items=[dict(sample_lines[k % len(sample_lines)], id=order_id * 100 + k,
                                    admin_graphql_api_id=_gid("LineItem", order_id * 100 + k))
                               for k in range(lines)])
    customer_id = 2 * 10**9 + (n if customer is None else customer)
    payload["customer"] = dict(payload["customer"], id=customer_id,
                               admin_graphql_api_id=_gid("Customer", customer_id), email=f"c{customer_id}@example.com")
    return payload


def checkout(n: int, *, lines: int = 2, updated_at: str = "2026-03-01T10:00:00Z") -> dict[str, Any]:
    payload = build_payload("checkouts/update")
    sample_lines = payload["line_items"]
    payload.update(token=f"bench-checkout-{n}", cart_token=f"bench-cart-{n}", updated_at=updated_at,
                   email=f"shopper{n}@example.com", name=f"#C{n}",
                   line_items=[dict(sample_lines[k % len(sample_lines)], key=f"k{n}-{k}") for k in range(lines)])
    if isinstance(payload.get("customer"), dict):
        payload["customer"] = dict(payload["customer"], id=3 * 10**9 + n, email=f"shopper{n}@example.com")
    return payload
