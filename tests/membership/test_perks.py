"""Tier perks: settings validation (pure), and the segments and discounts they become in Shopify (the
simulator over HTTP), kept in line as the merchant edits them, without duplicates on a re-run."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.membership import perks, service, shopify_objects
from app.membership.tiers import DEFAULT_TIERS, parse_tiers
from app.models import MembershipSettings, Shop
from app.shopify.admin_api import AdminClient
from app.supply.tiers import customer_tier
from tests.membership.test_writeback import config as config  # noqa: F401 (fixture)
from tests.membership.test_writeback import world as world  # noqa: F401 (fixture)
from worker.jobs.membership import write_back_all, write_back_members


def test_defaults_give_gold_and_silver_their_perks_with_discounts_off():
    settings = perks.default_perks(DEFAULT_TIERS)
    assert settings.discounts_enabled is False
    assert settings.for_tier("Gold") == perks.Perk(Decimal(8), True, None, 48, True)
    assert settings.for_tier("Silver").discount_percent == Decimal(5)
    assert settings.for_tier("Silver").handling_hours == 72
    assert settings.for_tier("Bronze") == perks.Perk()  # the warehouse's standard


@pytest.mark.parametrize("raw, message", [
    ({"tiers": {"Platinum": {}}}, "no tier named 'Platinum'"),
    ({"tiers": {"Gold": {"discount_percent": "95"}}}, "Gold: discount must be from 0 to 90"),
    ({"tiers": {"Gold": {"discount_percent": "lots"}}}, "Gold: discount must be a number"),
    ({"tiers": {"Gold": {"handling_hours": 0}}}, "handling target is a whole number"),
    ({"tiers": {"Gold": {"handling_hours": True}}}, "handling target is a whole number"),
    ({"tiers": {"Gold": {"shipping_cap": "-1"}}}, "shipping cap must be from 0"),
    ({"tiers": ["Gold"]}, "keyed by tier name"),
    ("everything", "perks must be an object"),
])
def test_bad_perks_are_refused_with_the_tier_named(raw, message):
    with pytest.raises(perks.PerkError, match=message):
        perks.parse_perks(DEFAULT_TIERS, raw)


def test_slugs_are_stable_and_ascii():
    assert perks.tier_slug("Gold") == "gold"
    assert perks.tier_slug("Très Spécial!") == "tres-special"
    assert perks.tier_slug("金卡") == perks.tier_slug("金卡") != perks.tier_slug("银卡")
    assert perks.tier_slug("金卡").startswith("tier-")
    assert perks.tag_for("Gold") == "flexchain-tier-gold"


def sync(app, shop_id):
    with db.session(shop_id=shop_id) as s, app.app_context():
        shop = s.get(Shop, shop_id)
        client = AdminClient.for_shop(shop)
        try:
            return shopify_objects.sync(s, shop, client)
        finally:
            client.close()


def test_segments_then_discounts_follow_the_settings(app, world):
    sim, shop_id = world["sim"], world["shop_id"]
    assert sync(app, shop_id) == "updated"
    segments = {s["name"]: s["query"] for s in sim.data["segments"].values()}
    assert segments == {f"Flexchain {t}": f"customer_tags CONTAINS 'flexchain-tier-{t.lower()}'"
                        for t in ("Bronze", "Silver", "Gold")}
    assert sim.data["automatic_discounts"] == {}  # discounts are off by default
    assert sync(app, shop_id) == "current"

    with db.session(shop_id=shop_id) as s:
        service.save_perks(s, shop_id, {"discounts_enabled": True, "tiers": {
            "Gold": {"discount_percent": "8", "free_shipping": True, "shipping_cap": "15"},
            "Silver": {"discount_percent": "5"}}})
    with app.app_context():
        assert write_back_all() == 1  # the sweep sees settings Shopify does not have yet
    sync(app, shop_id)
    discounts = sorted((d["title"], d["kind"]) for d in sim.data["automatic_discounts"].values())
    assert discounts == [("Gold members: 8% off", "basic"), ("Gold members: free shipping", "shipping"),
                         ("Silver members: 5% off", "basic")]
    gold_segment = next(gid for gid, s in ((f"gid://shopify/Segment/{k}", v) for k, v in sim.data["segments"].items())
                        if s["name"] == "Flexchain Gold")
    gold_off = next(d for d in sim.data["automatic_discounts"].values() if d["title"] == "Gold members: 8% off")
    assert gold_off["segments"] == [gold_segment]
    assert gold_off["input"]["customerGets"]["value"]["percentage"] == pytest.approx(0.08)

    # Silver's discount goes, Gold's changes in place: no duplicates.
    with db.session(shop_id=shop_id) as s:
        service.save_perks(s, shop_id, {"discounts_enabled": True, "tiers": {"Gold": {"discount_percent": "10"}}})
    sync(app, shop_id)
    assert sorted(d["title"] for d in sim.data["automatic_discounts"].values()) == ["Gold members: 10% off"]
    assert len(sim.data["segments"]) == 3


def test_a_tier_renamed_renames_its_segment_and_a_discount_deleted_in_shopify_is_made_again(app, world):
    sim, shop_id = world["sim"], world["shop_id"]
    with db.session(shop_id=shop_id) as s:
        service.save_perks(s, shop_id, {"discounts_enabled": True, "tiers": {"Gold": {"discount_percent": "8"}}})
    sync(app, shop_id)
    sim.data["automatic_discounts"].clear()  # the merchant deleted it in Shopify admin
    with db.session(shop_id=shop_id) as s:
        service.save_settings(s, shop_id, tiers_raw=[{"name": "Bronze", "threshold": 0},
                                                     {"name": "Silver", "threshold": 500},
                                                     {"name": "Gold", "threshold": 2000, "over": True},
                                                     {"name": "Platinum", "threshold": 10000}])
        service.save_perks(s, shop_id, {"discounts_enabled": True, "tiers": {"Gold": {"discount_percent": "9"}}})
    sync(app, shop_id)
    assert sorted(s["name"] for s in sim.data["segments"].values()) == [
        "Flexchain Bronze", "Flexchain Gold", "Flexchain Platinum", "Flexchain Silver"]
    assert [d["title"] for d in sim.data["automatic_discounts"].values()] == ["Gold members: 9% off"]


def test_a_segment_left_from_an_earlier_install_is_adopted_not_doubled(app, world):
    sim = world["sim"]
    sim.data["segments"][1] = {"__typename": "Segment", "id": "gid://shopify/Segment/1", "name": "Flexchain Gold",
                               "query": "customer_tags CONTAINS 'old'", "creationDate": None}
    sync(app, world["shop_id"])
    golds = [s for s in sim.data["segments"].values() if s["name"].startswith("Flexchain Gold")]
    assert [(s["id"], s["query"]) for s in golds] == [
        ("gid://shopify/Segment/1", "customer_tags CONTAINS 'flexchain-tier-gold'")]


def test_the_job_writes_members_and_perks_together(app, world):
    with app.app_context():
        assert write_back_members(world["shop_id"]) == (30, 0)
    with db.session(shop_id=world["shop_id"]) as s:
        row = s.scalar(select(MembershipSettings).where(MembershipSettings.shop_id == world["shop_id"]))
        assert set(row.shopify_ids["segments"]) == {"bronze", "silver", "gold"}


def test_the_storefront_tier_comes_from_membership(app, world):
    gold, silver = world["customers"][0], world["customers"][1]
    with db.session(shop_id=world["shop_id"]) as s:
        # Gold's Customer row still carries the old bronze tag: membership wins.
        assert customer_tier(s, world["shop_id"], gold) == "gold"
        assert customer_tier(s, world["shop_id"], silver) == "silver"
        assert customer_tier(s, world["shop_id"], 999) is None


def test_parse_tiers_keeps_the_over_flag():
    assert parse_tiers([{"name": "A", "threshold": 0}, {"name": "B", "threshold": 5, "over": True}])[1].over


def test_a_tier_target_shortens_only_warehouses_that_are_slower_and_have_no_tier_handling_of_their_own():
    from app.supply.loader import with_tier_targets
    from app.supply.types import Handling, Warehouse

    def warehouse(days, own=()):
        return Warehouse(id="1", name="Paris", city="Paris", country="FR", lat=48.86, lng=2.35,
                         timezone="Europe/Paris", handling=Handling(days=days), tier_handling=own)

    targets = {"gold": 48, "silver": 72}
    assert dict(with_tier_targets(warehouse(4), targets).tier_handling) == {
        "gold": Handling(days=2), "silver": Handling(days=3)}
    # Standard 3 days: Silver's 72 h is no faster, so only Gold gains.
    assert dict(with_tier_targets(warehouse(3), targets).tier_handling) == {"gold": Handling(days=2)}
    # The merchant's own per-warehouse handling for Gold wins over the membership target.
    own = (("gold", Handling(hours=4)),)
    assert dict(with_tier_targets(warehouse(4, own), targets).tier_handling)["gold"] == Handling(hours=4)
    assert with_tier_targets(warehouse(1), targets) == warehouse(1)
