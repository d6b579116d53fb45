"""Transit: merchant lanes, the documented default model, and lanes that learn from measured deliveries."""

from decimal import Decimal

import pytest

from app.supply.carbon import parcel_kg_co2e
from app.supply.transit import (
    MIN_SAMPLES_TO_LEARN,
    Border,
    TransitSource,
    TransitTable,
    border_between,
    default_estimate,
    learned_stats,
)
from app.supply.types import Lane, Money, ServiceLevel, TransitSample, TransportMode


def test_borders():
    assert border_between("FR", "FR") is Border.DOMESTIC
    assert border_between("FR", "DE") is Border.CUSTOMS_UNION
    assert border_between("FR", "CH") is Border.CROSS_BORDER  # Switzerland is outside the EU customs union
    assert border_between("GB", "FR") is Border.CROSS_BORDER


@pytest.mark.parametrize(("km", "border", "level", "window", "mode"), [
    (300, Border.DOMESTIC, ServiceLevel.STANDARD, (1, 3), TransportMode.ROAD),
    (300, Border.DOMESTIC, ServiceLevel.EXPRESS, (1, 2), TransportMode.ROAD),  # halved, rounded up
    (300, Border.DOMESTIC, ServiceLevel.ECONOMY, (2, 5), TransportMode.ROAD),  # +1, x1.5 rounded up
    (880, Border.CUSTOMS_UNION, ServiceLevel.STANDARD, (2, 5), TransportMode.ROAD),
    (3200, Border.CROSS_BORDER, ServiceLevel.STANDARD, (6, 11), TransportMode.AIR),  # +2 days for 3,200 km
    (18000, Border.CROSS_BORDER, ServiceLevel.STANDARD, (7, 12), TransportMode.AIR),  # distance days capped at 3
])
def test_default_model(km, border, level, window, mode):
    est = default_estimate(km, border, level)
    assert (est.min_days, est.max_days) == window
    assert est.mode is mode
    assert est.source is TransitSource.DEFAULT
    assert est.price is None  # unknown, never guessed


def test_percentiles_are_nearest_rank():
    # 10 twos, 8 threes, 2 sixes: rank 10 of 20 is a 2 (p50), rank 18 is a 3 (p90).
    stats = learned_stats([2] * 10 + [3] * 8 + [6] * 2)
    assert (stats.p50, stats.p90, stats.samples) == (2, 3, 20)
    assert learned_stats([]) is None


def _samples(n):
    values = ([2] * 10 + [3] * 8 + [6] * 2)[:n]
    return [TransitSample("par", "DE", ServiceLevel.STANDARD, v) for v in values]


def test_learned_window_replaces_the_default_only_with_enough_samples():
    assert MIN_SAMPLES_TO_LEARN == 20
    too_few = TransitTable(samples=_samples(19)).estimate("par", "FR", "DE", None, ServiceLevel.STANDARD, 880)
    assert too_few.source is TransitSource.DEFAULT
    assert (too_few.min_days, too_few.max_days) == (2, 5)
    table = TransitTable(samples=_samples(20))
    learned = table.estimate("par", "FR", "DE", None, ServiceLevel.STANDARD, 880)
    assert learned.source is TransitSource.LEARNED
    assert (learned.min_days, learned.max_days) == (2, 3)
    # Other levels and lanes keep their defaults.
    assert table.estimate("par", "FR", "DE", None, ServiceLevel.EXPRESS, 880).source is TransitSource.DEFAULT


def test_regional_samples_teach_the_country_lane_too():
    samples = [TransitSample("par", "DE", ServiceLevel.STANDARD, 4, region="BY") for _ in range(20)]
    table = TransitTable(samples=samples)
    assert table.estimate("par", "FR", "DE", "BE", ServiceLevel.STANDARD, 880).min_days == 4
    assert table.stats[("par", "DE", "BY", ServiceLevel.STANDARD)].samples == 20


def test_merchant_lane_wins_and_a_regional_lane_beats_the_country_lane():
    lanes = [
        Lane("par", "DE", ServiceLevel.STANDARD, 1, 2, Money(Decimal("4.90"), "EUR"), TransportMode.RAIL),
        Lane("par", "DE", ServiceLevel.STANDARD, 3, 4, None, TransportMode.ROAD, region="BY"),
    ]
    table = TransitTable(lanes, _samples(20))
    country = table.estimate("par", "FR", "DE", "BE", ServiceLevel.STANDARD, 880)
    assert (country.min_days, country.max_days, country.mode, country.source) == (
        1, 2, TransportMode.RAIL, TransitSource.LANE)
    bavaria = table.estimate("par", "FR", "DE", "BY", ServiceLevel.STANDARD, 880)
    assert (bavaria.min_days, bavaria.max_days) == (3, 4)
    assert table.levels_for("par", "DE") == frozenset({ServiceLevel.STANDARD})
    assert table.levels_for("par", "JP") == frozenset(ServiceLevel)


def test_lane_rejects_an_inverted_window():
    with pytest.raises(ValueError, match="min_days"):
        Lane("par", "DE", ServiceLevel.STANDARD, 5, 2)


def test_carbon_by_mode_distance_and_weight():
    # 1 kg of goods + 0.2 kg packaging = 0.0012 t. Road: 1,000 km x 1.2 detour x 0.107 = 0.15408 kg.
    assert parcel_kg_co2e(1000, TransportMode.ROAD, 1000) == pytest.approx(0.1541, abs=1e-4)
    # Air: (1,000 + 95) km x 0.600 x 0.0012 t = 0.7884 kg; sea: 1,500 km x 0.016 x 0.0012 t = 0.0288 kg.
    assert parcel_kg_co2e(1000, TransportMode.AIR, 1000) == pytest.approx(0.7884, abs=1e-4)
    assert parcel_kg_co2e(1000, TransportMode.SEA, 1000) == pytest.approx(0.0288, abs=1e-4)
    assert parcel_kg_co2e(0, TransportMode.AIR, 1000) == 0
    with pytest.raises(ValueError):
        parcel_kg_co2e(-1, TransportMode.ROAD, 1000)
