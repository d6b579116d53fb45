"""The routing rule: when a new order should leave its assigned location, and the reason given."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.supply.options import DeliveryOption, Shipment
from app.supply.routing import Action, RoutingPolicy, complete_options, decide
from app.supply.transit import TransitSource
from app.supply.types import ServiceLevel, TransportMode

POLICY = RoutingPolicy.of(2, ["gold"])


def option(*parts: tuple[str, int], backorder: bool = False) -> DeliveryOption:
    """An option shipping from each (warehouse, latest day of December) part."""
    return DeliveryOption(tuple(
        Shipment(wh, (("v1", 1),), ServiceLevel.STANDARD, TransportMode.ROAD, next(iter(TransitSource)),
                 datetime(2026, 11, 30, 16, tzinfo=UTC), date(2026, 12, day - 1), date(2026, 12, day), None,
                 100.0, 0.5, None, None, backorder)
        for wh, day in parts))


def test_gold_members_always_get_the_fastest_complete_warehouse_even_for_one_day():
    choice = decide("paris", [option(("paris", 5)), option(("milan", 4))], "gold", POLICY)
    assert (choice.action, choice.to_warehouse_id) == (Action.MOVED, "milan")
    assert choice.reason == "gold member: fastest complete warehouse, arrives by 2026-12-04 instead of 2026-12-05"
    assert choice.window == (date(2026, 12, 3), date(2026, 12, 4))


def test_tier_names_match_whatever_their_case():
    policy = RoutingPolicy.of(5, [" Gold ", ""])
    assert decide("paris", [option(("paris", 5)), option(("milan", 4))], "GOLD", policy).moves


def test_a_gain_at_the_threshold_moves_the_order():
    choice = decide("newark", [option(("newark", 10)), option(("paris", 8))], None, POLICY)
    assert (choice.action, choice.to_warehouse_id) == (Action.MOVED, "paris")
    assert choice.reason == "2 days faster: arrives by 2026-12-08 instead of 2026-12-10"


def test_a_gain_below_the_threshold_keeps_the_order_and_says_by_how_much():
    choice = decide("newark", [option(("newark", 10)), option(("paris", 9))], "silver", POLICY)
    assert (choice.action, choice.to_warehouse_id) == (Action.KEPT, "newark")
    assert choice.reason == "moving would gain 1 day, less than the 2 days threshold"
    assert choice.window == (date(2026, 12, 9), date(2026, 12, 10))


def test_no_complete_warehouse_keeps_the_order_rather_than_splitting_it():
    split = option(("paris", 4), ("milan", 5))
    backorder = option(("milan", 3), backorder=True)
    choice = decide("newark", [split, backorder], "gold", POLICY)
    assert (choice.action, choice.to_warehouse_id) == (Action.KEPT, "newark")
    assert choice.reason == "no single warehouse can ship the whole order from stock"
    assert complete_options([split, backorder]) == []


def test_already_at_the_best_warehouse_keeps_it_even_for_gold():
    choice = decide("paris", [option(("paris", 4)), option(("milan", 6))], "gold", POLICY)
    assert (choice.action, choice.to_warehouse_id) == (Action.KEPT, "paris")
    assert choice.reason.startswith("the assigned location is already the fastest")


def test_a_tie_on_the_latest_date_is_not_worth_a_move():
    # Milan ranks first on price or carbon, but arrives no sooner: the order stays.
    choice = decide("paris", [option(("milan", 4)), option(("paris", 4))], "gold", POLICY)
    assert choice.action == Action.KEPT


def test_an_assigned_location_that_cannot_ship_it_complete_is_left_for_one_that_can():
    choice = decide("newark", [option(("paris", 6))], None, POLICY)
    assert (choice.action, choice.to_warehouse_id) == (Action.MOVED, "paris")
    assert choice.reason == "the assigned location cannot ship the whole order from stock; arrives by 2026-12-06"
