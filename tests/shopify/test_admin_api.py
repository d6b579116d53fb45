"""The Admin GraphQL client against the simulator over real HTTP: throttling, retries, tokens, pages, errors."""

from __future__ import annotations

import pytest
import redis

from app.shopify.admin_api import AccessDenied, AdminApiUnavailable, GraphQLErrors, UserErrors
from app.shopify.throttle import ThrottleStore
from tests.sync.simshop import FakeClock, admin_client, seeded, use_bucket


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def shop(sim_state):
    return seeded(sim_state, orders=20, customers=60, checkouts=3)


def test_shop_settings_come_back_shaped_like_shopify(app, sim_state, simulator, shop, clock):
    data = admin_client(sim_state, shop, simulator, clock).execute("ShopSettings")
    assert data["shop"]["id"] == f"gid://shopify/Shop/{shop.shopify_id}"
    assert data["shop"]["currencyCode"] == "EUR"
    assert data["shop"]["ianaTimezone"] == "Europe/Paris"


def test_waits_before_the_bucket_runs_dry_instead_of_being_throttled(app, sim_state, simulator, shop, clock):
    use_bucket(shop, clock, maximum=50, restore_rate=5)
    client = admin_client(sim_state, shop, simulator, clock, redis_url=app.config["FLEXCHAIN"].redis_url)
    for _ in range(20):  # Locations(first: 2) costs 6 points: 120 points through a 50-point bucket
        client.execute("Locations", {"first": 2})
    assert sim_state.calls.get("graphql:THROTTLED", 0) == 0
    assert sim_state.calls["graphql:Locations"] == 20
    # It had to wait for roughly the 70 points it spent beyond the bucket, at 5 points a second.
    assert 10 <= sum(clock.sleeps) <= 20


def test_a_second_worker_sees_the_shared_throttle_status(app, sim_state, simulator, shop, clock):
    use_bucket(shop, clock, maximum=50, restore_rate=5)
    redis_url = app.config["FLEXCHAIN"].redis_url
    first = admin_client(sim_state, shop, simulator, clock, redis_url=redis_url)
    for _ in range(8):  # 48 of 50 points spent, no wait needed yet
        first.execute("Locations", {"first": 2})
    assert clock.sleeps == []
    # A fresh client (another worker process) has never seen this shop, but Redis has.
    second = admin_client(sim_state, shop, simulator, clock, redis_url=redis_url)
    second.execute("Locations", {"first": 2})
    assert len(clock.sleeps) == 1
    assert sim_state.calls.get("graphql:THROTTLED", 0) == 0


def test_redis_down_still_works_from_local_memory(app, sim_state, simulator, shop, clock):
    use_bucket(shop, clock, maximum=50, restore_rate=5)
    client = admin_client(sim_state, shop, simulator, clock)
    client.throttle = ThrottleStore(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    for _ in range(12):
        client.execute("Locations", {"first": 2})
    assert sim_state.calls.get("graphql:THROTTLED", 0) == 0
    assert sum(clock.sleeps) > 0


@pytest.mark.parametrize("fault", [429, {"status": 429, "retry_after": 2.5}, 500, 502, 503])
def test_transient_failures_are_retried(app, sim_state, simulator, shop, clock, fault):
    sim_state.arm("graphql", fault, times=2)
    data = admin_client(sim_state, shop, simulator, clock).execute("Locations", {"first": 5})
    assert len(data["locations"]["nodes"]) == 4
    if fault == 429:
        assert clock.sleeps == [1.0, 1.0]  # Retry-After honoured
    elif isinstance(fault, dict):
        assert clock.sleeps == [2.5, 2.5]
    else:
        assert clock.sleeps == [1.0, 2.0]  # exponential backoff


def test_throttled_waits_what_the_throttle_status_says_the_bucket_needs(app, sim_state, simulator, shop, clock):
    from graphql import parse

    from app.devshop.graphql_api import requested_cost
    from app.shopify.admin_api import load_operation

    use_bucket(shop, clock, maximum=1000, restore_rate=50)
    sim_state.arm("graphql", "THROTTLED", times=2)
    data = admin_client(sim_state, shop, simulator, clock).execute("Locations", {"first": 5})
    assert len(data["locations"]["nodes"]) == 4
    assert sim_state.calls["graphql:THROTTLED"] == 2
    cost = requested_cost(parse(load_operation("Locations")).definitions[0].selection_set, {"first": 5}, {})
    # Each THROTTLED found the bucket empty; refilling `cost` points (plus one in reserve) at 50 a second is
    # exactly what the client waited, once per throttled answer and not a moment more.
    assert clock.sleeps == [pytest.approx((cost + 1) / 50)] * 2


def test_timeouts_are_retried(app, sim_state, simulator, shop, clock):
    sim_state.faults["graphql"] = [{"delay": 1.0}]
    client = admin_client(sim_state, shop, simulator, clock, timeout=0.3)
    assert client.execute("ShopSettings")["shop"]["name"] == "Flexchain Demo"
    assert clock.sleeps == [1.0]


def test_persistent_outage_raises_unavailable_with_capped_backoff(app, sim_state, simulator, shop, clock):
    sim_state.faults["graphql"] = [500] * 10
    client = admin_client(sim_state, shop, simulator, clock, max_attempts=6, backoff_cap=5)
    with pytest.raises(AdminApiUnavailable, match="HTTP 500"):
        client.execute("ShopSettings")
    assert clock.sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_401_forces_one_token_refresh(app, sim_state, simulator, shop, clock):
    asked: list[bool] = []
    fresh = sim_state.issue_tokens(shop.domain, expiring=True).access_token

    def provider(force: bool) -> str:
        asked.append(force)
        return fresh if force else "shpat_expired"

    client = admin_client(sim_state, shop, simulator, clock, token_provider=provider)
    assert client.execute("ShopSettings")["shop"]["myshopifyDomain"] == shop.domain
    assert asked == [False, True]


def test_a_token_rejected_after_refresh_is_access_denied(app, sim_state, simulator, shop, clock):
    asked: list[bool] = []
    client = admin_client(sim_state, shop, simulator, clock,
                          token_provider=lambda force: asked.append(force) or "shpat_revoked")
    with pytest.raises(AccessDenied):
        client.execute("ShopSettings")
    assert asked == [False, True]


def test_paginate_walks_every_page(app, sim_state, simulator, shop, clock):
    client = admin_client(sim_state, shop, simulator, clock)
    customers = list(client.paginate("Customers", "customers", page_size=25))
    assert len(customers) == 60
    assert len({c["id"] for c in customers}) == 60
    assert sim_state.calls["graphql:Customers"] == 3
    locations = list(client.paginate("Locations", "locations", page_size=1))
    assert [loc["address"]["city"] for loc in locations] == ["Paris", "Rotterdam", "Milano", "Newark"]


def test_paginate_a_nested_connection(app, sim_state, simulator, shop, clock):
    client = admin_client(sim_state, shop, simulator, clock)
    location = next(iter(shop.data["locations"]))
    levels = list(client.paginate("LocationInventoryLevels", "location.inventoryLevels",
                                  {"locationId": f"gid://shopify/Location/{location}"}, page_size=10))
    expected = sum(1 for (_item, loc) in shop.data["levels"] if loc == location)
    assert len(levels) == expected > 10


def test_user_errors_are_raised_typed(app, sim_state, simulator, shop, clock):
    client = admin_client(sim_state, shop, simulator, clock)
    with pytest.raises(UserErrors) as caught:
        client.execute("TagsAdd", {"id": "gid://shopify/Customer/1", "tags": ["vip"]})
    assert caught.value.errors[0].field == ("id",)
    discount = {"title": "Gold 15%", "code": "GOLD15", "startsAt": "2026-07-01T00:00:00Z",
                "context": {"all": "ALL"}, "customerGets": {"value": {"percentage": 0.15}, "items": {"all": True}}}
    created = client.execute("DiscountCodeBasicCreate", {"basicCodeDiscount": discount})
    assert created["discountCodeBasicCreate"]["codeDiscountNode"]["id"].startswith("gid://shopify/DiscountCodeNode/")
    with pytest.raises(UserErrors) as caught:
        client.execute("DiscountCodeBasicCreate", {"basicCodeDiscount": discount})
    assert caught.value.errors[0].code == "TAKEN"
    assert caught.value.errors[0].field == ("basicCodeDiscount", "code")


def test_mutations_change_what_later_queries_read(app, sim_state, simulator, shop, clock):
    client = admin_client(sim_state, shop, simulator, clock)
    customer_id = next(iter(shop.data["customers"]))
    client.execute("TagsAdd", {"id": f"gid://shopify/Customer/{customer_id}", "tags": ["gold"]})
    assert "gold" in shop.data["customers"][customer_id]["tags"]
    saved = client.execute("MetafieldsSet", {"metafields": [{
        "ownerId": f"gid://shopify/Customer/{customer_id}", "namespace": "$app:loyalty", "key": "points",
        "type": "number_integer", "value": "120"}]})
    assert saved["metafieldsSet"]["metafields"][0]["namespace"] == f"app--{sim_state.api_key}--loyalty"


def test_graphql_errors_are_raised_typed(app, sim_state, simulator, shop, clock):
    client = admin_client(sim_state, shop, simulator, clock)
    with pytest.raises(GraphQLErrors, match="doesn't exist"):
        client.request("query Bad { shop { noSuchField } }", {}, "Bad")


DISCOUNT = {"title": "Back 10%", "code": "BACK-ONCE", "startsAt": "2026-07-01T00:00:00Z", "context": {"all": "ALL"},
            "customerGets": {"value": {"percentage": 0.1}, "items": {"all": True}}}


@pytest.mark.parametrize("fault", [503, {"delay": 1.0}], ids=["503", "timeout"])
def test_a_create_with_an_unknown_outcome_is_not_resent(app, sim_state, simulator, shop, clock, fault):
    from app.shopify.admin_api import AdminApiOutcomeUnknown

    sim_state.arm("graphql", fault)
    client = admin_client(sim_state, shop, simulator, clock, timeout=0.3)
    with pytest.raises(AdminApiOutcomeUnknown):
        client.execute("DiscountCodeBasicCreate", {"basicCodeDiscount": DISCOUNT})
    assert clock.sleeps == []  # not resent: a second create could make a second discount


@pytest.mark.parametrize("fault", ["THROTTLED", 429, 401])
def test_a_create_shopify_never_ran_is_resent(app, sim_state, simulator, shop, clock, fault):
    use_bucket(shop, clock)
    fresh = sim_state.issue_tokens(shop.domain, expiring=True).access_token
    sim_state.arm("graphql", fault)
    client = admin_client(sim_state, shop, simulator, clock, token_provider=lambda _force: fresh)
    created = client.execute("DiscountCodeBasicCreate", {"basicCodeDiscount": DISCOUNT})
    assert created["discountCodeBasicCreate"]["codeDiscountNode"]["id"]
    assert sim_state.calls["graphql:DiscountCodeBasicCreate"] == 1


def test_an_idempotent_write_is_resent_after_a_5xx(app, sim_state, simulator, shop, clock):
    customer_id = next(iter(shop.data["customers"]))
    sim_state.arm("graphql", 500)
    client = admin_client(sim_state, shop, simulator, clock)
    client.execute("TagsAdd", {"id": f"gid://shopify/Customer/{customer_id}", "tags": ["gold"]})
    assert clock.sleeps == [1.0]
    assert shop.data["customers"][customer_id]["tags"].count("gold") == 1
