"""A product's passport (pure): the downloadable signed document, its verification, the timeline a shopper
reads and the compact form kept in the product's app-owned metafield.

Verification needs only the document and the shop's published JWKS: recompute every record's hash and
link, then check that the head the shop signed is the head recomputed. A record changed anywhere (even
with its hashes recomputed) fails, because the signature was made when the record was appended.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.traceability.chain import HASHING, verify_chain
from app.traceability.signing import BadSignature, verify_jws
from app.translatable import N_

FORMAT = "flexchain-passport/1"
METAFIELD_STEPS = 12


@dataclass(frozen=True)
class Verification:
    ok: bool
    problem: str | None
    length: int
    head: str | None


def head_claims(shop_domain: str, product_id: int, length: int, head: str, issued_at: int) -> dict[str, Any]:
    return {"iss": shop_domain, "product_id": product_id, "length": length, "head": head, "iat": issued_at}


def document(shop_domain: str, product_id: int, title: str, records: Sequence[dict], jws: str | None,
             jwks_uri: str) -> dict[str, Any]:
    return {"format": FORMAT, "shop": shop_domain, "product_id": product_id, "title": title,
            "hashing": HASHING, "records": list(records), "signature": jws, "jwks_uri": jwks_uri}


def verify_document(doc: Any, key_set: Mapping[str, Any]) -> Verification:
    """Whether this passport is exactly what the shop signed."""
    if not isinstance(doc, Mapping) or doc.get("format") != FORMAT or not isinstance(doc.get("records"), list):
        return Verification(False, N_("this is not a Flexchain passport"), 0, None)
    records = doc["records"]
    problem, head = verify_chain(records)
    if problem:
        return Verification(False, problem, len(records), None)
    if not records:
        return Verification(False, N_("nothing has been recorded yet"), 0, None)
    try:
        claims = verify_jws(doc.get("signature"), key_set)
    except BadSignature as exc:
        return Verification(False, exc.args[0] if exc.args else str(exc), len(records), head)
    expected = {"iss": doc.get("shop"), "product_id": doc.get("product_id"), "length": len(records), "head": head}
    for name, value in expected.items():
        if claims.get(name) != value:
            return Verification(False, N_("the signed %(claim)s does not match the records", claim=name), len(records),
                                head)
    return Verification(True, None, len(records), head)


def current_steps(records: Sequence[Mapping[str, Any]], lot: str | None = None) -> list[dict[str, Any]]:
    """The steps a reader should see: corrections replace what they supersede, in date order.
    Without a lot, every step (each names its lot); with one, the product-wide steps and that lot's."""
    superseded = {r.get("supersedes") for r in records if r.get("supersedes")}
    steps = [dict(r, corrects=r.get("supersedes")) for r in records
             if r.get("seq") not in superseded and (lot is None or r.get("lot") in (None, lot))]
    return sorted(steps, key=lambda r: (r.get("occurred_on") or "", r.get("seq") or 0))


def certifications(steps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for step in steps:
        for cert in step.get("certificates") or []:
            seen.setdefault(cert["name"], {"name": cert["name"], "url": cert.get("url")})
    return list(seen.values())


def production_kg(steps: Sequence[Mapping[str, Any]]) -> str | None:
    values = [Decimal(s["footprint_kg"]) for s in steps if s.get("footprint_kg")]
    if not values:
        return None
    return format(sum(values, Decimal(0)).normalize(), "f")


def lots(records: Sequence[Mapping[str, Any]]) -> list[str]:
    return sorted({r["lot"] for r in records if r.get("lot")})


def metafield_value(product_id: int, records: Sequence[Mapping[str, Any]], verified: bool,
                    shipping_kg: float | None) -> dict[str, Any]:
    """The compact passport the theme block renders (JSON metafield, app-owned, storefront-readable)."""
    steps = current_steps(records)
    origin = next((s for s in steps if s["stage"] == "raw_material"), steps[0] if steps else None)
    return {
        "v": 1,
        "product_id": product_id,
        "origin": {"place": origin["place"], "country": origin.get("country")} if origin else None,
        "steps": [{"stage": s["stage"], "place": s["place"], "country": s.get("country"),
                   "date": s["occurred_on"], "actor": s.get("actor") or "", "lot": s.get("lot")}
                  for s in steps[-METAFIELD_STEPS:]],
        "certifications": certifications(steps),
        "footprint": {"production_kg": production_kg(steps),
                      "shipping_kg": None if shipping_kg is None else f"{shipping_kg:.2f}".rstrip("0").rstrip(".")},
        "records": len(records),
        "verified": verified,
    }
