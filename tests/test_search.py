"""Full-text search over the sample referater: stemming, compounds, ranking, syntax, snippets."""

import datetime
import re

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db.models import Q

from minutes import search
from minutes.models import AgendaItem, Body, Case, Person
from minutes.search import facets, indexing, snippets
from minutes.search import page as search_page
from minutes.templatetags.minutes_tags import highlight


def titles(query):
    hits = search.search(AgendaItem.objects.all(), query).order_by("-rank", "-meeting__date", "number")
    return [item.title for item in hits]


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("24-3210", "24-003210"),
        ("24 003210", "24-003210"),
        ("21-46857k", "21-046857K"),
        ("326-2020-15086", "326-2020-15086"),
        ("emn-2025-3383", "EMN-2025-003383"),
    ],
)
def test_case_key_is_the_same_however_the_number_is_typed(typed, written):
    assert search.case_query(typed) == search.case_key(written)


def test_case_query_only_for_a_whole_case_number():
    assert search.case_query("budget 2024") is None
    assert search.case_query("2024") is None
    assert search.case_keys_in("flådestyring 23-012486 status") == ["23-12486"]


def test_cases_are_stored_with_their_key(archive):
    assert Case.objects.get(number="21-046857K").key == "21-46857K"


def test_search_stems_danish_words(archive):
    assert "Flådestyring af Kalundborg Kommunes bilflåde - faseskift til beslutningsfase" in titles(
        "flådestyringen"
    )
    assert titles("beslutningerne")  # stem "beslutning"


def test_search_finds_compound_words_by_their_parts(archive):
    flaade = titles("flåde")
    assert "Flådestyring af Kalundborg Kommunes bilflåde - faseskift til beslutningsfase" in flaade
    assert "Strategi for overgang til 0-emissionsdrift" in flaade  # "bilflåden", "flådestyringsprojektets"
    assert "Samlet budgetopfølgning pr. 31. august 2024" in titles("budget")
    assert "Strategi for overgang til 0-emissionsdrift" in titles("infrastruktur")  # ladeinfrastrukturen


def test_exact_word_hits_rank_above_compound_hits(archive):
    ranked = list(search.search(AgendaItem.objects.all(), "budget").order_by("-rank"))
    stemmed = SearchQuery("budget", config="danish")
    exact = [i for i in ranked if AgendaItem.objects.filter(pk=i.pk, search_vector=stemmed).exists()]
    compound_only = [i for i in ranked if i not in exact]
    assert exact and compound_only
    assert min(i.rank for i in exact) > max(i.rank for i in compound_only)


def test_title_hits_rank_above_body_hits(archive):
    ranked = titles("kontrolgruppens")
    assert ranked[0].startswith("Fælles årsrapportering på kontrolgruppens arbejde")


def test_search_phrase_and_exclusion(archive):
    phrase = titles('"virtuelle møder"')
    assert (
        "Status på udarbejdelse af kanalstrategi samt etablering af kontaktcenter i Kalundborg Kommune"
        in phrase
    )
    assert titles('"møder virtuelle"') == []  # the words, but not in that order
    with_strategy = titles("flådestyring")
    without = titles("flådestyring -strategi")
    assert "Strategi for overgang til 0-emissionsdrift" in with_strategy
    assert "Strategi for overgang til 0-emissionsdrift" not in without and without
    either = set(titles("flådestyring or kontaktcenter"))
    assert either >= set(titles("kontaktcenter")) | {with_strategy[0]}


SEARCHED_TOGETHER = [
    "budget",
    "Budgetter",  # stemmed, and a compound: "budgetopfølgning"
    "flåde",  # compounds only: "bilflåde", "flådestyring"
    "flådestyring -strategi",  # an excluded word
    "budget -elbiler",
    '"virtuelle møder"',  # a phrase
    '"møder virtuelle"',
    '"taget til efterretning"',  # a phrase with a stop word
    "flådestyring or kontaktcenter",  # alternatives
    "kontaktcenter flådestyring or budget",  # a clause of alternatives beside another: parse()'s reading
    "covid-19 budget",
    "21-102762",  # a case number
    "Sag 21–102762",
    "flådestyring 23-012486",  # a word and a case number
    "og i at det",  # stop words only
    "xyzzyq",  # nothing
    "' OR 1=1 --",
    "&|!:*()",
    "-",
    "or",
    "",
    "   ",
]


def test_search_many_finds_what_search_finds_for_each_query(archive):
    every = list(AgendaItem.objects.values_list("pk", flat=True))
    some = every[::3]  # among some items (the e-mail alerts' new items), as among all
    for ids in (every, some):
        found = search.search_many(ids, SEARCHED_TOGETHER)
        assert set(found) == set(SEARCHED_TOGETHER)
        for text in SEARCHED_TOGETHER:
            searched = search.search(AgendaItem.objects.filter(pk__in=ids), text).values_list("pk", flat=True)
            assert found[text] == sorted(searched), text
    found = search.search_many(every, SEARCHED_TOGETHER)
    assert found["flåde"] and found["21-102762"] and found["flådestyring or kontaktcenter"]
    assert found["xyzzyq"] == [] and found["og i at det"] == [] and found[""] == sorted(every)


@pytest.mark.parametrize(
    "query", ['"', "&|!:*()", "a" * 2000, "og i at det", "' OR 1=1 --", "\\", "budget & | !", "-", "or"]
)
def test_odd_queries_give_results_or_nothing_never_an_error(archive, query):
    assert isinstance(titles(query), list)


def test_highlight_marks_words_and_escapes_minutes_text(archive):
    item = AgendaItem.objects.get(meeting__date="2024-04-02", number=5)
    AgendaItem.objects.filter(pk=item.pk).update(
        decision='Godkendt: 5 < 7 & "flådestyring" > alt andet.', summary="", presentation=""
    )
    shown = highlight(snippets.highlight([item], "flådestyring")[item.pk])
    assert "5 &lt; 7 &amp; &quot;<mark>flådestyring</mark>&quot; &gt; alt andet" in shown
    assert shown.count("<") == shown.count("<mark>") + shown.count("</mark>")


def test_search_page_shows_ranked_hits_with_marked_snippets(archive, client, django_assert_max_num_queries):
    indexing.drain_all()  # the import's changes reach the search index (the indexer's work)
    # 15: "flåde" finds less than a page, so its other words are looked up and searched too.
    with django_assert_max_num_queries(18):
        response = client.get("/soeg/", {"q": "flåde"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Flådestyring af Kalundborg Kommunes bilflåde") < html.index("Strategi for overgang")
    assert "<mark>bilflåde</mark>" in html or "<mark>bilflåden</mark>" in html
    assert "Direktionen, 2. april 2024" in html
    assert '<span class="badge badge--approved">' in html


def test_search_page_sends_a_case_number_to_the_case_page(archive, client):
    assert client.get("/soeg/", {"q": "24-3210"}).url == "/sag/24-003210/"
    assert client.get("/soeg/", {"q": " 23 12486 "}).url == "/sag/23-012486/"
    assert client.get("/sag/21-46857k/").url == "/sag/21-046857K/"
    assert client.get("/sag/99-999999/").status_code == 404


def test_search_page_reports_an_invalid_date_and_keeps_the_other_filters(archive, client):
    html = client.get("/soeg/", {"fra": "2024-13-45", "aar": "2019"}).content.decode()
    assert "Nogle filtre kunne ikke bruges" in html
    assert "8 punkter" in html  # the year 2019 still applies
    assert "År: 2019" in html  # as a removable chip


def test_search_page_suggests_words_when_nothing_is_found(archive, client):
    html = client.get("/soeg/", {"q": "fladestyring", "ordret": "1"}).content.decode()
    assert "Mente du" in html
    assert ">flådestyring</a> (3 punkter)" in html


def test_search_page_searches_a_clear_misspelling_as_corrected(archive, client):
    html = client.get("/soeg/", {"q": "fladestyring"}).content.decode()
    assert "Viser resultater for «flådestyring»." in html
    assert 'href="/soeg/?q=fladestyring&amp;ordret=1">Søg i stedet efter «fladestyring»</a>' in html
    assert "Flådestyring af Kalundborg Kommunes bilflåde" in html


def test_search_page_facets_link_to_their_filter(archive, client):
    html = client.get("/soeg/", {"q": "budget"}).content.decode()
    assert "?q=budget&amp;aar=2024" in html
    assert "Taget til efterretning" in html or "Anbefalet" in html


@pytest.mark.parametrize("query", ['"', "&|!:*()", "x" * 2000, "og i at", "<script>alert(1)</script>"])
def test_search_page_answers_any_query(archive, client, query):
    response = client.get("/soeg/", {"q": query, "side": "abc", "sortering": "nope"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_benchmark_search_measures_every_kind_of_request(archive):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("benchmark_search", "--rounds", "1", "--cases", "3", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Sidecachen er slået fra under målingen (PAGE_CACHE_SECONDS=0): hver side søges."
    assert lines[1].startswith(f"Søgeindeks: {AgendaItem.objects.count()} punkter.")
    lines = lines[2:]
    assert lines[0].split()[:2] == ["forespørgsel", "antal"]
    assert any(line.startswith("alle: resultatside ") and " 42 " in line for line in lines)
    assert any(line.startswith("alle: motoren alene ") and " 42 " in line for line in lines)
    assert any(line.startswith("sagsside") and " 3 " in line for line in lines)
    assert lines[-1].startswith("Forhold resultatside / motoren alene: p50 ")
    out = io.StringIO()
    call_command("benchmark_search", "--rounds", "1", "--cases", "3", "--postgresql", stdout=out)
    assert any(
        line.startswith("alle: side uden indeks ") and " 42 " in line for line in out.getvalue().splitlines()
    )
    out = io.StringIO()
    call_command("benchmark_search", "--rounds", "1", "--cases", "3", "--api", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(line.startswith("alle: API-søgning ") and " 42 " in line for line in lines)
    assert any(line.startswith("API: sag med tidslinje") and " 3 " in line for line in lines)


@pytest.fixture
def many_hits(generated_archive, monkeypatch, settings):
    """Make the generated archive behave like a big one for PostgreSQL (the search while the index is
    missing or behind): counts estimated, a window of 30 hits."""
    settings.SEARCH_INDEX = False
    monkeypatch.setattr(facets, "EXACT_BELOW", 0)
    monkeypatch.setattr(facets, "MIN_SAMPLED", 1)
    monkeypatch.setattr(search_page, "RESULT_WINDOW", 30)


def item_ids(html):
    return [int(pk) for pk in re.findall(r'<h3 class="hit__title"><a href="/punkt/(\d+)/">', html)]


def test_very_many_hits_show_an_estimate_and_the_newest_hits_most_relevant_first(
    many_hits, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        html = client.get("/soeg/", {"q": "budget"}).content.decode()
    hits = search.search(AgendaItem.objects.all(), "budget")
    assert hits.count() > 60
    assert re.search(r'class="results-count">\s*ca\. [\d.]+ punkter', html)
    assert "de 30 nyeste, de mest relevante først" in html
    assert "(anslået antal)" in html
    newest = list(hits.order_by("-meeting_date", "-id")[:30])
    shown = item_ids(html)
    assert len(shown) == 20
    expected = sorted(newest, key=lambda item: (-item.rank, -item.meeting_date.toordinal()))
    assert [item.rank for item in expected[:20]] == [hits.get(pk=pk).rank for pk in shown]
    assert set(shown) <= {item.pk for item in newest}


def test_very_many_hits_sorted_oldest_first_show_the_oldest(many_hits, client):
    html = client.get("/soeg/", {"q": "budget", "sortering": "aeldste"}).content.decode()
    hits = search.search(AgendaItem.objects.all(), "budget").order_by(
        "meeting__date", "meeting__start_time", "number"
    )
    assert item_ids(html) == [item.pk for item in hits[:20]]
    assert "de 30 ældste" in html
    last = client.get("/soeg/", {"q": "budget", "sortering": "aeldste", "side": "2"}).content.decode()
    assert item_ids(last) == [item.pk for item in hits[20:30]]  # the window ends the list


def test_a_chosen_year_with_very_many_hits_shows_that_years_newest(many_hits, client):
    year = AgendaItem.objects.order_by("meeting_date").first().meeting_date.year
    html = client.get("/soeg/", {"q": "budget", "aar": year, "sortering": "nyeste"}).content.decode()
    hits = search.search(AgendaItem.objects.filter(meeting_date__year=year), "budget")
    assert item_ids(html) == [
        i.pk for i in hits.order_by("-meeting__date", "-meeting__start_time", "number")[:20]
    ]


def test_date_cutoff_keeps_enough_of_the_newest_or_oldest_years():
    years = [("2024", 500), ("2023", 900), ("2022", 3000)]
    assert facets.date_cutoff(years, 1000, oldest_first=False) == Q(
        meeting_date__gte=datetime.date(2023, 1, 1)
    )
    assert facets.date_cutoff(years, 1000, oldest_first=True) == Q(
        meeting_date__lte=datetime.date(2022, 12, 31)
    )
    assert facets.date_cutoff(years, 5000, oldest_first=False) == Q()


@pytest.mark.parametrize("typo", ["fladestyring", "budgetopfolgninger", "orienteringerne", "direktionn"])
def test_suggestions_are_words_of_the_minutes_not_stems(archive, typo):
    words = [nearest.text for nearest in search.suggestions(typo)]
    assert words
    texts = " ".join(
        " ".join([i.title, i.decision, i.summary, i.recommendation, i.presentation])
        for i in AgendaItem.objects.all()
    ).lower()
    names = {name.lower() for name in Person.objects.values_list("name", flat=True)} | {
        name.lower() for name in Body.objects.values_list("name", flat=True)
    }
    for word in words:
        assert word.lower() in names or re.search(rf"(?<!\w){re.escape(word)}(?!\w)", texts), word


def test_benchmark_search_explains_the_queries_of_a_page(archive):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("benchmark_search", "--explain", "q=flåde", stdout=out)
    report = out.getvalue()
    assert report.startswith("/soeg/?q=flåde: ")
    assert "Execution Time" in report and "ts_headline" in report
    assert "to_tsvector" not in report  # the stored vector is searched, never computed per row
