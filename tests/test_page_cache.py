"""The shared page cache: public pages kept, never a private one, emptied when the archive changes."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from minutes import generator, importer


@pytest.fixture
def cached(settings, archive):
    settings.PAGE_CACHE_SECONDS = 300
    return settings


def test_public_page_is_answered_from_the_cache(client, cached, django_assert_num_queries):
    first = client.get("/soeg/?q=flådestyring")
    assert first["X-Cache"] == "miss"
    with django_assert_num_queries(1):  # the cache table's read, nothing else
        again = client.get("/soeg/?q=flådestyring")
    assert again["X-Cache"] == "hit"
    assert again.content == first.content
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert client.get("/soeg/?q=budget")["X-Cache"] == "miss"  # another URL is another page


def test_api_answers_are_cached_too(client, cached):
    assert client.get("/api/search?q=budget")["X-Cache"] == "miss"
    response = client.get("/api/search?q=budget")
    assert response["X-Cache"] == "hit"
    assert response.json()["count"] > 0


def test_an_import_empties_the_cache(client, cached, tmp_path):
    url = "/api/meetings"
    before = client.get(url).json()["count"]
    assert client.get(url)["X-Cache"] == "hit"
    meeting = next(generator.generate_meetings(1, seed=5))
    path = tmp_path / meeting.file_name
    path.write_text(generator.render(meeting), encoding="utf-8")
    assert [r.outcome.status for r in importer.import_files([path])] == ["created"]
    response = client.get(url)
    assert response["X-Cache"] == "miss"
    assert response.json()["count"] > before


def test_a_change_saved_in_the_admin_empties_the_cache(client, cached):
    client.get("/")
    assert client.get("/")["X-Cache"] == "hit"
    User.objects.create_superuser("admin", password="rigtig-adgangskode-1")
    staff = Client()
    assert (
        staff.post("/admin/login/", {"username": "admin", "password": "rigtig-adgangskode-1"}).status_code
        == 302
    )
    assert client.get("/")["X-Cache"] == "miss"


def test_logged_in_users_and_private_answers_are_never_cached(client, cached):
    User.objects.create_superuser("admin", password="rigtig-adgangskode-1")
    staff = Client()
    staff.force_login(User.objects.get(username="admin"))
    staff.get("/")
    assert "X-Cache" not in staff.get("/")  # a session cookie bypasses the cache both ways
    assert client.get("/")["X-Cache"] == "miss"
    login = client.get("/admin/login/")  # sets the CSRF cookie and is marked private
    assert "X-Cache" not in login and "X-Cache" not in client.get("/admin/login/")
    assert "X-Cache" not in client.get("/findes-ikke/")  # only 200 answers
    assert "X-Cache" not in client.get("/healthz")  # never_cache


def test_cache_off_when_its_time_is_zero(client, settings, archive):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/")
    assert "X-Cache" not in client.get("/")


def test_a_writer_with_the_cache_off_still_empties_the_servers_cache(client, cached, tmp_path):
    """import_minutes run from a shell with DEBUG on (cache off there) must not leave the web server,
    which has it on, showing the archive as it was."""
    url = "/api/meetings"
    before = client.get(url).json()["count"]
    assert client.get(url)["X-Cache"] == "hit"
    cached.PAGE_CACHE_SECONDS = 0  # the importing process's own settings
    meeting = next(generator.generate_meetings(1, seed=7))
    path = tmp_path / meeting.file_name
    path.write_text(generator.render(meeting), encoding="utf-8")
    call_command("import_minutes", str(path), stdout=io.StringIO())
    cached.PAGE_CACHE_SECONDS = 300  # the web server's
    response = client.get(url)
    assert response["X-Cache"] == "miss"
    assert response.json()["count"] == before + 1


def test_a_reparse_and_an_archive_import_empty_the_cache(client, cached, tmp_path):
    client.get("/")
    assert client.get("/")["X-Cache"] == "hit"
    call_command("reparse_minutes", stdout=io.StringIO())
    assert client.get("/")["X-Cache"] == "miss"
    export = tmp_path / "arkiv.jsonl"
    call_command("export_archive", str(export), stdout=io.StringIO())
    assert client.get("/")["X-Cache"] == "hit"
    call_command("import_archive", str(export), stdout=io.StringIO())
    assert client.get("/")["X-Cache"] == "miss"
