"""Pure recovery rules: detection, holdout, consent, caps, quiet hours, stages and offers, attribution."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.recovery import attribution, detection, rules, stages
from app.recovery.settings import DEFAULTS, SettingsError, merge, validate
from app.supply.requote import Quote, Requote
from app.supply.types import Money

NOW = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # 09:00 in New York, 15:00 in Paris
SETTINGS = merge(None)


def state(**kw) -> detection.CheckoutState:
    values = {"has_email": True, "has_phone": False, "completed": False, "converted": False,
              "last_activity": NOW - timedelta(minutes=61)}
    values.update(kw)
    return detection.CheckoutState(**values)


def test_a_checkout_with_contact_and_no_update_for_the_delay_is_abandoned():
    assert detection.verdict(state(), 60, NOW) == "abandoned"
    assert detection.verdict(state(last_activity=NOW - timedelta(minutes=59)), 60, NOW) == "wait"
    assert detection.verdict(state(has_email=False), 60, NOW) == "ignore"
    assert detection.verdict(state(has_email=False, has_phone=True), 60, NOW) == "abandoned"
    # An order beats everything, whenever it arrived.
    assert detection.verdict(state(converted=True, completed=True), 60, NOW) == "converted"
    assert detection.verdict(state(completed=True), 60, NOW) == "closed"


def test_flags_for_high_value_and_repeat_abandoners():
    assert detection.is_high_value(Decimal("500.01"), Decimal(500))
    assert not detection.is_high_value(Decimal(500), Decimal(500))
    assert not detection.is_high_value(None, Decimal(500))
    assert detection.is_repeat(2, 2) and not detection.is_repeat(1, 2)


def test_the_holdout_takes_about_the_set_share_and_never_changes_its_mind():
    groups = [detection.assign_group(1, f"token-{n}", 10) for n in range(10_000)]
    share = groups.count(detection.HOLDOUT) / len(groups)
    assert 0.09 < share < 0.11
    assert [detection.assign_group(1, f"token-{n}", 10) for n in range(100)] == groups[:100]
    assert {detection.assign_group(1, f"t{n}", 0) for n in range(500)} == {detection.TREATMENT}


def shopper(**kw) -> rules.Shopper:
    values = {"opted_out": False, "accepts_marketing": True, "customer_state": None, "country": "US",
              "timezone": "America/New_York"}
    values.update(kw)
    return rules.Shopper(**values)


NONE_SENT = rules.History(0, None, None)


def test_consent_is_strict_by_default():
    assert rules.consent(shopper(), []) == rules.MARKETING
    assert rules.consent(shopper(accepts_marketing=False, customer_state="SUBSCRIBED"), []) == rules.MARKETING
    assert rules.consent(shopper(accepts_marketing=False), []) is None
    # An unsubscribe in Shopify wins over an old tick in the checkout box.
    assert rules.consent(shopper(customer_state="UNSUBSCRIBED"), []) is None
    assert rules.consent(shopper(opted_out=True), []) is None
    # Where the merchant says a service message is lawful, the first reminder may go without consent.
    assert rules.consent(shopper(accepts_marketing=False), ["US"]) == rules.SERVICE
    later = rules.decide(2, shopper(accepts_marketing=False), NONE_SENT, {**SETTINGS,
                         "service_message_countries": ["US"]}, NOW, NOW + timedelta(days=1))
    assert later.action == "skip"


def test_caps_skip_or_delay():
    window = NOW + timedelta(days=5)
    assert rules.decide(1, shopper(), NONE_SENT, SETTINGS, NOW, window).action == "send"
    assert rules.decide(1, shopper(), rules.History(3, NOW - timedelta(days=3), None), SETTINGS, NOW,
                        window).reason == "checkout cap reached"
    other = rules.History(0, NOW - timedelta(days=13), NOW - timedelta(days=13))
    assert rules.decide(1, shopper(), other, SETTINGS, NOW, window).action == "skip"
    spaced = rules.decide(2, shopper(), rules.History(1, NOW - timedelta(hours=20), None), SETTINGS, NOW, window)
    assert (spaced.action, spaced.at) == ("delay", NOW + timedelta(hours=4))
    # A delay that would land after the stage's window closes skips instead.
    assert rules.decide(2, shopper(), rules.History(1, NOW - timedelta(hours=20), None), SETTINGS, NOW,
                        NOW + timedelta(hours=1)).action == "skip"


def test_quiet_hours_delay_to_the_shoppers_morning():
    late = datetime(2026, 3, 4, 3, 30, tzinfo=UTC)  # 22:30 in New York, 04:30 in Paris
    decision = rules.decide(1, shopper(), NONE_SENT, SETTINGS, late, late + timedelta(days=1))
    assert decision.action == "delay" and decision.reason == "quiet hours"
    assert decision.at == datetime(2026, 3, 4, 13, 0, tzinfo=UTC)  # 08:00 New York (EST)
    paris = rules.decide(1, shopper(timezone="Europe/Paris"), NONE_SENT, SETTINGS, late, late + timedelta(days=1))
    assert paris.at == datetime(2026, 3, 4, 7, 0, tzinfo=UTC)  # 08:00 Paris (CET)
    assert rules.quiet_until(NOW, "America/New_York", "21:00", "08:00") is None
    assert rules.quiet_until(NOW, "Not/AZone", "13:00", "15:00") == NOW.replace(hour=15)


def test_stages_are_planned_by_flags_and_the_checkout_cap():
    at = NOW
    plain = stages.plan(at, SETTINGS, repeat=False, high_value=False)
    assert [p.stage for p in plain] == [1, 3]
    flagged = stages.plan(at, SETTINGS, repeat=False, high_value=True)
    # Stage 3's timed message is the last reminder: 48 h (the default lead) before Shopify drops the
    # checkout, 30 days after it started; here it started when it was abandoned.
    assert [(p.stage, p.scheduled_for - at, p.not_after - at) for p in flagged] == [
        (1, timedelta(0), timedelta(hours=24)), (2, timedelta(days=2), timedelta(days=7)),
        (3, timedelta(days=28), timedelta(days=30))]
    capped = merge({"per_checkout_max": 1})
    assert [p.stage for p in stages.plan(at, capped, repeat=True, high_value=True)] == [1]


def quote(locations=(33,), earliest=date(2026, 3, 5), latest=date(2026, 3, 6), backorder=False) -> Quote:
    return Quote(locations, tuple("Reno NV" for _ in locations), earliest, latest, "standard",
                 Money(Decimal("6.50"), "USD"), backorder)


def requote(**kw) -> Requote:
    values = {"checkout_id": 1, "status": "available", "best": quote(),
              "default": quote((11,), date(2026, 3, 6), date(2026, 3, 11)), "days_saved": 5,
              "price_difference": Money(Decimal("-2.50"), "USD"), "improved": True, "in_stock": True}
    values.update(kw)
    return Requote(**values)


def test_stage_one_answers_with_the_supply_improvement_or_a_plain_reminder():
    offer = stages.choose(1, requote(), SETTINGS, tier=None, customer_known=False)
    assert (offer.kind, offer.warehouse, offer.latest, offer.default_latest, offer.saving, offer.days_saved) == (
        "supply", "Reno NV", date(2026, 3, 6), date(2026, 3, 11), Decimal("2.50"), 5)
    same = stages.choose(1, requote(improved=False), SETTINGS, tier=None, customer_known=False)
    assert (same.kind, same.latest) == ("reminder", date(2026, 3, 6))
    # Out of stock now: the reminder promises no date at all.
    gone = stages.choose(1, requote(status="unavailable", best=None, in_stock=False, improved=False,
                                    short_variant_ids=(501,)), SETTINGS, tier=None, customer_known=False)
    assert (gone.kind, gone.earliest, gone.short_variant_ids) == ("reminder", None, (501,))


def test_stage_two_offers_what_the_merchant_enabled_in_order():
    two = merge({"stages": {"2": {"discount_enabled": True}}})
    assert stages.choose(2, requote(), two, tier="gold", customer_known=True).kind == "tier_perk"
    backorder = requote(status="backorder", in_stock=False, best=quote(backorder=True))
    assert stages.choose(2, backorder, two, tier=None, customer_known=True).kind == "preorder"
    split = requote(best=quote((33, 11)))
    assert stages.choose(2, split, two, tier=None, customer_known=True).kind == "split"
    plain = stages.choose(2, requote(), two, tier=None, customer_known=True)
    assert (plain.kind, plain.discount) == ("discount", True)
    # A guest gets no code (a code is limited to one customer), so no discount offer.
    assert stages.choose(2, requote(), two, tier=None, customer_known=False).kind == "reminder"


def test_the_last_reminder_follows_the_merchants_lead_time_and_the_checkouts_start():
    started = NOW - timedelta(days=3)  # abandoned three days after it started
    lead = merge({"stages": {"3": {"last_reminder_lead_hours": 24}}})
    (last,) = [p for p in stages.plan(NOW, lead, repeat=False, high_value=False, started_at=started) if p.stage == 3]
    assert (last.scheduled_for, last.not_after) == (started + timedelta(days=29), started + timedelta(days=30))
    # Started so long ago that it expires before stage 3 opens: no last reminder at all.
    old = NOW - timedelta(days=25)
    assert [p.stage for p in stages.plan(NOW, SETTINGS, repeat=False, high_value=False, started_at=old)] == [1]


def test_an_imported_checkout_gets_only_the_stages_still_ahead_of_it():
    abandoned = NOW - timedelta(days=10)
    planned = stages.plan(abandoned, SETTINGS, repeat=True, high_value=False, started_at=abandoned, now=NOW)
    assert [p.stage for p in planned] == [3]


def test_stage_three_last_reminder_and_stock_notice():
    backorder = requote(status="backorder", in_stock=False, best=quote(backorder=True), short_variant_ids=(501,))
    gone = requote(status="unavailable", best=None, in_stock=False)
    # The stock notice: back in stock, or a restock date, or (gone again) nothing.
    assert stages.choose(3, requote(), SETTINGS, tier=None, customer_known=False, kind="stock").kind == \
        "back_in_stock"
    assert stages.choose(3, backorder, SETTINGS, tier=None, customer_known=False, kind="stock").kind == "restock"
    assert stages.choose(3, gone, SETTINGS, tier=None, customer_known=False, kind="stock") is None
    # The timed message is the last reminder, with the restock window when there is one.
    assert stages.choose(3, requote(), SETTINGS, tier=None, customer_known=False).kind == "last_reminder"
    last = stages.choose(3, backorder, SETTINGS, tier=None, customer_known=False)
    assert (last.kind, last.latest) == ("last_reminder", date(2026, 3, 6))
    assert stages.choose(3, gone, SETTINGS, tier=None, customer_known=False) is None


def test_the_lead_time_is_validated():
    assert validate({"stages": {"3": {"last_reminder_lead_hours": 72}}})["stages"]["3"]["last_reminder_lead_hours"] \
        == 72
    with pytest.raises(SettingsError) as err:
        validate({"stages": {"3": {"last_reminder_lead_hours": 0}}})
    assert "stages.3.last_reminder_lead_hours" in err.value.errors


def test_attribution_credits_the_last_message_within_the_window():
    sent = [attribution.Sent(1, 1, "supply", NOW), attribution.Sent(2, 2, "discount", NOW + timedelta(days=2))]
    assert attribution.attribute(NOW + timedelta(days=3), sent, 7).message_id == 2
    assert attribution.attribute(NOW + timedelta(days=1), sent, 7).message_id == 1
    assert attribution.attribute(NOW + timedelta(days=10), sent, 7) is None
    assert attribution.attribute(NOW - timedelta(hours=1), sent, 7) is None


def test_settings_validate_every_field_and_keep_what_was_saved():
    saved = validate({"holdout_percent": 20, "stages": {"2": {"discount_enabled": True}}})
    assert saved["holdout_percent"] == 20 and saved["stages"]["2"]["discount_enabled"] is True
    again = validate({"quiet_start": "22:00"}, saved)
    assert (again["holdout_percent"], again["quiet_start"], again["stages"]["2"]["discount_enabled"]) == (
        20, "22:00", True)
    with pytest.raises(SettingsError) as bad:
        validate({"holdout_percent": "lots", "quiet_end": "25:00", "brand_color": "red", "sender_name": "a\r\nBcc: x",
                  "service_message_countries": ["USA"], "stages": {"1": {"start_hours": 10, "end_hours": 5},
                                                                   "4": {}, "2": {"offers": ["free-money"]}},
                  "surprise": 1})
    assert set(bad.value.errors) == {"holdout_percent", "quiet_end", "brand_color", "sender_name",
                                     "service_message_countries", "stages.1.end_hours", "stages.4",
                                     "stages.2.offers", "surprise"}
    with pytest.raises(SettingsError):
        validate(["not", "an", "object"])
    assert validate({}) == validate({}, None) and validate({})["holdout_percent"] == DEFAULTS["holdout_percent"]
