"""Estimated greenhouse-gas emissions of a delivery option, in kg CO2e.

    kg CO2e = parcel tonnes x routed km x emission factor (kg CO2e per tonne-km)

EMISSION FACTORS (the one place they are written down; they are defaults, not measurements):
    road  0.107  diesel HGV, all HGVs, average laden
    rail  0.028  freight train
    sea   0.016  container ship, average
    air   0.600  freight flight, international, without radiative forcing
Source: UK Government GHG Conversion Factors for Company Reporting (DEFRA/DESNZ), 2023 edition, "Freighting
goods" tables, well-to-wheel kg CO2e per tonne-km, rounded to three decimals. Check them against the current
edition before quoting numbers in marketing: a merchant with carrier-specific factors should override them.

ROUTING DETOUR: real routes are longer than the great circle. Road and rail use x1.2 and sea x1.5 (our
defaults); air adds a flat 95 km for take-off, landing and stacking, as the GLEC Framework (Smart Freight Centre)
recommends for great-circle air distances.

Last-mile van delivery is not included; it is roughly the same for every option, so it does not change a ranking.
"""

from __future__ import annotations

from app.supply.types import TransportMode

EMISSION_FACTORS_KG_PER_TKM: dict[TransportMode, float] = {
    TransportMode.ROAD: 0.107,
    TransportMode.RAIL: 0.028,
    TransportMode.SEA: 0.016,
    TransportMode.AIR: 0.600,
}
DETOUR_FACTORS: dict[TransportMode, float] = {
    TransportMode.ROAD: 1.2,
    TransportMode.RAIL: 1.2,
    TransportMode.SEA: 1.5,
    TransportMode.AIR: 1.0,
}
AIR_EXTRA_KM = 95.0
# Packaging adds weight the catalogue does not know about: a carton and fill for an average parcel.
PACKAGING_GRAMS = 200


def routed_km(great_circle_km: float, mode: TransportMode) -> float:
    km = great_circle_km * DETOUR_FACTORS[mode]
    return km + AIR_EXTRA_KM if mode is TransportMode.AIR and great_circle_km > 0 else km


def parcel_kg_co2e(great_circle_km: float, mode: TransportMode, weight_grams: int) -> float:
    """Emissions of one parcel; weight is the goods' weight, packaging is added here."""
    if great_circle_km < 0 or weight_grams < 0:
        raise ValueError("distance and weight cannot be negative")
    tonnes = (weight_grams + PACKAGING_GRAMS) / 1_000_000
    return round(tonnes * routed_km(great_circle_km, mode) * EMISSION_FACTORS_KG_PER_TKM[mode], 4)
