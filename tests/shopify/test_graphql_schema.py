"""Every operation we send to Shopify is valid against the real Admin API 2026-07 schema.

The schema is Shopify's own introspection result (shipped with Shopify's dev tooling), committed as a
fixture so this runs offline. Building it takes a few seconds, so it is built once per session.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from graphql import GraphQLSchema, build_client_schema, parse, validate
from graphql.language import OperationDefinitionNode

from app.config import ADMIN_API_VERSION
from app.shopify.admin_api import OPERATIONS_DIR, load_operation

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "fixtures" / f"admin_{ADMIN_API_VERSION}.json.gz"
OPERATION_FILES = sorted(OPERATIONS_DIR.glob("*.graphql"))


@pytest.fixture(scope="session")
def admin_schema() -> GraphQLSchema:
    with gzip.open(SCHEMA_FILE, "rt", encoding="utf-8") as fh:
        introspection = json.load(fh)
    return build_client_schema(introspection["data"], assume_valid=True)


def test_the_fixture_is_the_pinned_version() -> None:
    assert SCHEMA_FILE.exists(), f"missing schema fixture for {ADMIN_API_VERSION}"
    assert len(OPERATION_FILES) >= 15


@pytest.mark.parametrize("path", OPERATION_FILES, ids=lambda p: p.stem)
def test_operation_is_valid_against_admin_schema(admin_schema: GraphQLSchema, path: Path) -> None:
    document = parse(path.read_text())
    errors = validate(admin_schema, document)
    assert not errors, [f"{e.message} at {e.locations}" for e in errors]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    # One named operation per file, named after the file: execute("X") loads X.graphql.
    assert [op.name.value for op in operations if op.name] == [path.stem]
    assert load_operation(path.stem) == path.read_text()


def test_an_invalid_document_is_caught(admin_schema: GraphQLSchema) -> None:
    # Proves the validation above can fail: a field Shopify removed from Customer.
    errors = validate(admin_schema, parse("query Q { customers(first: 1) { nodes { acceptsMarketing } } }"))
    assert errors and "acceptsMarketing" in errors[0].message
