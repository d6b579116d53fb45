"""Order routing: should a new order leave the location Shopify assigned it for a faster one?

Pure: it takes the assigned location, the delivery options the promise engine found for the order and the
merchant's policy, and returns what to do and why in words a merchant can read. Only options that ship the
whole order from stock at one warehouse count: moving never splits an order, and a backorder is no reason
to move.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.supply.options import DeliveryOption, rank_key


class Action(StrEnum):
    MOVED = "moved"
    KEPT = "kept"
    SKIPPED = "skipped"  # the fulfillment order cannot or must not be moved
    FAILED = "failed"  # Shopify refused the move


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    min_gain_days: int = 2
    always_for_tiers: frozenset[str] = frozenset({"gold"})

    @classmethod
    def of(cls, min_gain_days: int, always_for_tiers: Iterable[str]) -> RoutingPolicy:
        return cls(min_gain_days, frozenset(t.strip().lower() for t in always_for_tiers if t and t.strip()))


@dataclass(frozen=True, slots=True)
class Choice:
    action: Action
    to_warehouse_id: str | None  # where the order should ship from (the current one when kept)
    reason: str
    window: tuple[date, date] | None = None  # the delivery window from that warehouse, when known

    @property
    def moves(self) -> bool:
        return self.action is Action.MOVED


def complete_options(options: Iterable[DeliveryOption]) -> list[DeliveryOption]:
    """Single-warehouse options shipping every line from stock, fastest first."""
    return sorted((o for o in options if not o.split and not o.backorder), key=rank_key)


def _window(option: DeliveryOption | None) -> tuple[date, date] | None:
    return None if option is None else (option.earliest, option.latest)


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def decide(current_id: str, options: Sequence[DeliveryOption], tier: str | None,
           policy: RoutingPolicy) -> Choice:
    """Move to the fastest complete warehouse when the customer's tier always gets it, or when it delivers at
    least `min_gain_days` earlier (on the latest promised date) than the assigned location; else keep."""
    complete = complete_options(options)
    if not complete:
        return Choice(Action.KEPT, current_id, "no single warehouse can ship the whole order from stock")
    best = complete[0]
    best_id = best.warehouse_ids[0]
    current = next((o for o in complete if o.warehouse_ids[0] == current_id), None)
    if best_id == current_id or (current is not None and current.latest <= best.latest):
        return Choice(Action.KEPT, current_id, "the assigned location is already the fastest that can ship it "
                      f"complete (arrives by {(current or best).latest.isoformat()})", _window(current or best))
    by = f"arrives by {best.latest.isoformat()}"
    member = tier is not None and tier.lower() in policy.always_for_tiers
    if current is None:
        why = f"the assigned location cannot ship the whole order from stock; {by}"
        return Choice(Action.MOVED, best_id, f"{tier} member: {why}" if member else why, _window(best))
    gain = (current.latest - best.latest).days
    compare = f"{by} instead of {current.latest.isoformat()}"
    if member:
        return Choice(Action.MOVED, best_id, f"{tier} member: fastest complete warehouse, {compare}", _window(best))
    if gain >= policy.min_gain_days:
        return Choice(Action.MOVED, best_id, f"{_days(gain)} faster: {compare}", _window(best))
    return Choice(Action.KEPT, current_id, f"moving would gain {_days(gain)}, less than the "
                  f"{_days(policy.min_gain_days)} threshold", _window(current))
