"""Archives the tests search and browse: the five bundled samples, or generated meetings."""

import os

import pytest
from hypothesis import settings

from minutes import generator, importer, search
from minutes.models import Meeting

# Hypothesis profiles: "ci" (the default) keeps the property tests to seconds; a long run is
# HYPOTHESIS_PROFILE=long. A test's own @settings (test_api_schema.py) still wins over the profile.
settings.register_profile("ci", max_examples=150, deadline=None)
settings.register_profile("long", max_examples=10_000, deadline=None)
settings.load_profile(os.getenv("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def archive(db):
    """The five sample referater of minutes/sample_minutes, with their compound-word terms."""
    for path in sorted(importer.SAMPLE_DIR.glob("*.txt")):
        importer.import_bytes(path.read_bytes(), path.name)
    search.record_terms(Meeting.objects.values_list("pk", flat=True))


@pytest.fixture
def generated_archive(db):
    """120 generated meetings (about 1,000 items): consecutive meeting ids fill every sample."""
    for meeting in generator.generate_meetings(120, seed=3):
        importer.import_bytes(generator.render(meeting).encode(), f"{meeting.body} {meeting.date}.txt")
    search.record_terms(Meeting.objects.values_list("pk", flat=True))
