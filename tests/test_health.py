"""The error pages and /healthz: a database outage gives the Danish 503 page, and the site recovers."""

import logging
import socket
import sys

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection
from django.test import Client

from minutes import health


@pytest.fixture
def client():
    # Errors answered by the error handlers, as a browser gets them; not re-raised into the test.
    return Client(raise_request_exception=False)


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_down(transactional_db):
    """The database refuses connections (a port where nothing listens) until the test ends."""
    saved = connection.settings_dict.copy()
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=unused_port())
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def test_healthz_reports_the_database_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_the_database_down(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "unavailable"


@pytest.mark.parametrize("path", ["/", "/soeg/?q=budget", "/moede/1/", "/sag/24-003210/", "/udvalg/"])
def test_database_outage_gives_the_danish_503_page(client, database_down, path):
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == str(health.RETRY_AFTER)
    html = response.content.decode()
    assert '<html lang="da">' in html
    assert "Arkivet er midlertidigt utilgængeligt" in html
    assert "Traceback" not in html and "OperationalError" not in html and "127.0.0.1" not in html


def test_database_outage_in_the_api_is_json(client, database_down):
    response = client.get("/api/search?q=budget")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Arkivets database svarer ikke lige nu. Prøv igen om lidt."}


def test_site_recovers_after_an_outage_without_a_restart(client, transactional_db):
    saved = connection.settings_dict.copy()
    assert client.get("/healthz").status_code == 200
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=unused_port())
    try:
        assert client.get("/").status_code == 503
        assert client.get("/healthz").status_code == 503
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert client.get("/healthz").status_code == 200
    response = client.get("/")
    assert response.status_code == 200
    assert "Referatarkivet" in response.content.decode()


def broken(*args, **kwargs):
    raise RuntimeError("hemmelig intern detalje")


def test_a_bug_gives_the_500_page_without_internals(client, db, monkeypatch):
    monkeypatch.setattr("minutes.models.MeetingQuerySet.with_item_counts", broken)
    response = client.get("/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Der opstod en fejl" in html
    assert "hemmelig intern detalje" not in html and "Traceback" not in html
    assert "Retry-After" not in response


def test_a_bug_in_the_api_is_a_json_500(client, db, monkeypatch):
    monkeypatch.setattr("minutes.api.search_page", broken)
    response = client.get("/api/search?q=budget")
    assert response.status_code == 500
    assert response.json() == {"detail": "Der opstod en fejl på serveren. Prøv igen om lidt."}


def test_unknown_page_is_the_danish_404(client, db):
    response = client.get("/findes/ikke/")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.content.decode()


def test_unknown_host_is_the_danish_400(client, db):
    response = client.get("/", HTTP_HOST="angriber.example")
    assert response.status_code == 400
    assert "Forespørgslen kunne ikke læses" in response.content.decode()


def test_forbidden_is_the_danish_403(client, db):
    client.force_login(User.objects.create_user("borger", password="x", is_staff=True))
    response = client.get("/admin/upload/")
    assert response.status_code == 403
    assert "Adgang nægtet" in response.content.decode()


def test_form_without_csrf_token_is_the_danish_403(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "Formularen kunne ikke sendes" in response.content.decode()


def logged(error: Exception, path: str) -> logging.LogRecord:
    """The record Django's request logger makes for an uncaught exception."""
    try:
        raise error
    except type(error):
        return logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", (path,), sys.exc_info()
        )


def test_outage_is_logged_as_one_line_without_traceback():
    record = logged(
        OperationalError('connection failed: connection to server at "db" failed\nIs it running?'), "/soeg/"
    )
    assert health.OutageLogFilter().filter(record)
    assert record.exc_info is None
    assert record.getMessage() == (
        'Internal Server Error: /soeg/ (database unavailable: connection failed: connection to server at "db"'
        " failed)"
    )


def test_other_errors_keep_their_traceback_in_the_log():
    record = logged(RuntimeError("bug"), "/")
    assert health.OutageLogFilter().filter(record)
    assert record.exc_info is not None


def test_healthz_answers_its_json_during_an_outage_with_the_page_cache_on(client, settings, database_down):
    settings.PAGE_CACHE_SECONDS = 300  # the cache table is in the database that is down
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["database"] == "unavailable"


def test_pages_answer_the_503_page_during_an_outage_with_the_page_cache_on(client, settings, database_down):
    settings.PAGE_CACHE_SECONDS = 300
    response = client.get("/soeg/?q=budget")
    assert response.status_code == 503
    assert "Retry-After" in response


def test_healthz_answers_json_to_an_unreadable_query_too(client, db):
    response = client.get("/healthz?x=%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"][0]["field"] == "x"
