"""Where the shopper is: the best coordinates we can get from what an address tells us, offline.

Levels, best first: the address's own latitude/longitude; postal code; city; region; country. The postal level
covers the United States only, because `zipcodes` is the one compact postal table shipped in a package; other
countries' postal codes skip straight to the city level. The level used is returned so a caller can say how
precise an estimate is; an address we cannot place at all is a result (`level == GeoLevel.UNRESOLVED`), not an
exception.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import pycountry
import zipcodes

from app.supply import geodata
from app.supply.types import Destination

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


class GeoLevel(StrEnum):
    COORDINATES = "coordinates"
    POSTAL_CODE = "postal_code"
    CITY = "city"
    REGION = "region"
    COUNTRY = "country"
    UNRESOLVED = "unresolved"


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    level: GeoLevel
    country: str | None = None
    region: str | None = None  # ISO 3166-2 suffix when known ("CA" for US-CA)
    lat: float | None = None
    lng: float | None = None
    timezone: str | None = None
    reason: str | None = None  # why resolution stopped short, for logs and the admin

    @property
    def resolved(self) -> bool:
        return self.level is not GeoLevel.UNRESOLVED


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def normalise_country(value: str | None) -> str | None:
    """ISO alpha-2 from an alpha-2/alpha-3 code or an English country name; None when unknown."""
    if not value or not value.strip():
        return None
    return _country_code(value.strip())


@lru_cache(maxsize=512)
def _country_code(value: str) -> str | None:
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        return None


def normalise_region(country: str, value: str | None) -> str | None:
    """ISO 3166-2 suffix from "US-CA", "CA" or "California"; None when it is not a region of `country`."""
    if not value or not value.strip():
        return None
    return _region_code(country, value.strip())


@lru_cache(maxsize=2048)
def _region_code(country: str, value: str) -> str | None:
    subdivisions = pycountry.subdivisions.get(country_code=country) or []
    wanted = value.upper()
    folded = geodata.fold(value)
    for sub in subdivisions:
        suffix = sub.code.split("-", 1)[1]
        if wanted in (sub.code, suffix) or geodata.fold(sub.name) == folded:
            return suffix
    return None


def resolve(dest: Destination) -> ResolvedPlace:
    country = normalise_country(dest.country)
    if dest.country and country is None:
        return ResolvedPlace(GeoLevel.UNRESOLVED, reason=f"unknown country {dest.country!r}")
    region = normalise_region(country, dest.region) if country else None

    if dest.lat is not None and dest.lng is not None and _valid_coordinates(dest.lat, dest.lng):
        nearest = geodata.nearest_place(dest.lat, dest.lng, country)
        return ResolvedPlace(GeoLevel.COORDINATES, country or (nearest.country if nearest else None), region,
                             dest.lat, dest.lng, nearest.timezone if nearest else None)
    for level_resolver in (_by_postal_code, _by_city, _by_region, _by_country):
        place = level_resolver(dest, country, region)
        if place is not None:
            return place
    what = "no country" if country is None else f"nothing usable for {country}"
    return ResolvedPlace(GeoLevel.UNRESOLVED, country=country, reason=what)


def _valid_coordinates(lat: float, lng: float) -> bool:
    return -90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0 and not (lat == 0.0 and lng == 0.0)


def _by_postal_code(dest: Destination, country: str | None, region: str | None) -> ResolvedPlace | None:
    if country != "US" or not dest.postal_code:
        return None
    code = dest.postal_code.strip()[:5]
    if not (len(code) == 5 and code.isdigit()):
        return None
    matches = zipcodes.matching(code)
    if not matches or not matches[0].get("lat"):
        return None
    row = matches[0]
    return ResolvedPlace(GeoLevel.POSTAL_CODE, "US", region or row.get("state"), float(row["lat"]),
                         float(row["long"]), row.get("timezone") or None)


def _by_city(dest: Destination, country: str | None, region: str | None) -> ResolvedPlace | None:
    if country is None or not dest.city:
        return None
    places = geodata.city_index().get((country, geodata.fold(dest.city)), ())
    if not places:
        return None
    admin1 = geodata.admin1_for(country, region) if region else None
    # A region that does not match any same-named city is more likely a typo than a different city.
    chosen = next((p for p in places if admin1 and p.admin1 == admin1), places[0])
    return ResolvedPlace(GeoLevel.CITY, country, region, chosen.lat, chosen.lng, chosen.timezone)


def _by_region(dest: Destination, country: str | None, region: str | None) -> ResolvedPlace | None:
    if country is None or region is None:
        return None
    admin1 = geodata.admin1_for(country, region)
    centroid = geodata.region_centroids().get((country, admin1)) if admin1 else None
    if centroid is None:
        return None  # no region centroid for this country: the country level answers
    return ResolvedPlace(GeoLevel.REGION, country, region, centroid.lat, centroid.lng, centroid.timezone)


def _by_country(dest: Destination, country: str | None, region: str | None) -> ResolvedPlace | None:
    if country is None:
        return None
    centroid = geodata.country_centroids().get(country)
    if centroid is None:
        return None
    return ResolvedPlace(GeoLevel.COUNTRY, country, region, centroid.lat, centroid.lng, centroid.timezone)
