"""Full-text search over the sample referater: stemming, compounds, ranking, syntax, snippets."""

import pytest
from django.contrib.postgres.search import SearchQuery

from minutes import importer, search
from minutes.models import AgendaItem, Case, Meeting


@pytest.fixture
def archive(db):
    for path in sorted(importer.SAMPLE_DIR.glob("*.txt")):
        importer.import_bytes(path.read_bytes(), path.name)
    search.record_terms(Meeting.objects.values_list("pk", flat=True))


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


@pytest.mark.parametrize(
    "query", ['"', "&|!:*()", "a" * 2000, "og i at det", "' OR 1=1 --", "\\", "budget & | !", "-", "or"]
)
def test_odd_queries_give_results_or_nothing_never_an_error(archive, query):
    assert isinstance(titles(query), list)


def test_highlight_marks_words_and_escapes_minutes_text(archive):
    item = AgendaItem.objects.get(meeting__date="2024-04-02", number=5)
    AgendaItem.objects.filter(pk=item.pk).update(decision='Godkendt: 5 < 7 & "flådestyring" > alt andet.')
    snippets = search.highlight([item], "flådestyring")
    assert "5 &lt; 7 &amp; &quot;<mark>flådestyring</mark>&quot; &gt; alt andet" in snippets[item.pk]
    assert snippets[item.pk].count("<") == snippets[item.pk].count("<mark>") + snippets[item.pk].count(
        "</mark>"
    )
