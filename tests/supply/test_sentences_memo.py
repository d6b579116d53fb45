"""The memoised rendering: the clock changes only the countdown, and stored text is never a template."""

from __future__ import annotations

import json
from dataclasses import replace

from app.supply.sentences import render_json
from tests.supply.test_service_text import ANSWER, CUTOFF, NOW


def test_a_later_request_changes_only_the_countdown_and_its_sentence():
    first, later = (json.loads(render_json(ANSWER, "fr", now)) for now in (NOW, NOW + 600))
    assert first["countdown"]["text"] == "2 h 14 min" and later["countdown"]["text"] == "2 h 4 min"
    assert later["sentence"] == first["sentence"].replace("2 h 14 min", "2 h 4 min")
    assert first["countdown"]["cutoff_at"] == later["countdown"]["cutoff_at"]
    assert later["countdown"]["seconds"] == first["countdown"]["seconds"] - 600
    for body in (first, later):
        del body["countdown"], body["sentence"]
    assert first == later


def test_braces_in_a_warehouse_city_are_shown_as_written():
    odd = replace(ANSWER, warehouse_city="{countdown} {window}", warehouse_name='Dépôt "Nord"')
    body = json.loads(render_json(odd, "en", NOW))
    assert body["sentence"].startswith("Order within 2 h 14 min — arrives ")
    assert body["sentence"].endswith("from our {countdown} {window} warehouse")
    assert body["warehouse"] == {"name": 'Dépôt "Nord"', "city": "{countdown} {window}"}


def test_after_the_cutoff_the_countdown_reads_zero_seconds_not_negative():
    body = json.loads(render_json(ANSWER, "en", CUTOFF + 5))
    assert body["countdown"]["seconds"] == 0
