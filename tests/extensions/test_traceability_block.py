"""The traceability block shows only what a passport holds: nothing at all for a product without one."""

from __future__ import annotations

from app.devshop.liquid_theme import render_block


def render(metafields: dict) -> str:
    objects = {"product": {"id": 7, "title": "Shirt", "metafields": metafields}, "routes": {"root_url": "/"},
               "request": {"locale": {"iso_code": "en"}, "design_mode": False}}
    html, _ = render_block("traceability", objects, language="en", asset_base="/assets", block_id="t1")
    return html


def passport(**extra) -> dict:
    value = {"steps": [{"stage": "raw_material", "place": "Porto", "date": "2026-03-01"}], **extra}
    return {"$app": {"passport": {"value": value, "type": "json"}}}


def test_a_product_without_a_passport_shows_no_block():
    assert "fc-trace" not in render({})
    assert "fc-trace" not in render({"$app": {"passport": {"value": {"steps": []}, "type": "json"}}})


def test_a_passport_without_a_footprint_shows_its_steps_but_no_empty_footprint_line():
    html = render(passport())
    assert "fc-trace__steps" in html and "Porto" in html
    assert "CO₂e" not in html


def test_a_passport_with_a_footprint_shows_both_numbers():
    html = render(passport(footprint={"production_kg": "3.2", "shipping_kg": "0.4"}))
    assert "3.2 kg CO₂e" in html and "0.4 kg CO₂e" in html
