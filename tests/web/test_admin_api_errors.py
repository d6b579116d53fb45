"""What generated admin API requests found (tests/fuzz/test_admin_api.py), kept as plain regression tests:
an id no database column can hold is "not found", a job id RQ would refuse is "no such job", and the errors
werkzeug answers by itself under /api/ are JSON the admin's script can show."""

from __future__ import annotations

import io

import pytest

from tests.fuzz.test_admin_api import admin, bearer, call  # noqa: F401 - the fixture

BEYOND_BIGINT = "9223372036854775808"


@pytest.mark.parametrize(("method", "path"), [
    ("PUT", f"/api/warehouses/{BEYOND_BIGINT}"),
    ("PUT", f"/api/warehouses/{BEYOND_BIGINT}/lanes"),
    ("DELETE", f"/api/warehouses/11/lanes/{BEYOND_BIGINT}"),
    ("DELETE", f"/api/warehouses/11/incoming/{BEYOND_BIGINT}"),
    ("PUT", f"/api/membership/customers/{BEYOND_BIGINT}/pin"),
    ("GET", f"/api/privacy/exports/{BEYOND_BIGINT}.json"),
    ("GET", "/api/traceability/products/99999999999999999999/records"),
    ("POST", f"/api/traceability/products/{BEYOND_BIGINT}/publish"),
])
def test_an_id_beyond_any_database_key_is_not_found(admin, method, path):  # noqa: F811
    response = call(admin, method, path, {})
    # Found by the fuzzer: the number reached PostgreSQL, which refused it ("bigint out of range"): a 500.
    assert response.status_code in (404, 405) and response.is_json and response.json["error"]


def test_the_largest_bigint_is_still_an_id(admin):  # noqa: F811
    response = call(admin, "GET", f"/api/traceability/products/{int(BEYOND_BIGINT) - 1}/records")
    assert response.status_code == 404 and response.json == {"error": "No such product in this store."}


@pytest.mark.parametrize("job_id", [";", "a.b", "job%20one", "%C3%A9t%C3%A9", "x" * 129])
def test_a_job_id_rq_would_refuse_is_no_such_job(admin, job_id):  # noqa: F811
    response = call(admin, "POST", f"/api/status/jobs/{job_id}/retry")
    # Found by the fuzzer: RQ raised ValueError on any character outside [A-Za-z0-9_-], a 500.
    assert response.status_code == 404 and response.json == {"error": "No such job."}


def test_errors_werkzeug_answers_under_the_api_are_json(admin):  # noqa: F811
    # A form field (a part without a file name) over werkzeug's in-memory limit: 413 before any view.
    big = admin.post("/api/traceability/import", headers={"Authorization": bearer()},
                     data={"file": io.BytesIO(b"product_id,stage,place,date\n" + b"x" * 600_000)},
                     content_type="multipart/form-data")
    assert big.status_code == 413 and big.is_json and big.json["error"]
    assert admin.get("/api/no-such-thing", headers={"Authorization": bearer()}).json["error"]
    wrong_method = admin.delete("/api/session", headers={"Authorization": bearer()})
    assert wrong_method.status_code == 405 and wrong_method.json["error"]
    # Pages and the storefront keep their own error pages.
    page = admin.get("/no-such-page")
    assert page.status_code == 404 and not page.is_json


@pytest.mark.parametrize(("method", "path"), [
    ("PUT", "/api/membership/settings"), ("PUT", "/api/recovery/settings"), ("PUT", "/api/warehouses/11"),
    ("POST", "/api/traceability/products/4242/records"), ("PUT", "/api/privacy/settings"),
])
def test_json_nested_deeper_than_the_parser_goes_is_malformed_json(admin, method, path):  # noqa: F811
    deep = b"[" * 5000 + b"]" * 5000
    response = admin.open(path, method=method, data=deep, content_type="application/json",
                          headers={"Authorization": bearer()})
    # Found by the fuzzer: Python's parser raised RecursionError, which no view expects: a 500.
    assert response.status_code in (400, 422) and response.is_json and response.json
