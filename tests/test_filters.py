"""The search page's filters and facet counts, against the real counts of the sample archive."""

import pytest
from django.http import QueryDict

from minutes import importer, search
from minutes.filters import ItemFilter, facet_counts
from minutes.models import AgendaItem, Meeting


@pytest.fixture
def archive(db):
    for path in sorted(importer.SAMPLE_DIR.glob("*.txt")):
        importer.import_bytes(path.read_bytes(), path.name)
    search.record_terms(Meeting.objects.values_list("pk", flat=True))


def filtered(query: str):
    return ItemFilter(QueryDict(query), queryset=AgendaItem.objects.all())


def test_filters_combine_with_the_text_query(archive):
    items = filtered("q=flådestyring&aar=2024&beslutning=approved").qs
    assert [(str(i.meeting.date), i.number) for i in items] == [("2024-04-02", 5)]


def test_several_decision_types_at_once(archive):
    items = filtered("beslutning=approved&beslutning=noted").qs
    assert {i.decision_type for i in items} == {"approved", "noted"}
    assert items.count() == AgendaItem.objects.filter(decision_type__in=["approved", "noted"]).count()


def test_case_number_filter_accepts_the_number_as_typed(archive):
    items = filtered("sagsnr=23-12486").qs
    assert sorted(i.number for i in items) == [5, 6]


def test_treated_by_and_status_filters(archive):
    items = filtered("behandles_af=oekonomiudvalget&status=aabne").qs
    assert (
        items.count()
        == AgendaItem.objects.filter(treated_by__name="Økonomiudvalget", closed=False).count()
        > 0
    )
    assert filtered("status=lukkede").qs.count() == AgendaItem.objects.filter(closed=True).count()


def test_invalid_filter_is_reported_and_ignored(archive):
    filterset = filtered("fra=2024-13-45&aar=2019")
    assert "fra" in filterset.errors
    assert filterset.qs.count() == AgendaItem.objects.filter(meeting__date__year=2019).count() == 8


def test_facet_counts_equal_the_real_counts(archive):
    data = QueryDict("q=budget&aar=2024")
    counts = facet_counts(data, AgendaItem.objects.all())
    matching = filtered("q=budget").qs  # the year facet ignores its own filter
    for year, n in counts["aar"]:
        assert n == matching.filter(meeting__date__year=year).count()
    in_2024 = filtered("q=budget&aar=2024").qs
    for decision_type, n in counts["beslutning"]:
        assert n == in_2024.filter(decision_type=decision_type).count()
    assert sum(n for _, n in counts["status"]) == in_2024.count()
    assert dict(counts["udvalg"]) == {"direktionen": in_2024.count()}
