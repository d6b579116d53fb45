"""Validation of one provenance step: what is kept as typed, what is refused and with which message."""

from __future__ import annotations

from datetime import date

import pytest

from app.traceability.records import InvalidStep, parse_step
from tests.traceability.hostile import HOSTILE

TODAY = date(2026, 11, 25)
GOOD = {"stage": "Raw material", "place": "Biella", "country": "Italy", "date": "2026-03-02",
        "latitude": "45.5663", "longitude": 8.0531, "footprint_kg": "1.20",
        "certificates": [{"name": "GOTS", "url": "https://example.org/gots.pdf"}]}


def test_a_good_step_is_normalised():
    step = parse_step(GOOD, TODAY)
    assert (step.stage, step.country, step.occurred_on) == ("raw_material", "IT", date(2026, 3, 2))
    assert (step.latitude, step.longitude, step.footprint_kg) == ("45.5663", "8.0531", "1.2")
    assert step.certificates[0].url == "https://example.org/gots.pdf"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_kept_exactly_as_typed(text):
    step = parse_step({**GOOD, "place": text, "actor": text, "description": text + "\nline two"}, TODAY)
    assert step.place == text and step.actor == text
    assert step.description == text + "\nline two"


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"stage": "teleport"}, "stage", "must be one of raw_material"),
    ({"place": "  "}, "place", "is required"),
    ({"place": "a\x00b"}, "place", "must not contain control characters"),
    ({"place": "evil\u202eexe.txt"}, "place", "must not contain control characters"),
    ({"place": "x" * 201}, "place", "at most 200"),
    ({"description": "x" * 2001}, "description", "at most 2000"),
    ({"country": "Narnia"}, "country", "ISO 3166"),
    ({"latitude": "91"}, "latitude", "from -90 to 90"),
    ({"longitude": "nan"}, "longitude", "from -180 to 180"),
    ({"longitude": ""}, "longitude", "both coordinates"),
    ({"date": "2026-02-30"}, "date", "YYYY-MM-DD"),
    ({"date": "2027-01-01"}, "date", "past date"),
    ({"footprint_kg": "-1"}, "footprint_kg", "from 0"),
    ({"certificates": [{"name": "X", "url": "javascript:alert(1)"}]}, "certificates", "http(s)"),
    ({"certificates": [{"name": "X", "url": "https://a b"}]}, "certificates", "http(s)"),
    ({"certificates": [{"url": "https://a.example"}]}, "certificates", "needs a name"),
    ({"supersedes": "0"}, "supersedes", "earlier record"),
    ({"supersedes": True}, "supersedes", "earlier record"),
])
def test_refusals_name_the_field_and_never_repeat_the_input(changes, field, message):
    with pytest.raises(InvalidStep) as refused:
        parse_step({**GOOD, **changes}, TODAY)
    assert message in refused.value.errors[field]
    assert "Narnia" not in str(refused.value) and "javascript" not in str(refused.value)


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(InvalidStep) as refused:
        parse_step({"stage": "?", "date": "soon"}, TODAY)
    assert set(refused.value.errors) == {"stage", "place", "date"}
