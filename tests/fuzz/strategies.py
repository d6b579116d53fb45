"""Hostile input for the web edge: Hypothesis strategies and the example budget.

FUZZ_EXAMPLES sets how many requests each target generates: a small number keeps the default test run
fast; `FUZZ_EXAMPLES=10000 uv run pytest tests/fuzz` is the full run the README reports.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "200"))


def fuzz_settings():
    # No example database: a failure prints its reproducing example, and nothing is written to the tree.
    return settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.large_base_example])


# Any text a header can carry on the wire: Unicode arrives as its UTF-8 bytes read as Latin-1 (what a
# WSGI server hands the app); line breaks and other control characters cannot be sent in a header at all.
_printable = st.characters(blacklist_categories=("Cc", "Cs"))
header_text = st.text(_printable, max_size=120).map(lambda s: s.encode("utf-8").decode("latin-1"))
huge_text = st.builds(lambda ch, n: (ch * n).encode("utf-8").decode("latin-1")[:n],
                      _printable, st.integers(2_000, 64_000))
any_header = st.one_of(header_text, huge_text)

KNOWN_TOPICS = ("orders/paid", "orders/create", "checkouts/update", "inventory_levels/update",
                "customers/update", "products/update", "app/uninstalled", "customers/redact", "shop/redact")
topics = st.one_of(st.sampled_from(KNOWN_TOPICS), st.sampled_from([t.upper() for t in KNOWN_TOPICS]),
                   header_text, huge_text)
_valid_shops = st.one_of(st.just("fuzz-shop.myshopify.com"),
                         st.from_regex(r"\A[a-z0-9][a-z0-9-]{0,20}\.myshopify\.com\Z"))
_hostile_shops = st.one_of(header_text, huge_text, st.sampled_from(
    ["evil.com", "x.myshopify.com.evil.com", "../../etc", "FUZZ-SHOP.MYSHOPIFY.COM", "", "a" * 300 + ".myshopify.com"]))
# Mostly valid, so most signed deliveries get past the header checks to storage.
shop_domains = st.one_of(_valid_shops, _valid_shops, _valid_shops, _hostile_shops)

_json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text())
json_values = st.recursive(_json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=20), inner, max_size=5)), max_leaves=25)
bodies = st.one_of(
    json_values.map(lambda v: __import__("json").dumps(v).encode()),  # valid JSON, object or not
    st.dictionaries(st.text(max_size=20), json_values, max_size=8).map(
        lambda v: __import__("json").dumps(v, ensure_ascii=False).encode()),
    st.binary(max_size=2_000),  # anything, including invalid UTF-8
    st.text(max_size=2_000).map(str.encode),  # malformed JSON
    st.builds(lambda n: b'{"a": "' + b"\xe2\x82\xac" * n + b'"}', st.integers(0, 300_000)),  # large, multi-byte
    st.builds(lambda d: b'{"a": ' + b"[" * d + b"]" * d + b"}", st.integers(1, 5000)),  # past any parser's depth
)
