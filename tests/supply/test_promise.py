"""Delivery promises over a small network; each window below is worked out by hand in the comments.

Network: Paris and Lyon (handling 1 business day, gold members 0), Auckland (1 day), New York (domestic only).
Cutoffs are 14:00 local, Monday to Friday, national holidays of each warehouse's country.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.supply.geo import GeoLevel, ResolvedPlace, resolve
from app.supply.options import PromiseStatus
from app.supply.promise import Network, promise
from app.supply.transit import TransitSource, TransitTable
from app.supply.types import (
    CartLine,
    Destination,
    Handling,
    IncomingStock,
    Inventory,
    Lane,
    Money,
    ServiceLevel,
    StockLevel,
    TransitSample,
    TransportMode,
    Warehouse,
)

PAR = Warehouse("par", "Paris DC", "Paris", "FR", 48.8566, 2.3522, "Europe/Paris",
                tier_handling=(("gold", Handling(days=0)),))
LYO = Warehouse("lyo", "Lyon DC", "Lyon", "FR", 45.764, 4.8357, "Europe/Paris")
AKL = Warehouse("akl", "Auckland DC", "Auckland", "NZ", -36.8485, 174.7633, "Pacific/Auckland")
NYC = Warehouse("nyc", "New York DC", "New York", "US", 40.7128, -74.006, "America/New_York",
                ships_cross_border=False)
# Tue 10 June 2025, 10:00 UTC = 12:00 in Paris (before the cutoff), 22:00 in Auckland (after it).
TUESDAY = datetime(2025, 6, 10, 10, 0, tzinfo=UTC)
BERLIN = resolve(Destination(country="DE", city="Berlin"))
PARIS = resolve(Destination(country="FR", city="Paris"))


def network(lanes=(), samples=()):
    return Network([PAR, LYO, AKL, NYC], TransitTable(lanes, samples))


def stock(*levels):
    return Inventory.build([StockLevel(v, w, n) for v, w, n in levels])


def test_best_option_versus_the_stores_default():
    # Paris: order Tue before cutoff, 1 day handling -> ships Wed 11 June. Berlin is in the EU customs union,
    # ~880 km: 2..5 business days -> Fri 13 .. Wed 18 June (Thu 12, Fri 13, Mon 16, Tue 17, Wed 18).
    # Auckland: after its cutoff, handling starts Wed 11, ships Thu 12 June 14:00 NZST = 04:00 in Berlin;
    # ~18,000 km cross-border: 7..12 days -> Mon 23 June .. Mon 30 June.
    result = promise(network(), stock(("v1", "par", 5), ("v1", "akl", 5)), [CartLine("v1", 1)], BERLIN, TUESDAY,
                     default_warehouse_id="akl")
    assert result.status is PromiseStatus.AVAILABLE
    assert result.best.warehouse_ids == ("par",)
    assert (result.best.earliest, result.best.latest) == (date(2025, 6, 13), date(2025, 6, 18))
    assert result.best.countdown == timedelta(hours=2)  # Paris cutoff 14:00 CEST = 12:00 UTC
    assert result.default.warehouse_ids == ("akl",)
    assert (result.default.earliest, result.default.latest) == (date(2025, 6, 23), date(2025, 6, 30))
    assert result.days_saved == 12
    assert result.best.shipments[0].mode is TransportMode.ROAD
    assert result.default.kg_co2e > result.best.kg_co2e  # air across the world vs a truck


def test_membership_tier_handling_ships_the_same_day():
    # Gold handling 0: ships Tue 10 June; +2 -> Thu 12, +5 -> Tue 17 June.
    result = promise(network(), stock(("v1", "par", 5)), [CartLine("v1", 1)], BERLIN, TUESDAY, tier="gold")
    assert (result.best.earliest, result.best.latest) == (date(2025, 6, 12), date(2025, 6, 17))
    assert result.best.shipments[0].dispatch_at == datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


def test_domestic_only_warehouse_is_skipped_abroad():
    inventory = stock(("v1", "nyc", 5))
    abroad = promise(network(), inventory, [CartLine("v1", 1)], BERLIN, TUESDAY)
    assert abroad.status is PromiseStatus.UNAVAILABLE
    home = promise(network(), inventory, [CartLine("v1", 1)], resolve(Destination("US", city="Boston")), TUESDAY)
    assert home.best.warehouse_ids == ("nyc",)


def test_warehouse_and_shopper_on_opposite_sides_of_the_date_line():
    # Tue 14 Jan 2025 00:30 UTC = Tue 13:30 in Auckland (NZDT, UTC+13) = Mon 13 Jan 14:30 in Honolulu (UTC-10).
    # Same-day handling ships Tue 14:00 NZDT = 01:00 UTC = Mon 13 Jan 15:00 in Honolulu, so transit counts
    # from Monday: +3 -> Thu 16 Jan; +5 -> Fri 17 (4), Mon 20 is Martin Luther King Jr. Day, Tue 21 (5).
    akl = Warehouse("akl", "Auckland DC", "Auckland", "NZ", -36.8485, 174.7633, "Pacific/Auckland",
                    handling=Handling(hours=4))  # part of a day: still the same day
    lane = Lane("akl", "US", ServiceLevel.STANDARD, 3, 5, Money(Decimal("25.00"), "NZD"), TransportMode.AIR)
    honolulu = resolve(Destination(country="US", region="HI", city="Honolulu"))
    assert honolulu.timezone == "Pacific/Honolulu"
    now = datetime(2025, 1, 14, 0, 30, tzinfo=UTC)
    result = promise(Network([akl], TransitTable([lane])), stock(("v1", "akl", 2)), [CartLine("v1", 2)],
                     honolulu, now)
    assert (result.best.earliest, result.best.latest) == (date(2025, 1, 16), date(2025, 1, 21))
    assert result.best.countdown == timedelta(minutes=30)
    assert result.best.price == Money(Decimal("25.00"), "NZD")
    assert result.best.shipments[0].transit_source is TransitSource.LANE


def test_split_shipment_when_no_single_location_holds_everything():
    # v1 only in Paris, v2 only in Lyon (and in Paris later, on 30 June). Both ship Wed 11 June; within France
    # 1..3 days -> Thu 12 .. Mon 16 June. The split beats the backorder from Paris.
    inventory = Inventory.build([StockLevel("v1", "par", 3), StockLevel("v2", "lyo", 3)],
                                [IncomingStock("v2", "par", 10, date(2025, 6, 30))])
    result = promise(network(), inventory, [CartLine("v1", 1), CartLine("v2", 2)], PARIS, TUESDAY,
                     default_warehouse_id="par")
    assert result.status is PromiseStatus.AVAILABLE
    assert result.best.split
    assert sorted(result.best.warehouse_ids) == ["lyo", "par"]
    assert {s.warehouse_id: s.lines for s in result.best.shipments} == {"par": (("v1", 1),), "lyo": (("v2", 2),)}
    assert (result.best.earliest, result.best.latest) == (date(2025, 6, 12), date(2025, 6, 16))
    # The default location waits for its restock: Mon 30 June, handling -> Tue 1 July, +1..3 -> Wed 2 .. Fri 4 July.
    assert result.default.backorder
    assert (result.default.earliest, result.default.latest) == (date(2025, 7, 2), date(2025, 7, 4))


def test_split_is_bounded_to_three_parcels():
    whs = [Warehouse(f"w{i}", f"W{i}", "Paris", "FR", 48.85, 2.35, "Europe/Paris") for i in range(4)]
    inventory = stock(*[(f"v{i}", f"w{i}", 1) for i in range(4)])
    result = promise(Network(whs), inventory, [CartLine(f"v{i}", 1) for i in range(4)], PARIS, TUESDAY)
    assert result.status is PromiseStatus.UNAVAILABLE
    three = promise(Network(whs), inventory, [CartLine(f"v{i}", 1) for i in range(3)], PARIS, TUESDAY)
    assert len(three.best.shipments) == 3


def test_backorder_from_the_next_restock_date():
    # Nothing on hand; 5 units reach Paris on Thu 12 June. Handling starts then and ends Fri 13 June;
    # within France 1..3 days -> Mon 16 .. Wed 18 June. No countdown: today's cutoff changes nothing.
    inventory = Inventory.build([], [IncomingStock("v1", "par", 5, date(2025, 6, 12))])
    result = promise(network(), inventory, [CartLine("v1", 2)], PARIS, TUESDAY)
    assert result.status is PromiseStatus.BACKORDER
    assert (result.best.earliest, result.best.latest) == (date(2025, 6, 16), date(2025, 6, 18))
    assert result.best.countdown is None


def test_unavailable_never_makes_up_a_date():
    # One unit incoming is not enough for two; reserved and safety stock are not for sale.
    inventory = Inventory.build([StockLevel("v1", "par", on_hand=3, reserved=2)],
                                [IncomingStock("v1", "lyo", 1, date(2025, 6, 12))])
    result = promise(network(), inventory, [CartLine("v1", 2)], PARIS, TUESDAY)
    assert result.status is PromiseStatus.UNAVAILABLE
    assert result.best is None and result.options == ()
    assert "restock" in result.reason
    careful = Network([Warehouse("par", "Paris DC", "Paris", "FR", 48.85, 2.35, "Europe/Paris", safety_stock=4)])
    assert promise(careful, stock(("v1", "par", 5)), [CartLine("v1", 2)], PARIS, TUESDAY).best is None


def test_unlocated_destination_is_unavailable():
    result = promise(network(), stock(("v1", "par", 5)), [CartLine("v1", 1)],
                     ResolvedPlace(GeoLevel.UNRESOLVED, reason="unknown country"), TUESDAY)
    assert result.status is PromiseStatus.UNAVAILABLE
    assert "located" in result.reason


def test_learned_lane_replaces_the_default_window():
    # 10 deliveries in 1 day and 10 in 2: p50 = 1, p90 = 2. Ships Wed 11 June -> Thu 12 .. Fri 13 June.
    samples = [TransitSample("par", "DE", ServiceLevel.STANDARD, d) for d in [1] * 10 + [2] * 10]
    learned = promise(network(samples=samples), stock(("v1", "par", 5)), [CartLine("v1", 1)], BERLIN, TUESDAY)
    assert learned.best.shipments[0].transit_source is TransitSource.LEARNED
    assert (learned.best.earliest, learned.best.latest) == (date(2025, 6, 12), date(2025, 6, 13))
    unlearned = promise(network(samples=samples[:19]), stock(("v1", "par", 5)), [CartLine("v1", 1)], BERLIN,
                        TUESDAY)
    assert unlearned.best.shipments[0].transit_source is TransitSource.DEFAULT
    assert unlearned.best.latest == date(2025, 6, 18)


def test_ties_on_date_go_to_the_cheaper_then_the_greener_option():
    lanes = [Lane("par", "FR", ServiceLevel.STANDARD, 1, 2, Money(Decimal("6.00"), "EUR")),
             Lane("lyo", "FR", ServiceLevel.STANDARD, 1, 2, Money(Decimal("5.00"), "EUR"))]
    inventory = stock(("v1", "par", 5), ("v1", "lyo", 5))
    cheaper = promise(network(lanes), inventory, [CartLine("v1", 1)], PARIS, TUESDAY)
    assert cheaper.best.warehouse_ids == ("lyo",)
    same_price = [Lane(w, "FR", ServiceLevel.STANDARD, 1, 2, Money(Decimal("5.00"), "EUR")) for w in ("par", "lyo")]
    greener = promise(network(same_price), inventory, [CartLine("v1", 1)], PARIS, TUESDAY)
    assert greener.best.warehouse_ids == ("par",)  # Paris to Paris is a shorter drive than Lyon to Paris


def test_any_service_level_picks_the_fastest():
    lanes = [Lane("par", "DE", ServiceLevel.STANDARD, 2, 4), Lane("par", "DE", ServiceLevel.EXPRESS, 1, 1)]
    result = promise(network(lanes), stock(("v1", "par", 5)), [CartLine("v1", 1)], BERLIN, TUESDAY,
                     service_level=None)
    assert result.best.shipments[0].service_level is ServiceLevel.EXPRESS
    assert result.best.latest == date(2025, 6, 12)  # ships Wed 11, one business day


def test_same_variant_on_two_lines_is_checked_for_its_total():
    result = promise(network(), stock(("v1", "par", 3)), [CartLine("v1", 2), CartLine("v1", 2)], PARIS, TUESDAY)
    assert result.status is PromiseStatus.UNAVAILABLE


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        promise(network(), stock(), [CartLine("v1", 1)], PARIS, datetime(2025, 6, 10, 10, 0))  # noqa: DTZ001
