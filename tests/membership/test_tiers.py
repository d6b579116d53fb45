"""Tier rules: thresholds, validation, upgrades at once, downgrades at review after grace, pins."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from app.membership.tiers import (
    DEFAULT_TIERS,
    MemberState,
    Tier,
    TierConfigError,
    earned,
    on_spend,
    parse_tiers,
    pin,
    review,
)

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def tier_of(spend: str) -> str:
    return DEFAULT_TIERS[earned(DEFAULT_TIERS, D(spend))].name


def test_default_boundaries_read_as_the_brief():
    # Bronze under 500, Silver 500 to 2,000 (both included), Gold over 2,000.
    assert [tier_of(s) for s in ("0", "499.99", "500", "1999.99", "2000", "2000.01")] == [
        "Bronze", "Bronze", "Silver", "Silver", "Silver", "Gold"]


def test_a_merchant_tier_can_start_at_or_over_its_threshold():
    at = parse_tiers([{"name": "Base", "threshold": 0}, {"name": "Plus", "threshold": 100}])
    over = parse_tiers([{"name": "Base", "threshold": 0}, {"name": "Plus", "threshold": 100, "over": True}])
    assert at[earned(at, D("100"))].name == "Plus"
    assert over[earned(over, D("100"))].name == "Base"
    with pytest.raises(TierConfigError, match="starts at 0"):
        parse_tiers([{"name": "Base", "threshold": 0, "over": True}])


@pytest.mark.parametrize("raw, message", [
    ([], "between 1 and 5"),
    ([{"name": f"T{n}", "threshold": n * 10} for n in range(6)], "between 1 and 5"),
    ([{"name": "A", "threshold": 0}, {"name": "a", "threshold": 5}], "used twice"),
    ([{"name": "A", "threshold": 10}], "starts at 0"),
    ([{"name": "A", "threshold": 0}, {"name": "B", "threshold": 0}], "more spend"),
    ([{"name": "A", "threshold": 0}, {"name": "B", "threshold": -5}], "zero or more"),
    ([{"name": "A", "threshold": 0}, {"name": "B", "threshold": "lots"}], "must be a number"),
    ([{"name": "A", "threshold": 0}, {"name": "B", "threshold": "NaN"}], "zero or more"),
    ([{"name": " ", "threshold": 0}], "a name"),
])
def test_invalid_tiers_are_refused_with_a_reason(raw, message):
    with pytest.raises(TierConfigError, match=message):
        parse_tiers(raw)


def test_five_renamed_tiers_are_accepted():
    tiers = parse_tiers([{"name": n, "threshold": t} for n, t in
                         (("Leaf", 0), ("Twig", "100"), ("Branch", 250.5), ("Trunk", 1000), ("Root", 5000))])
    assert tiers[2] == Tier("Branch", D("250.5"))
    assert tiers[earned(tiers, D("4999.99"))].name == "Trunk"


def test_joining_and_upgrading_skip_levels_at_once():
    joined = on_spend(DEFAULT_TIERS, MemberState(None), D(100), T0)
    assert (joined.state.tier, joined.change.reason.split(":")[0]) == ("Bronze", "joined")
    up = on_spend(DEFAULT_TIERS, joined.state, D(2500), T0 + timedelta(days=1))
    assert (up.change.from_tier, up.change.to_tier, up.state.since) == ("Bronze", "Gold", T0 + timedelta(days=1))
    assert "upgrade" in up.change.reason


def test_downgrade_waits_for_review_after_grace_and_goes_one_level():
    gold = MemberState("Gold", T0)
    short = on_spend(DEFAULT_TIERS, gold, D(0), T0)
    assert short.change is None and short.state.tier == "Gold" and short.state.below_since == T0
    early = review(DEFAULT_TIERS, short.state, D(0), T0 + timedelta(days=29))
    assert early.change is None and early.state.last_review_at == T0 + timedelta(days=29)
    due = review(DEFAULT_TIERS, early.state, D(0), T0 + timedelta(days=30))
    assert (due.change.from_tier, due.change.to_tier) == ("Gold", "Silver")
    assert "downgrade at review" in due.change.reason
    # Still short of Silver: Silver gets its own grace period before Bronze.
    assert due.state.below_since == T0 + timedelta(days=30)
    assert review(DEFAULT_TIERS, due.state, D(0), T0 + timedelta(days=45)).change is None
    assert review(DEFAULT_TIERS, due.state, D(0), T0 + timedelta(days=60)).change.to_tier == "Bronze"


def test_spend_recovering_during_grace_cancels_the_downgrade():
    short = on_spend(DEFAULT_TIERS, MemberState("Gold", T0), D(10), T0).state
    back = on_spend(DEFAULT_TIERS, short, D(2500), T0 + timedelta(days=5))
    assert back.state.below_since is None
    assert review(DEFAULT_TIERS, back.state, D(2500), T0 + timedelta(days=40)).change is None


def test_review_ending_one_level_down_exactly_where_spend_is_clears_the_clock():
    short = on_spend(DEFAULT_TIERS, MemberState("Gold", T0), D(600), T0).state
    due = review(DEFAULT_TIERS, short, D(600), T0 + timedelta(days=31))
    assert due.state.tier == "Silver" and due.state.below_since is None


def test_pin_overrides_both_directions_and_unpin_lets_the_rules_back():
    pinned = pin(DEFAULT_TIERS, MemberState("Bronze", T0), "Gold", T0, D(0))
    assert pinned.change.to_tier == "Gold" and pinned.change.reason == "pinned to Gold"
    assert on_spend(DEFAULT_TIERS, pinned.state, D(0), T0).change is None
    assert review(DEFAULT_TIERS, pinned.state, D(0), T0 + timedelta(days=400)).state.tier == "Gold"
    low = pin(DEFAULT_TIERS, MemberState("Silver", T0), "Bronze", T0, D(5000))
    assert on_spend(DEFAULT_TIERS, low.state, D(5000), T0).state.tier == "Bronze"
    unpinned = pin(DEFAULT_TIERS, pinned.state, None, T0 + timedelta(days=1), D(0))
    # Unpinning does not drop anyone at once: the earned tier waits for a review like any downgrade.
    assert unpinned.state.tier == "Gold" and unpinned.state.below_since == T0 + timedelta(days=1)
    with pytest.raises(TierConfigError):
        pin(DEFAULT_TIERS, MemberState("Bronze", T0), "Platinum", T0, D(0))


def test_a_tier_the_merchant_removed_is_replaced_by_the_earned_one():
    decision = on_spend(DEFAULT_TIERS, MemberState("Platinum", T0), D(700), T0)
    assert decision.state.tier == "Silver" and "no longer exists" in decision.change.reason
