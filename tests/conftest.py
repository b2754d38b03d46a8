"""Archives the tests search and browse: the five bundled samples, or generated meetings."""

import pytest

from minutes import generator, importer, search
from minutes.models import Meeting


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
