"""Destination resolution at each level, best first, and the great-circle distance."""

import pytest

from app.supply.geo import GeoLevel, haversine_km, resolve
from app.supply.types import Destination


def test_explicit_coordinates_win_and_take_the_nearest_citys_timezone():
    place = resolve(Destination(country="US", city="Chicago", lat=21.3069, lng=-157.8583))
    assert place.level is GeoLevel.COORDINATES
    assert (place.lat, place.lng) == (21.3069, -157.8583)
    assert place.timezone == "Pacific/Honolulu"  # the coordinates are Honolulu's, whatever the city field says


def test_us_postal_code_resolves_from_the_packaged_zip_table():
    place = resolve(Destination(country="US", postal_code="10001-1234", city="Nowhere"))
    assert place.level is GeoLevel.POSTAL_CODE
    assert place.region == "NY"
    assert place.timezone == "America/New_York"
    assert place.lat == pytest.approx(40.75, abs=0.05)


def test_postal_code_outside_the_us_skips_to_the_city_level():
    place = resolve(Destination(country="FR", postal_code="75001", city="Paris"))
    assert place.level is GeoLevel.CITY
    assert place.lat == pytest.approx(48.85, abs=0.05)


def test_city_match_ignores_accents_case_and_uses_english_names():
    assert resolve(Destination(country="DE", city="MUNCHEN")).lat == pytest.approx(48.137, abs=0.01)
    munich = resolve(Destination(country="Germany", city="Munich"))
    assert munich.level is GeoLevel.CITY
    assert munich.timezone == "Europe/Berlin"
    assert resolve(Destination(country="FR", city="saint etienne")).lng == pytest.approx(4.39, abs=0.01)


def test_city_name_shared_by_two_regions_is_picked_by_region():
    # Portland, Oregon is bigger than Portland, Maine; naming the region picks the Maine one.
    oregon = resolve(Destination(country="US", city="Portland"))
    maine = resolve(Destination(country="US", region="ME", city="Portland"))
    assert oregon.lng == pytest.approx(-122.68, abs=0.1)
    assert maine.lng == pytest.approx(-70.25, abs=0.1)


def test_region_level_when_the_city_is_unknown():
    place = resolve(Destination(country="US", region="California", city="Smallville Hamlet"))
    assert place.level is GeoLevel.REGION
    assert place.region == "CA"
    assert place.timezone == "America/Los_Angeles"
    ontario = resolve(Destination(country="CA", region="CA-ON"))
    assert ontario.level is GeoLevel.REGION
    assert ontario.timezone == "America/Toronto"


def test_region_without_a_centroid_falls_back_to_the_country():
    # geonames numbers French regions differently from ISO 3166-2, so we do not guess: country level.
    place = resolve(Destination(country="FR", region="IDF"))
    assert place.level is GeoLevel.COUNTRY
    assert place.region == "IDF"
    assert place.timezone == "Europe/Paris"


def test_country_only_uses_a_population_weighted_centroid():
    place = resolve(Destination(country="France"))
    assert place.level is GeoLevel.COUNTRY
    assert place.country == "FR"
    assert 45 < place.lat < 49 and 1 < place.lng < 5  # middle of metropolitan France
    fiji = resolve(Destination(country="FJ"))  # islands on both sides of the 180th meridian
    assert abs(fiji.lng) > 170


@pytest.mark.parametrize("dest", [
    Destination(),
    Destination(country="Atlantis", city="Poseidonia"),
    Destination(city="Paris"),  # no country: a city name alone is ambiguous
    Destination(lat=0.0, lng=0.0),  # "null island": a missing value, not a place
])
def test_unresolvable_destination_is_a_result_not_an_exception(dest):
    place = resolve(dest)
    assert place.level is GeoLevel.UNRESOLVED
    assert not place.resolved
    assert place.reason


def test_haversine_paris_london():
    # Published great-circle distance Paris to London is about 344 km.
    assert haversine_km(48.8566, 2.3522, 51.5074, -0.1278) == pytest.approx(343.5, abs=1.0)
    assert haversine_km(10, 179.5, 10, -179.5) == pytest.approx(109.5, abs=0.5)  # across the date line
