"""Finding what people mean (search/meaning.py) on the five sample referater: compounds split into
the archive's words, other words for the same thing, questions ranked by the words they share, and
``ordret=1`` to search only what was typed. Misspellings: tests/test_search.py and test_api.py."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import QueryDict

from minutes.models import SynonymGroup
from minutes.search import meaning
from minutes.search.page import search_page
from minutes.search.query import parse


def found(query: str):
    return search_page(QueryDict(query), per_page=100)


def titles(result) -> list[str]:
    return [hit.item.title for hit in result.hits]


@pytest.mark.parametrize(
    "text", ["budget or elbiler -corona", '"taget til efterretning" plan', "covid-19 skole or børn"]
)
def test_meaning_unparse_reads_back_as_the_same_query(text):
    assert parse(meaning.unparse(parse(text))) == parse(text)


def test_a_compound_the_archive_lacks_is_searched_as_its_words(archive):
    result = found("q=borgmestermøder")
    assert result.applied[0] == meaning.Step("split", "borgmestermøder", ("borgmester", "møder"))
    assert "«borgmestermøder» står ikke i arkivet; søgte efter «borgmester møder»." in [
        n.text for n in result.notices
    ]
    assert titles(result).count("Drøftelse af emner med borgmesteren") == 3


def test_other_words_for_the_same_thing_find_what_the_typed_word_does_not(archive):
    result = found("q=ladestandere")
    assert titles(result)[0] == "Strategi for overgang til 0-emissionsdrift"
    assert result.applied[0].kind == "synonyms" and "ladeinfrastruktur" in result.applied[0].words
    assert found("q=ladestandere&ordret=1").total == 0  # as typed: nothing, and nothing added
    assert found("q=ladestandere&ordret=1").applied == []


# Words the sample archive has as they are, not inside compounds: their hits are exact matches.
@pytest.mark.parametrize("q", ["kontaktcenter", "råderumskatalog", "coronakrisen"])
def test_the_typed_words_rank_above_their_other_words(archive, q):
    typed = {hit.item.pk for hit in found(f"q={q}&ordret=1").hits}
    result = found(f"q={q}")
    assert typed and result.total > len(typed)  # other words found more
    ranked = [hit.item.pk for hit in result.hits]
    assert set(ranked[: len(typed)]) == typed


def test_a_question_shows_the_items_with_most_of_its_words(archive):
    result = found("q=hvad skete der med FOB Kalundborg")
    assert titles(result)[0] == "Fusion mellem FOB Kalundborg og FOB Slagelse"
    assert "Ingen punkter indeholder alle ordene; viser punkter med de fleste af dem." in [
        n.text for n in result.notices
    ]
    assert found("q=hvad skete der med FOB Kalundborg&ordret=1").total == 0


def test_items_with_every_word_rank_before_those_with_some(archive):
    every = {hit.item.pk for hit in found("q=budget august&ordret=1").hits}
    result = found("q=budget august")
    assert 0 < len(every) < meaning.FEW_HITS and result.total > len(every)
    assert {hit.item.pk for hit in result.hits[: len(every)]} == every
    assert f"Kun {len(every)} punkter indeholder alle ordene" in " ".join(n.text for n in result.notices)


def test_a_synonym_group_added_in_the_admin_applies_to_the_next_search(archive, client):
    admin = User.objects.create_superuser("admin", password="hemmeligt-123")
    client.force_login(admin)
    assert found("q=kvaksalveri").total == 0
    response = client.post(
        "/admin/minutes/synonymgroup/add/", {"words": "kvaksalveri,flådestyring", "note": "test"}
    )
    assert response.status_code == 302
    assert SynonymGroup.objects.filter(words=["kvaksalveri", "flådestyring"]).exists()
    assert titles(found("q=kvaksalveri"))[0].startswith("Flådestyring")
    client.get("/admin/minutes/synonymgroup/")  # shows (and so ends) the "added" message
    listing = client.get("/admin/minutes/synonymgroup/", {"q": "ladeinfra"}).content.decode()
    assert "ladeinfrastruktur" in listing and "kvaksalveri" not in listing
    alone = client.post("/admin/minutes/synonymgroup/add/", {"words": "kvaksalveri", "note": ""})
    assert alone.status_code == 200  # the form again, with the reason
    assert "En gruppe skal have mindst to ord med samme betydning." in alone.content.decode()


def test_the_csv_and_the_feed_search_as_the_page_does(archive, client):
    page = found("q=ladestandere")
    csv = b"".join(client.get("/soeg/csv/", {"q": "ladestandere"}).streaming_content).decode()
    feed = client.get("/soeg/atom/", {"q": "ladestandere"})
    feed = (b"".join(feed.streaming_content) if feed.streaming else feed.content).decode()
    for hit in page.hits:
        assert hit.item.title in csv and hit.item.title in feed


def test_synonyms_of_a_word_are_the_other_words_of_every_group_with_its_stems(db):
    """synonyms_of stems only the groups' words that can match (a Danish stem is a prefix of its word):
    the same answer as comparing the stems of every word of every group, for each group's words,
    their inflections, phrases, case and words of no group."""

    def stems(text: str) -> tuple:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ARRAY(SELECT DISTINCT s FROM regexp_split_to_table(lower(%s), '[^[:alnum:]]+') w,"
                " LATERAL (SELECT (ts_lexize('danish_stem', w))[1] AS s) x WHERE s IS NOT NULL ORDER BY s)",
                [text],
            )
            return tuple(cursor.fetchone()[0])

    groups = [(group.id, group.words) for group in SynonymGroup.objects.order_by("id")]
    assert len(groups) > 50
    members = [(gid, word, stems(word)) for gid, words in groups for word in words]
    keys = sorted({word for _, word, _ in members})
    keys += [word.upper() for word in keys[:20]] + [word + "erne" for word in keys[:40]]
    keys += ["og", "flådestyring", "x", "ladestandere og elbiler", "kvaksalveri"]
    expected = {}
    for key in keys:
        key_stems = stems(key)
        if not key_stems:
            continue
        same = {gid for gid, _, member in members if member == key_stems}
        words = []
        for gid, word, member in members:
            if gid in same and member != key_stems and word.lower().strip() not in words:
                words.append(word.lower().strip())
        if words:
            expected[key] = tuple(words)
    assert expected and meaning.synonyms_of(keys) == expected
