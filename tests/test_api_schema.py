"""Schemathesis: requests generated from /api/openapi.json, each response checked against the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from archive_site.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture
def in_test_transaction():
    """Keep the test's database connection open across WSGI requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, archive, in_test_transaction):
    # /api/search and /api/meetings refuse a body or person the archive doesn't know (a 400 naming the
    # nearest, never a silent zero): which names exist is data, not schema, so a schema-valid name may
    # be refused there.
    excluded = [positive_data_acceptance] if case.path.endswith(("/search", "/meetings")) else []
    case.call_and_validate(excluded_checks=excluded)
