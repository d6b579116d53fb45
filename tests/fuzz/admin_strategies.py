"""Hostile input for the admin JSON API: every route, a valid body for each, and bodies one mutation away.

A body close to the valid schema gets past the first checks to the field validation and the writes, where
the bugs are; raw bytes and wrong content types cover the parsing in front of them.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from urllib.parse import quote

from hypothesis import strategies as st

from tests.fuzz.strategies import header_text, json_values

LOCATION, PRODUCT, CUSTOMER, VARIANT = 11, 4242, 42, 110

TIERS = [{"name": "Bronze", "threshold": "0"}, {"name": "Silver", "threshold": "500"},
         {"name": "Gold", "threshold": "2000", "over": True}]
STEP = {"stage": "raw_material", "place": "Biella", "country": "IT", "date": "2026-03-02", "latitude": "45.56",
        "longitude": "8.05", "actor": "Lanificio", "footprint_kg": "1.5",
        "certificates": [{"name": "GOTS", "url": "https://example.org/gots"}]}
VALID = {
    "membership_settings": {"tiers": TIERS, "grace_days": "30", "spend_window": "trailing_365",
                            "rules": {"new_days": 30, "dormant_days": 90, "churned_days": 180}},
    "perks": {"discounts_enabled": False, "tiers": {"Gold": {"discount_percent": "8", "free_shipping": True,
                                                             "shipping_cap": "20", "handling_hours": "48",
                                                             "priority": True}}},
    "pin": {"tier": "Gold"},
    "privacy": {"retention_days": 365},
    "recovery_settings": {"enabled": True, "abandon_after_minutes": 60, "high_value_threshold": "500",
                          "quiet_start": "21:00", "quiet_end": "08:00", "service_message_countries": ["US"],
                          "brand_color": "#1f5199", "sender_name": "Shop", "sender_email": "shop@example.com",
                          "stages": {"2": {"enabled": True, "start_hours": 48, "end_hours": 168,
                                           "offers": ["split"], "discount_percent": 10}}},
    "preview": {"stage": 2, "locale": "fr"},
    "send_test": {"stage": 1, "email": "merchant@example.com", "locale": "de"},
    "steps": {"steps": [STEP, {**STEP, "stage": "packing", "place": "Porto", "date": "2026-04-01"}]},
    "step": STEP,
    "profile": {"public_name": "Paris", "timezone": "Europe/Paris", "latitude": "48.85", "longitude": "2.35",
                "handling_days": "1", "handling_hours": "4", "cutoff": "15:30", "working_weekdays": [0, 1, 2],
                "holiday_country": "fr", "holiday_subdivision": "", "safety_stock": "2",
                "ships_cross_border": True, "is_default": False, "enabled": True,
                "tier_handling": {"gold": {"days": "0", "hours": "4"}}},
    "lane": {"country": "us", "region": "CA", "service_level": "express", "min_days": "2", "max_days": "4",
             "price": "19.90", "currency": "usd", "mode": "air"},
    "incoming": {"variant": str(VARIANT), "quantity": "25", "expected_on": "2099-01-01", "note": "boat"},
    "supply_settings": {"routing_enabled": True, "routing_min_gain_days": "2", "routing_always_for_tiers": "gold",
                        "routing_service_level": "standard"},
}

# Values one field might be sent as by a buggy client or an attacker.
_numbers_as_text = st.sampled_from([
    "NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "1e309", "-1e309", "1e-400", "-0", "0x1F", "1_000",
    "١٢", "²", "½", "Ⅻ", "12abc", " 12 ", "+5", "-1", "9" * 19, "9" * 4301, "1" * 5000, "0" * 100 + "7", "1.5",
    "1e3", "", " ", "\u0000", "\ud800", "null", "true", "[]", "{}", "99:99", "24:00", "2026-02-30", "0001-01-01",
    "9999-12-31", "+999999-01-01", "zz", "ZZZ", "Europe/Atlantis", "../../etc/passwd",
    "=cmd|' /C calc'!A0", "<script>alert(1)</script>", "{{ shop.name }}", "emoji 🧵👩🏽‍🔧", "עבודת יד",
])
_huge_ints = st.sampled_from([2**31, -2**31 - 1, 2**63 - 1, 2**63, -2**63 - 1, 2**64, 10**30, 10**4000])
hostile_values = st.one_of(
    st.none(), st.booleans(), st.integers(-1000, 1000), st.integers(), _huge_ints,
    st.floats(), st.floats(allow_nan=True, allow_infinity=True).map(lambda f: f * 1e300),
    _numbers_as_text, st.text(max_size=40),
    st.builds(lambda ch, n: ch * n, st.characters(blacklist_categories=("Cs",)), st.integers(300, 70_000)),
    json_values, st.lists(st.integers(-10, 10), max_size=8),
)


def _slots(value, out: list) -> list:
    """(container, key) for every place a value sits in a JSON document."""
    if isinstance(value, dict):
        for key in list(value):
            out.append((value, key))
            _slots(value[key], out)
    elif isinstance(value, list):
        for index in range(len(value)):
            out.append((value, index))
            _slots(value[index], out)
    return out


@st.composite
def mutated(draw, valid: dict):
    """The valid body with one or two fields changed: a hostile value, removed, or a junk field beside it."""
    body = copy.deepcopy(valid)
    for _ in range(draw(st.integers(1, 2))):
        slots = _slots(body, [])
        if not slots:
            break
        container, key = draw(st.sampled_from(slots))
        op = draw(st.sampled_from(("replace", "replace", "replace", "drop", "junk")))
        if op == "replace":
            container[key] = draw(hostile_values)
        elif op == "drop":
            del container[key]
        elif isinstance(container, dict):
            container[draw(st.text(max_size=30))] = draw(hostile_values)
        else:
            container.append(draw(hostile_values))
    return body


@dataclass(frozen=True)
class Body:
    data: bytes | None
    content_type: str | None
    json_object: bool  # the body is a JSON object (so a refusal must name what is wrong)


def _json_body(value) -> Body:
    return Body(json.dumps(value).encode(), "application/json", isinstance(value, dict))


_content_types = st.sampled_from(["application/json", "application/json; charset=latin-1", "text/plain",
                                  "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                  "text/csv", "application/octet-stream", "application/json; charset=utf-16", ""])
raw_bodies = st.builds(Body, st.one_of(
    st.binary(max_size=500), st.text(max_size=500).map(str.encode),
    st.builds(lambda n: b'{"a": "' + b"\xe2\x82\xac" * n + b'"}', st.integers(0, 200_000)),
    st.builds(lambda d: (b"[" * d) + (b"]" * d), st.integers(1, 5000)),  # deep nesting
    st.sampled_from([b"", b"null", b"[]", b"1", b'"x"', b"{", b'{"a":NaN}', b"\xef\xbb\xbf{}", b"\xff\xfe{\x00}\x00"]),
), _content_types, st.just(False))


def bodies(valid: dict | None):
    """Mostly the route's schema one mutation away; sometimes any JSON, raw junk or nothing at all."""
    if valid is None:
        return st.one_of(st.just(Body(None, None, False)), json_values.map(_json_body), raw_bodies)
    close = mutated(valid).map(_json_body)
    return st.one_of(close, close, close, close, close, st.just(_json_body(valid)), json_values.map(_json_body),
                     raw_bodies)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # `{location}` and the like are filled from path_ids
    body: str | None = None  # a key of VALID: the route reads a JSON body
    tables: tuple[str, ...] = ()  # what a refused write must leave untouched


ROUTES = (
    Route("GET", "/api/session"), Route("GET", "/api/summary"), Route("GET", "/api/sync"),
    Route("POST", "/api/sync"),
    Route("GET", "/api/dashboard"), Route("GET", "/api/dashboard.csv"),
    Route("PUT", "/api/membership/settings", "membership_settings", ("membership_settings",)),
    Route("PUT", "/api/membership/perks", "perks", ("membership_settings",)),
    Route("PUT", "/api/membership/customers/{customer}/pin", "pin", ("memberships", "tier_changes")),
    Route("GET", "/api/privacy/exports"), Route("GET", "/api/privacy/exports/{export}.json"),
    Route("GET", "/api/privacy/settings"), Route("GET", "/api/privacy/access-log"),
    Route("PUT", "/api/privacy/settings", "privacy", ("privacy_settings",)),
    Route("GET", "/api/recovery/settings"), Route("GET", "/api/recovery/results"),
    Route("GET", "/api/recovery/demand"),
    Route("PUT", "/api/recovery/settings", "recovery_settings", ("recovery_settings",)),
    Route("POST", "/api/recovery/preview", "preview"), Route("POST", "/api/recovery/send-test", "send_test"),
    Route("POST", "/api/status/jobs/{job}/retry"),
    Route("GET", "/api/traceability/products/{product}/records"),
    Route("POST", "/api/traceability/products/{product}/records", "steps", ("provenance_records",)),
    Route("POST", "/api/traceability/products/{product}/records", "step", ("provenance_records",)),
    Route("POST", "/api/traceability/products/{product}/publish"),
    Route("GET", "/api/warehouses"),
    Route("PUT", "/api/warehouses/{location}", "profile", ("warehouse_profiles",)),
    Route("PUT", "/api/warehouses/{location}/lanes", "lane", ("shipping_lanes",)),
    Route("PUT", "/api/warehouses/{location}/lanes/{lane}", "lane", ("shipping_lanes",)),
    Route("DELETE", "/api/warehouses/{location}/lanes/{lane}"),
    Route("PUT", "/api/warehouses/{location}/incoming", "incoming", ("incoming_stock",)),
    Route("DELETE", "/api/warehouses/{location}/incoming/{incoming}"),
    Route("PUT", "/api/supply-settings", "supply_settings", ("supply_settings",)),
)

_any_id = st.one_of(st.integers(0, 2**31), st.integers(2**63 - 3, 2**63 + 3), st.integers(10**19, 10**40))
_segment = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).map(
    lambda s: quote(s, safe=""))


def path_ids(known: dict[str, list]) -> st.SearchStrategy[dict[str, str]]:
    """Each kind of id: mostly ones that exist (in this shop or the other), else any number or any text."""
    return st.fixed_dictionaries({
        kind: st.one_of(*[st.sampled_from(values)] * 6, _any_id,
                        _segment if kind == "job" else st.just("0")).map(str)
        for kind, values in known.items()})


_query_value = st.one_of(_numbers_as_text.filter(lambda v: v != "\ud800"), st.text(max_size=30),
                         st.integers(-5, 400).map(str),
                         st.sampled_from(["7", "30", "90", "365", "2026-01-01", "2026-12-31", "zh-CN", "fr"]))
queries = st.dictionaries(
    st.one_of(st.sampled_from(["days", "from", "to", "locale", "q", "tier", "segment", "page", "product", "shop",
                               "id_token", "embedded", "host"]), st.text(max_size=10)),
    st.one_of(_query_value, st.lists(_query_value, min_size=2, max_size=3)), max_size=4)
extra_headers = st.fixed_dictionaries({}, optional={
    "Accept-Language": header_text, "Accept": st.sampled_from(["text/html", "*/*", "application/json"]),
    "X-Shopify-Shop-Domain": st.sampled_from(["shop-b.myshopify.com", "evil.com"]),
    "X-Requested-With": header_text, "Origin": header_text})

# Uploads: the traceability CSV import and certificate files.
CSV_COLUMNS = ("product_id", "lot", "stage", "place", "country", "latitude", "longitude", "date", "actor",
               "description", "certificate", "certificate_url", "footprint_kg", "supersedes")
_formulas = st.sampled_from(["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A9)", "=HYPERLINK(\"http://x\")",
                             "\t=1", "\r=1", "=1\n=2"])
_cell = st.one_of(st.sampled_from([str(PRODUCT), "raw_material", "packing", "Biella", "IT", "2026-03-02", "45.5",
                                   "8.05", "1.5", "https://example.org/c", ""]),
                  _formulas, _numbers_as_text, st.text(max_size=30),
                  st.builds(lambda n: "x" * n, st.integers(1000, 200_000)))
_short_cell = st.one_of(_formulas, st.sampled_from([str(PRODUCT), "packing", "Porto", "2026-04-01", ""]),
                        st.text(max_size=20))
_header = st.one_of(st.just(["product_id", "stage", "place", "date"]), st.just(list(CSV_COLUMNS)),
                    st.lists(st.one_of(st.sampled_from(CSV_COLUMNS), st.text(max_size=12)), max_size=16),
                    st.lists(st.sampled_from([c.upper() for c in CSV_COLUMNS]), min_size=1, max_size=16, unique=True))


def _csv_text(header: list[str], rows: list[list[str]], repeat: int) -> str:
    def line(cells: list[str]) -> str:
        return ",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c for c in cells)
    return "\n".join([line(header), *[line(r) for r in rows] * repeat]) + "\n"


_encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "utf-32"])
_small_csv = st.builds(lambda h, rows, enc: _csv_text(h, rows, 1).encode(enc, "replace"),
                      _header, st.lists(st.lists(_cell, max_size=16), max_size=8), _encodings)
# Large files cost the parser (and the test) real time: about one example in twenty.
_large_csv = st.one_of(
    st.builds(lambda h, rows, rep: _csv_text(h, rows, rep).encode(), _header,
              st.lists(st.lists(_short_cell, max_size=16), min_size=1, max_size=4), st.sampled_from([50, 700])),
    st.builds(lambda n: b"product_id,stage,place,date\n" + b"1,packing,x,2026-01-01\n" * n, st.integers(4990, 5010)),
    st.builds(lambda n: b"a" * n, st.integers(2_000_000, 2_200_000)),
)
csv_files = st.one_of(*[_small_csv] * 16, st.binary(max_size=3000),
                      st.sampled_from([b"", b"\x00" * 100, b"\xef\xbb\xbf", b"\n\n\n"]), _large_csv)
_magic = st.sampled_from([b"%PDF-1.7\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"GIF89a", b"<svg ",
                          b"PK\x03\x04", b""])
_small_file = st.builds(lambda m, rest: m + rest, _magic, st.binary(max_size=2000))
certificate_files = st.one_of(  # at and just over the 4 MB limit, one example in twenty
    *[_small_file] * 19,
    st.builds(lambda m, n: m + b"\0" * n, _magic, st.sampled_from([4 * 1024 * 1024 - 8, 4 * 1024 * 1024 + 1])),
)
filenames = st.one_of(st.none(), st.sampled_from(["cert.pdf", "scan.png", "x.jpg", "../../etc/passwd", "a" * 500,
                                                  "=cmd.csv", "证书.pdf", "evil\r\nX-Header: 1.pdf", ""]),
                      st.text(max_size=40))
upload_fields = st.sampled_from(["file", "file", "file", "upload", ""])
