"""The search page's filters and facet counts, against the real counts of the sample archive."""

import pytest
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import QueryDict

from minutes import search
from minutes.models import AgendaItem, Body, Person
from minutes.search import facets
from minutes.search.facets import facet_counts
from minutes.search.filters import ItemFilter


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
    assert counts.facets["aar"] and not counts.approximate and not counts.estimated
    for year, n in counts.facets["aar"]:
        assert n == matching.filter(meeting__date__year=year).count()
    in_2024 = filtered("q=budget&aar=2024").qs
    assert counts.total == in_2024.count() > 0
    for decision_type, n in counts.facets["beslutning"]:
        assert n == in_2024.filter(decision_type=decision_type).count()
    assert sum(n for _, n in counts.facets["status"]) == in_2024.count()
    assert dict(counts.facets["udvalg"]) == {"direktionen": in_2024.count()}
    for slug, n in counts.facets["deltager"]:
        assert n == in_2024.filter(meeting__participants__slug=slug).count()
    assert len(counts.facets["deltager"]) == min(
        12, Person.objects.filter(meetings__items__in=in_2024).distinct().count()
    )
    for slug, n in counts.facets["behandles_af"]:
        assert n == in_2024.filter(treated_by__slug=slug).count()


def test_facet_options_are_ordered_by_count(archive):
    counts = facet_counts(QueryDict(""), AgendaItem.objects.all())
    for options in counts.facets.values():
        assert [n for _, n in options] == sorted((n for _, n in options), reverse=True)
    assert counts.total == AgendaItem.objects.count()


@pytest.mark.parametrize("tier", [1, 2])
def test_many_hits_are_estimated_from_the_smallest_sample_holding_enough(
    generated_archive, monkeypatch, tier
):
    """Above EXACT_BELOW the counts are a sample's counts times its scale, rounded."""
    samples = [(AgendaItem.objects.filter(sample), scale) for sample, scale in facets.SAMPLES]
    sampled, scale = samples[tier]
    assert samples[tier - 1][0].count() < sampled.count() < AgendaItem.objects.count() / 5
    monkeypatch.setattr(facets, "EXACT_BELOW", 0)
    monkeypatch.setattr(facets, "MIN_SAMPLED", sampled.count())
    counts = facet_counts(QueryDict(""), AgendaItem.objects.all())
    assert counts.approximate and counts.estimated == set(facets.FACET_SQL)
    assert counts.total == facets._estimate(sampled.count() * scale)
    closed = sampled.filter(closed=True).count()
    expected = {"aabne": sampled.count() - closed, "lukkede": closed}
    assert dict(counts.facets["status"]) == {k: facets._estimate(n * scale) for k, n in expected.items() if n}
    years = {str(y): facets._estimate(n * scale) for y, n in _per_year(sampled)}
    assert counts.facets["aar"] == sorted(years.items(), reverse=True)  # every year, newest first
    assert facets.count_items("") == (counts.total, True)


def test_a_filter_applies_to_the_sample_too(generated_archive, monkeypatch):
    monkeypatch.setattr(facets, "EXACT_BELOW", 0)
    monkeypatch.setattr(facets, "MIN_SAMPLED", 10**9)  # only the largest sample will do
    sample, scale = facets.SAMPLES[-1]
    sampled = AgendaItem.objects.filter(sample, meeting_date__year__gte=2000)
    counts = facet_counts(QueryDict("fra=2000-01-01"), AgendaItem.objects.all())
    assert counts.approximate and counts.total == facets._estimate(sampled.count() * scale) > 0


def _per_year(items):
    return items.annotate(y=ExtractYear("meeting__date")).values_list("y").annotate(n=Count("pk"))


def test_few_hits_are_counted_exactly_however_the_sample_falls(generated_archive):
    counts = facet_counts(QueryDict("q=budget"), AgendaItem.objects.all())
    assert not counts.approximate
    assert counts.total == filtered("q=budget").qs.count() > 0


def test_estimates_are_rounded_to_two_significant_digits():
    assert [facets._estimate(n) for n in (7, 99, 100, 1_049, 39_417, 388_130)] == [
        7,
        99,
        100,
        1_000,
        39_000,
        390_000,
    ]


def test_the_sample_is_an_even_spread_of_the_items(generated_archive):
    halves = [
        AgendaItem.objects.filter(sample__lt=500).count(),
        AgendaItem.objects.filter(sample__gte=500).count(),
    ]
    assert abs(halves[0] - halves[1]) < 0.1 * sum(halves)
    assert set(AgendaItem.objects.values_list("sample", flat=True)) <= set(range(1000))
    # not tied to item numbers: the first items of meetings are no likelier to be sampled
    first = AgendaItem.objects.filter(number=1)
    assert abs(first.filter(sample__lt=500).count() / first.count() - 0.5) < 0.1


def test_facets_with_filters_through_other_tables_count_exactly(archive):
    data = QueryDict("q=budget&behandles_af=oekonomiudvalget&deltager=michael-gravesen")
    counts = facet_counts(data, AgendaItem.objects.all())
    both = filtered(data.urlencode()).qs
    assert not counts.approximate and counts.total == both.count()
    without_person = filtered("q=budget&behandles_af=oekonomiudvalget").qs
    for slug, n in counts.facets["deltager"]:
        assert n == without_person.filter(meeting__participants__slug=slug).count()
    for year, n in counts.facets["aar"]:
        assert n == both.filter(meeting_date__year=year).count()


def test_estimates_with_filters_through_other_tables_use_the_samples_hits(generated_archive, monkeypatch):
    monkeypatch.setattr(facets, "EXACT_BELOW", 0)
    monkeypatch.setattr(facets, "MIN_SAMPLED", 10**9)  # only the largest sample will do
    body = Body.objects.filter(treatments__isnull=False).first()
    sample, scale = facets.SAMPLES[-1]
    counts = facet_counts(QueryDict(f"q=budget&behandles_af={body.slug}"), AgendaItem.objects.all())
    sampled = search.search(AgendaItem.objects.filter(sample), "budget").filter(treated_by=body)
    assert counts.approximate and counts.total == facets._estimate(sampled.count() * scale)
