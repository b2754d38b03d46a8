"""Archives the tests search and browse: the five bundled samples, or generated meetings."""

import os

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test import Client, override_settings
from hypothesis import settings as hypothesis_settings

from minutes import generator, importer, search
from minutes.models import Meeting
from minutes.search import engine, indexing
from tests.snapshots import Snapshot

# Hypothesis profiles: "ci" (the default) keeps the property tests to seconds; a long run is
# HYPOTHESIS_PROFILE=long. A test's own @settings (test_api_schema.py) still wins over the profile.
hypothesis_settings.register_profile("ci", max_examples=150, deadline=None)
hypothesis_settings.register_profile("long", max_examples=10_000, deadline=None)
hypothesis_settings.load_profile(os.getenv("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Users made and logged in by the tests get a fast hash: PBKDF2's million rounds, there to slow
    down password guessing, cost a second of CPU per user and login. Which hasher the site uses is not
    under test; checking a password and the login lock-out work the same with any."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def search_index(request, settings, tmp_path):
    """Each test that uses the database gets its own empty search index: the test's rows reach it through
    the change queue, as in production, and nothing of another test's rolled-back rows is in it."""
    settings.SEARCH_INDEX_DIR = tmp_path / "search-index"
    engine.forget_opened()
    databases = [name for name in ("transactional_db", "db") if name in request.fixturenames]
    if databases or request.node.get_closest_marker("django_db"):
        if databases:
            request.getfixturevalue(databases[0])
        indexing.create_empty()
    yield
    engine.forget_opened()


def import_samples():
    """The five sample referater of minutes/sample_minutes, with their compound-word terms."""
    for path in sorted(importer.SAMPLE_DIR.glob("*.txt")):
        importer.import_bytes(path.read_bytes(), path.name)
    search.record_terms(Meeting.objects.values_list("pk", flat=True))


def import_generated():
    """120 generated meetings (about 1,000 items): consecutive meeting ids fill every sample."""
    for meeting in generator.generate_meetings(120, seed=3):
        importer.import_bytes(generator.render(meeting).encode(), f"{meeting.body} {meeting.date}.txt")
    search.record_terms(Meeting.objects.values_list("pk", flat=True))


SAMPLES = Snapshot(import_samples)
GENERATED = Snapshot(import_generated)


@pytest.fixture
def archive(db):
    """The five sample referater of minutes/sample_minutes, with their compound-word terms (imported
    once per run and state, then copied in: tests/snapshots.py)."""
    SAMPLES.apply()


@pytest.fixture
def generated_archive(db):
    """120 generated meetings (about 1,000 items): consecutive meeting ids fill every sample (imported
    once per run and state, then copied in: tests/snapshots.py)."""
    GENERATED.apply()
    # Statistics for the planner: autovacuum, run while another test's rows were uncommitted, may
    # have left these tables counted as empty, and a plan made for empty tables reads the whole
    # bloated heap once per meeting (test_archive_export took minutes after test_admin).
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE minutes_meeting, minutes_agendaitem, minutes_treatment, minutes_attachment,"
            " minutes_otherdecision, minutes_attendance"
        )


@pytest.fixture
def secretary(db, settings, tmp_path):
    """A logged-in client of a staff user with the upload permission (``.user``); uploads and kept
    files go to this test's own folders."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.UPLOAD_PENDING_DIR = tmp_path / "pending"
    user = User.objects.create_user("sekretariat", password="hemmeligt-123", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="upload_minutes"))
    client = Client()
    client.force_login(user)
    client.user = user
    return client
