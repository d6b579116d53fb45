"""When a checkout counts as abandoned, which ones are flagged, and who is held out (pure; pass `now`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

TREATMENT = "treatment"
HOLDOUT = "holdout"


@dataclass(frozen=True)
class CheckoutState:
    has_email: bool
    has_phone: bool
    completed: bool  # completed_at or closed_at set by Shopify
    converted: bool  # an order is linked to it
    last_activity: datetime  # Shopify's updated_at (else created_at, else when we saw it)


def has_contact(state: CheckoutState) -> bool:
    # Email is the channel today; a phone-only checkout is still a case (for the SMS channel later) but is
    # never messaged by email.
    return state.has_email or state.has_phone


def abandonment_due(last_activity: datetime, delay_minutes: int) -> datetime:
    return last_activity + timedelta(minutes=delay_minutes)


def verdict(state: CheckoutState, delay_minutes: int, now: datetime) -> str:
    """`converted`, `closed`, `abandoned`, `wait` (not yet: look again at the due time) or `ignore`
    (no contact details: a cart-like demand signal, never a case)."""
    if state.converted:
        return "converted"
    if state.completed:
        return "closed"
    if not has_contact(state):
        return "ignore"
    if now < abandonment_due(state.last_activity, delay_minutes):
        return "wait"
    return "abandoned"


def is_high_value(value: Decimal | None, threshold: Decimal) -> bool:
    return value is not None and value > threshold


def is_repeat(abandoned_in_window: int, min_checkouts: int) -> bool:
    """`abandoned_in_window` counts this checkout too: "several abandoned checkouts in 30 days"."""
    return abandoned_in_window >= min_checkouts


def assign_group(shop_id: int, checkout_token: str, holdout_percent: int) -> str:
    """A uniform draw from a hash of the checkout, so the assignment is random with respect to anything about
    the shopper, yet the same on every re-run of a detection that crashed half-way."""
    digest = hashlib.sha256(f"holdout:{shop_id}:{checkout_token}".encode()).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64  # in [0, 1)
    return HOLDOUT if draw < holdout_percent / 100 else TREATMENT
