"""Tier rules, pure: which tier spend earns, and how a member moves between tiers.

A tier is reached when trailing spend is at least its threshold, or strictly over it when the tier says
`over` (the defaults read as the brief does: Silver from 500 to 2,000 inclusive, Gold over 2,000).
Upgrades apply at once. A downgrade waits for a review, after the grace period counted from the
moment spend first fell short, and goes one level at a time. A pin overrides both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from app.translatable import N_

MAX_TIERS = 5
MAX_NAME = 40
DEFAULT_GRACE = timedelta(days=30)


class TierConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Tier:
    name: str
    threshold: Decimal
    over: bool = False  # reached only strictly above the threshold

    def reached(self, spend: Decimal) -> bool:
        return spend > self.threshold if self.over else spend >= self.threshold


DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier("Bronze", Decimal(0)), Tier("Silver", Decimal(500)), Tier("Gold", Decimal(2000), over=True),
)


def parse_tiers(raw: Sequence[dict] | None) -> tuple[Tier, ...]:
    """Validated tiers from stored or submitted JSON ([{"name", "threshold"}]); None = the defaults."""
    if raw is None:
        return DEFAULT_TIERS
    tiers = []
    for n, item in enumerate(raw):
        name = str(item.get("name") or "").strip()
        try:
            threshold = Decimal(str(item.get("threshold")))
        except (InvalidOperation, ValueError) as exc:
            raise TierConfigError(N_("tier %(n)s: threshold must be a number", n=n + 1)) from exc
        tiers.append(Tier(name, threshold, bool(item.get("over", False))))
    return validate(tiers)


def validate(tiers: Sequence[Tier]) -> tuple[Tier, ...]:
    if not 1 <= len(tiers) <= MAX_TIERS:
        raise TierConfigError(N_("between 1 and %(max)s tiers, got %(count)s", max=MAX_TIERS, count=len(tiers)))
    names = set()
    for n, tier in enumerate(tiers):
        if not tier.name or len(tier.name) > MAX_NAME:
            raise TierConfigError(N_("tier %(n)s: a name of 1 to %(max)s characters", n=n + 1, max=MAX_NAME))
        if tier.name.lower() in names:
            raise TierConfigError(N_("tier %(n)s: the name '%(name)s' is used twice", n=n + 1, name=tier.name))
        names.add(tier.name.lower())
        if not tier.threshold.is_finite() or tier.threshold < 0:
            raise TierConfigError(N_("tier %(n)s: threshold must be zero or more", n=n + 1))
    if tiers[0].threshold != 0 or tiers[0].over:
        raise TierConfigError(N_("the first tier starts at 0, so every customer has a tier"))
    for lower, upper in zip(tiers, tiers[1:], strict=False):
        if upper.threshold <= lower.threshold:
            raise TierConfigError(N_("'%(upper)s' must need more spend than '%(lower)s'", upper=upper.name,
                                      lower=lower.name))
    return tuple(tiers)


def earned(tiers: Sequence[Tier], spend: Decimal) -> int:
    """Index of the highest tier the spend reaches."""
    level = 0
    for n, tier in enumerate(tiers):
        if tier.reached(spend):
            level = n
    return level


@dataclass(frozen=True)
class MemberState:
    tier: str | None  # None: not a member yet
    since: datetime | None = None
    pinned: str | None = None
    below_since: datetime | None = None
    last_review_at: datetime | None = None


@dataclass(frozen=True)
class Change:
    from_tier: str | None
    to_tier: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class Decision:
    state: MemberState
    change: Change | None = None


def _level(tiers: Sequence[Tier], name: str | None) -> int | None:
    return next((n for n, t in enumerate(tiers) if t.name == name), None)


def _move(state: MemberState, to: str, reason: str, now: datetime, **extra) -> Decision:
    change = Change(state.tier, to, reason, now)
    return Decision(replace(state, tier=to, since=now, **extra), change)


def on_spend(tiers: Sequence[Tier], state: MemberState, spend: Decimal, now: datetime) -> Decision:
    """Apply a new trailing spend: join, upgrade at once, or start/stop the grace clock."""
    target = earned(tiers, spend)
    if state.pinned is not None and _level(tiers, state.pinned) is not None:
        if state.tier != state.pinned:
            return _move(state, state.pinned, f"pinned to {state.pinned}", now, below_since=None)
        return Decision(state)
    current = _level(tiers, state.tier)
    if current is None:
        reason = "joined" if state.tier is None else f"tier {state.tier!r} no longer exists"
        return _move(state, tiers[target].name, f"{reason}: spend {spend}", now, below_since=None)
    if target > current:
        return _move(state, tiers[target].name, f"upgrade: spend {spend} reached {tiers[target].threshold}", now,
                     below_since=None)
    if target < current:
        if state.below_since is None:
            return Decision(replace(state, below_since=now))
        return Decision(state)
    if state.below_since is not None:
        return Decision(replace(state, below_since=None))
    return Decision(state)


def review(tiers: Sequence[Tier], state: MemberState, spend: Decimal, now: datetime,
           grace: timedelta = DEFAULT_GRACE) -> Decision:
    """The periodic review: one level down once spend has been short for the whole grace period."""
    decision = on_spend(tiers, state, spend, now)
    state = replace(decision.state, last_review_at=now)
    if decision.change is not None or state.pinned is not None:
        return Decision(state, decision.change)
    current, target = _level(tiers, state.tier), earned(tiers, spend)
    if current is None or target >= current or state.below_since is None or now - state.below_since < grace:
        return Decision(state)
    lower = tiers[current - 1]
    # Still short of the new tier: its own grace period starts now, so each step gets one.
    below = now if target < current - 1 else None
    return _move(state, lower.name, f"downgrade at review: spend {spend} below {tiers[current].threshold} "
                 f"for {(now - decision.state.below_since).days} days", now, below_since=below)


def pin(tiers: Sequence[Tier], state: MemberState, tier_name: str | None, now: datetime,
        spend: Decimal) -> Decision:
    """Pin to a tier (None unpins: spend rules apply again, a lower earned tier waits for review)."""
    if tier_name is not None and _level(tiers, tier_name) is None:
        raise TierConfigError(N_("no tier named '%(name)s'", name=tier_name))
    if tier_name is None:
        unpinned = replace(state, pinned=None, below_since=None)
        decision = on_spend(tiers, unpinned, spend, now)
        return decision
    return on_spend(tiers, replace(state, pinned=tier_name), spend, now)
