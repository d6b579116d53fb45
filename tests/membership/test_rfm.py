"""RFM quintiles on a known dataset, ties, and the named segments with editable thresholds."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from app.membership.rfm import Activity, SegmentRuleError, SegmentRules, quintiles, score, segment

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_quintiles_of_ten_distinct_values():
    assert quintiles([10, 1, 2, 3, 4, 5, 6, 7, 8, 9]) == [5, 1, 1, 2, 2, 3, 3, 4, 4, 5]


def test_ties_share_a_score():
    assert quintiles([1, 1, 1, 1, 2]) == [1, 1, 1, 1, 5]
    assert quintiles([7]) == [1]


def test_scores_on_a_known_shop():
    # Customer n ordered n times, spent 100 * n, last ordered 10 * n days ago, first 20 * n + 40 days ago.
    acts = [Activity(n, NOW - timedelta(days=20 * n + 40), NOW - timedelta(days=10 * n), n, D(100 * n))
            for n in range(1, 11)]
    by_id = {s.customer_id: s for s in score(acts, NOW)}
    assert [by_id[n].monetary for n in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [by_id[n].frequency for n in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [by_id[n].recency for n in range(1, 11)] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert [by_id[n].segment for n in range(1, 11)] == [
        "active", "potential", "potential", "active", "active", "active", "active", "active", "dormant", "dormant"]
    assert score([], NOW) == []


def seg(first_days, last_days, orders, m_score=1, rules=None):
    act = Activity(1, NOW - timedelta(days=first_days), NOW - timedelta(days=last_days), orders, D(1))
    return segment(act, m_score, NOW, rules or SegmentRules())


def test_segments():
    assert seg(10, 10, 1) == "new"
    assert seg(29, 29, 5, 5) == "new"
    assert seg(30, 30, 1) == "active"
    assert seg(60, 5, 2) == "potential" and seg(60, 5, 3) == "potential" and seg(60, 5, 4) == "active"
    assert seg(60, 5, 9, 5) == "high_value"
    assert seg(400, 90, 9, 5) == "dormant"
    assert seg(400, 180, 9, 5) == "churned"


def test_thresholds_are_editable_and_validated():
    rules = SegmentRules.from_json({"dormant_days": "60", "high_value_min_score": 4})
    assert seg(200, 60, 9, 5, rules) == "dormant" and seg(200, 5, 9, 4, rules) == "high_value"
    for bad in ({"dormant_days": 200}, {"churn": 3}, {"new_days": "x"}, {"new_days": 0},
                {"potential_min_orders": 5}, {"high_value_min_score": 6}):
        with pytest.raises(SegmentRuleError):
            SegmentRules.from_json(bad)
