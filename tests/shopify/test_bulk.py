"""Bulk operations over real HTTP: start, poll, stream JSONL in bounded memory, group children."""

from __future__ import annotations

import json

import pytest

from app.shopify import bulk
from app.shopify.admin_api import UserErrors
from tests.support.servers import serve
from tests.sync.simshop import FakeClock, admin_client, seeded


@pytest.fixture
def shop(sim_state):
    return seeded(sim_state, orders=40, customers=10, checkouts=2)


def test_orders_come_back_as_parents_followed_by_their_lines(app, sim_state, simulator, shop):
    client = admin_client(sim_state, shop, simulator, FakeClock())
    gid = bulk.start(client, "BulkOrders", QUERY_FILTER="created_at:>='2000-01-01T00:00:00Z'")
    done = bulk.wait(client, gid, timeout=10, interval=0.05)
    assert done.status == "COMPLETED" and done.url
    lines = list(bulk.stream_lines(done.url))
    assert "__parentId" not in lines[0]
    children = [line for line in lines if "__parentId" in line]
    assert children and all(c["id"].startswith("gid://shopify/LineItem/") for c in children)
    assert len(lines) == done.object_count
    groups = list(bulk.grouped(iter(lines)))
    assert len(groups) == done.root_object_count == 40
    by_id = {o["id"]: o for o in shop.data["orders"].values()}
    for group in groups:
        order = by_id[int(group.node["id"].rsplit("/", 1)[1])]
        assert len(group.of_type("LineItem")) == len(order["lines"])
        assert "lineItems" not in group.node  # nested connections are lifted out of the parent line


def test_a_failed_operation_is_reported_as_failed(app, sim_state, simulator, shop):
    sim_state.faults["bulk"] = ["FAILED"]
    client = admin_client(sim_state, shop, simulator, FakeClock())
    done = bulk.wait(client, bulk.start(client, "BulkCustomers"), timeout=10, interval=0.05)
    assert (done.status, done.error_code, done.url) == ("FAILED", "INTERNAL_SERVER_ERROR", None)


def test_a_second_bulk_query_while_one_runs_is_a_user_error(app, sim_state, simulator, shop):
    shop.data["bulk_delay"] = 2.0
    client = admin_client(sim_state, shop, simulator, FakeClock())
    bulk.start(client, "BulkCustomers")
    with pytest.raises(UserErrors) as caught:
        bulk.start(client, "BulkProducts")
    assert caught.value.errors[0].code == "OPERATION_IN_PROGRESS"


def test_substitutions_are_escaped_as_graphql_strings():
    query = bulk.bulk_query("BulkOrders", QUERY_FILTER='tag:"vip" AND x\\y')
    assert 'orders(query: "tag:\\"vip\\" AND x\\\\y")' in query


def test_grouping_keeps_one_root_in_memory_and_is_lazy():
    def lines():
        yield {"id": "gid://shopify/Order/1"}
        yield {"id": "gid://shopify/LineItem/1", "__parentId": "gid://shopify/Order/1"}
        yield {"id": "gid://shopify/Order/2"}
        raise AssertionError("read past what the first group needed")

    groups = bulk.grouped(lines())
    first = next(groups)
    assert first.node["id"] == "gid://shopify/Order/1" and len(first.children) == 1


def test_an_orphan_child_or_an_oversized_group_is_refused():
    orphan = [{"id": "gid://shopify/Order/1"}, {"id": "gid://shopify/LineItem/9", "__parentId": "gid://shopify/Order/7"}]
    with pytest.raises(bulk.BulkFormatError, match="without its parent"):
        list(bulk.grouped(iter(orphan)))
    big = [{"id": "gid://shopify/Order/1"}] + [
        {"id": f"gid://shopify/LineItem/{n}", "__parentId": "gid://shopify/Order/1"} for n in range(5)]
    with pytest.raises(bulk.BulkFormatError, match="more than 3"):
        list(bulk.grouped(iter(big), max_descendants=3))


def test_the_result_file_is_streamed_not_downloaded_whole():
    produced = []
    total = 60_000  # about 60 MB of JSONL

    def big_file(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/jsonl")])

        def body():
            for n in range(total):
                produced.append(n)
                yield (json.dumps({"id": f"gid://shopify/Customer/{n}", "pad": "x" * 1000}) + "\n").encode()

        return body()

    with serve(big_file) as url:
        stream = bulk.stream_lines(url + "/result.jsonl")
        assert next(stream)["id"] == "gid://shopify/Customer/0"
        stream.close()
    # Only what the socket buffers held was produced: the client never pulled the whole file.
    assert len(produced) < total // 2


def test_malformed_lines_are_reported_with_their_number():
    def broken(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/jsonl")])
        return [b'{"id": "gid://shopify/Customer/1"}\n', b"{not json\n"]

    with serve(broken) as url, pytest.raises(bulk.BulkFormatError, match="line 2"):
        list(bulk.stream_lines(url))
